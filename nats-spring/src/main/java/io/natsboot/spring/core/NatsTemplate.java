package io.natsboot.spring.core;

import io.nats.client.Connection;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.nats.service.ServiceMessage;
import io.natsboot.spring.annotation.NatsListener;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blocking sends on a jnats {@link Connection}: publish, request/reply with typed replies through the
 * {@link NatsMessageConverter}, and flush. No responders raise {@link NatsNoRespondersException}, a
 * missing reply {@link NatsRequestTimeoutException}, and a listener failure reported in the
 * {@value #ERROR_HEADER} header (or a NATS service's {@code Nats-Service-Error}) {@link NatsRemoteException}.
 */
public class NatsTemplate {

    /** Header a {@code @NatsListener} sets on the reply when the handler failed. */
    public static final String ERROR_HEADER = "Nats-Boot-Error";

    private final Connection connection;
    private final NatsMessageConverter converter;
    private final Duration defaultTimeout;
    private final NatsInstrumentation instrumentation;

    public NatsTemplate(Connection connection, NatsMessageConverter converter, Duration defaultTimeout) {
        this(connection, converter, defaultTimeout, NatsInstrumentation.NONE);
    }

    /** With {@code instrumentation} around every publish and request (observations, trace headers). */
    public NatsTemplate(Connection connection, NatsMessageConverter converter, Duration defaultTimeout,
            NatsInstrumentation instrumentation) {
        this.connection = connection;
        this.converter = converter;
        this.defaultTimeout = defaultTimeout;
        this.instrumentation = instrumentation;
    }

    public Connection getConnection() {
        return connection;
    }

    public NatsMessageConverter getConverter() {
        return converter;
    }

    public Duration getDefaultTimeout() {
        return defaultTimeout;
    }

    public void publish(String subject, Object payload) {
        publish(subject, null, payload, null);
    }

    public void publish(String subject, Object payload, Headers headers) {
        publish(subject, null, payload, headers);
    }

    public void publish(String subject, String replyTo, Object payload, Headers headers) {
        Headers h = headers != null ? headers : new Headers();
        byte[] data = converter.toBytes(payload, h);
        NatsInstrumentation.Handle observation = instrumentation.publish(subject, replyTo, h);
        try {
            connection.publish(build(subject, replyTo, h, data));
        } catch (RuntimeException e) {
            observation.error(e);
            throw e;
        } finally {
            observation.stop();
        }
    }

    public Message request(String subject, Object payload) {
        return request(subject, payload, null, defaultTimeout);
    }

    public Message request(String subject, Object payload, Headers headers, Duration timeout) {
        return await(subject, requestAsync(subject, payload, headers, timeout), timeout);
    }

    public <T> T request(String subject, Object payload, Class<T> replyType) {
        return request(subject, payload, null, replyType, defaultTimeout);
    }

    public <T> T request(String subject, Object payload, Headers headers, Class<T> replyType, Duration timeout) {
        return converter.fromMessage(request(subject, payload, headers, timeout), replyType);
    }

    /** The reply future, completed exceptionally with this template's exceptions. */
    public CompletableFuture<Message> requestAsync(String subject, Object payload, Headers headers, Duration timeout) {
        CompletableFuture<Message> result = new CompletableFuture<>();
        Headers h = headers != null ? headers : new Headers();
        byte[] data = converter.toBytes(payload, h);
        NatsInstrumentation.Handle observation = instrumentation.request(subject, h);
        CompletableFuture<Message> reply;
        try {
            reply = connection.requestWithTimeout(build(subject, null, h, data), timeout);
        } catch (RuntimeException e) {
            observation.error(e);
            observation.stop();
            throw e;
        }
        reply.whenComplete((m, e) -> {
            RuntimeException failure = e != null ? translate(subject, e, timeout) : checkReply(subject, m);
            if (m != null) {
                observation.reply(m);
            }
            if (failure != null) {
                observation.error(failure);
                observation.stop();
                result.completeExceptionally(failure);
            } else {
                observation.stop();
                result.complete(m);
            }
        });
        return result;
    }

    public void flush(Duration timeout) {
        try {
            connection.flush(timeout);
        } catch (TimeoutException e) {
            throw new NatsException("Flush did not complete within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NatsException("Interrupted while flushing", e);
        }
    }

    /** The message {@link #publish} would send, without instrumentation. */
    public Message toMessage(String subject, String replyTo, Object payload, Headers headers) {
        Headers h = headers != null ? headers : new Headers();
        return build(subject, replyTo, h, converter.toBytes(payload, h));
    }

    private static Message build(String subject, String replyTo, Headers h, byte[] data) {
        return NatsMessage.builder().subject(subject).replyTo(replyTo).headers(h.isEmpty() ? null : h).data(data)
                .build();
    }

    static RuntimeException checkReply(String subject, Message m) {
        if (m.isStatusMessage() && m.getStatus().getCode() == 503) {
            return new NatsNoRespondersException(subject);
        }
        if (m.hasHeaders() && m.getHeaders().containsKey(ERROR_HEADER)) {
            return new NatsRemoteException(subject, m.getHeaders().getFirst(ERROR_HEADER));
        }
        if (m.hasHeaders() && m.getHeaders().containsKey(ServiceMessage.NATS_SERVICE_ERROR)) {
            // The error response of a NATS service endpoint (micro protocol).
            return new NatsRemoteException(subject, m.getHeaders().getFirst(ServiceMessage.NATS_SERVICE_ERROR_CODE)
                    + " " + m.getHeaders().getFirst(ServiceMessage.NATS_SERVICE_ERROR));
        }
        return null;
    }

    static RuntimeException translate(String subject, Throwable e, Duration timeout) {
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof java.util.concurrent.CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof NatsException ne) {
            return ne;
        }
        if (cause instanceof JetStreamStatusException jse && jse.getStatus().getCode() == 503) {
            return new NatsNoRespondersException(subject);
        }
        if (cause instanceof TimeoutException || cause instanceof CancellationException) {
            return new NatsRequestTimeoutException(subject, timeout);
        }
        return new NatsException("Request on '" + subject + "' failed: " + cause, cause);
    }

    private static Message await(String subject, CompletableFuture<Message> f, Duration timeout) {
        try {
            return f.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NatsException("Interrupted while waiting for a reply on '" + subject + "'", e);
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            throw translate(subject, e, timeout);
        }
    }
}
