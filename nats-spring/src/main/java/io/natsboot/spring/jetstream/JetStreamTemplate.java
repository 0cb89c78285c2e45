package io.natsboot.spring.jetstream;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsMessageConverter;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Publishes to JetStream streams on a jnats {@link Connection}: the payload converted by the
 * {@link NatsMessageConverter}, headers, and {@link PublishOptions} for deduplication
 * ({@code messageId}) and optimistic concurrency ({@code expectedLastSequence}, {@code expectedLastMsgId},
 * {@code expectedStream}). Returns the server's {@link PublishAck} (stream, sequence, duplicate);
 * a refusal raises {@link JetStreamPublishException}.
 */
public class JetStreamTemplate {

    private final Connection connection;
    private final JetStream jetStream;
    private final NatsMessageConverter converter;
    private final NatsInstrumentation instrumentation;
    private final JetStreamMetrics metrics;

    public JetStreamTemplate(Connection connection, NatsMessageConverter converter) {
        this(connection, converter, NatsInstrumentation.NONE, JetStreamMetrics.NONE);
    }

    public JetStreamTemplate(Connection connection, NatsMessageConverter converter,
            NatsInstrumentation instrumentation, JetStreamMetrics metrics) {
        this.connection = connection;
        this.converter = converter;
        this.instrumentation = instrumentation;
        this.metrics = metrics;
        try {
            this.jetStream = connection.jetStream();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot get a JetStream context: " + e.getMessage(), e);
        }
    }

    public Connection getConnection() {
        return connection;
    }

    /** jnats' JetStream context, for what this template does not cover. */
    public JetStream getJetStream() {
        return jetStream;
    }

    public JetStreamManagement getJetStreamManagement() {
        try {
            return connection.jetStreamManagement();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot get JetStream management: " + e.getMessage(), e);
        }
    }

    public NatsMessageConverter getConverter() {
        return converter;
    }

    public PublishAck publish(String subject, Object payload) {
        return publish(subject, payload, null, null);
    }

    public PublishAck publish(String subject, Object payload, PublishOptions options) {
        return publish(subject, payload, null, options);
    }

    /**
     * Publishes and waits for the server's ack. {@code options} may be null; e.g.
     * {@code PublishOptions.builder().messageId("order-1").expectedLastSequence(41).build()}.
     */
    public PublishAck publish(String subject, Object payload, Headers headers, PublishOptions options) {
        Message message = message(subject, payload, headers);
        NatsInstrumentation.Handle observation = instrumentation.publish(subject, null, message.getHeaders());
        try {
            PublishAck ack = jetStream.publish(message, options);
            metrics.publishAcked(ack.getStream(), ack.isDuplicate());
            return ack;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            metrics.publishFailed(subject);
            observation.error(e);
            throw new JetStreamPublishException(subject, e);
        } finally {
            observation.stop();
        }
    }

    /** Publishes without waiting; the future completes with the ack or a {@link JetStreamPublishException}. */
    public CompletableFuture<PublishAck> publishAsync(String subject, Object payload, Headers headers,
            PublishOptions options) {
        Message message = message(subject, payload, headers);
        NatsInstrumentation.Handle observation = instrumentation.publish(subject, null, message.getHeaders());
        CompletableFuture<PublishAck> sent;
        try {
            sent = jetStream.publishAsync(message, options);
        } catch (RuntimeException e) {
            metrics.publishFailed(subject);
            observation.error(e);
            observation.stop();
            return CompletableFuture.failedFuture(new JetStreamPublishException(subject, e));
        }
        return sent.handle((ack, e) -> {
            try {
                if (e != null) {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    metrics.publishFailed(subject);
                    observation.error(cause);
                    throw new JetStreamPublishException(subject, cause);
                }
                metrics.publishAcked(ack.getStream(), ack.isDuplicate());
                return ack;
            } finally {
                observation.stop();
            }
        });
    }

    private Message message(String subject, Object payload, Headers headers) {
        Headers h = headers != null ? headers : new Headers();
        byte[] data = converter.toBytes(payload, h);
        return NatsMessage.builder().subject(subject).headers(h).data(data).build();
    }
}
