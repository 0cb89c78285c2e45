package io.natsboot.spring.micrometer;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.RequestReplySenderContext;
import io.micrometer.observation.transport.SenderContext;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.natsboot.spring.core.NatsInstrumentation;

/**
 * Micrometer Observations {@value #PUBLISH}, {@value #REQUEST} and {@value #PROCESS}. The sender contexts
 * carry the outgoing {@link Headers}, so a tracing handler writes the trace context into them (e.g. W3C
 * {@code traceparent}); the receiver context carries the incoming {@link Message}, so the listener's span
 * continues the sender's trace, across a request/reply too.
 *
 * <p>Low-cardinality keys (also timer tags): {@code messaging.system=nats}, {@code messaging.operation}, and
 * for listeners {@code nats.listener.id}. The subject is high-cardinality ({@code messaging.destination.name}):
 * inboxes and ids in subjects would explode a metrics backend.
 */
public class MicrometerNatsInstrumentation implements NatsInstrumentation {

    public static final String PUBLISH = "nats.publish";
    public static final String REQUEST = "nats.request";
    public static final String PROCESS = "nats.process";

    private final ObservationRegistry registry;

    public MicrometerNatsInstrumentation(ObservationRegistry registry) {
        this.registry = registry;
    }

    /** The sender side of a publish; the carrier is the outgoing headers. */
    public static class NatsPublishContext extends SenderContext<Headers> {
        private final String subject;

        public NatsPublishContext(String subject, Headers headers) {
            super((carrier, key, value) -> carrier.put(key, value), Kind.PRODUCER);
            this.subject = subject;
            setCarrier(headers);
            setRemoteServiceName("nats");
        }

        public String getSubject() {
            return subject;
        }
    }

    /** The sender side of a request; the response is the reply message. */
    public static class NatsRequestContext extends RequestReplySenderContext<Headers, Message> {
        private final String subject;

        public NatsRequestContext(String subject, Headers headers) {
            super((carrier, key, value) -> carrier.put(key, value), Kind.CLIENT);
            this.subject = subject;
            setCarrier(headers);
            setRemoteServiceName("nats");
        }

        public String getSubject() {
            return subject;
        }
    }

    /** The receiving side in a listener; the carrier is the incoming message. */
    public static class NatsProcessContext extends ReceiverContext<Message> {
        private final String listenerId;

        public NatsProcessContext(Message message, String listenerId) {
            super((carrier, key) -> carrier.hasHeaders() ? carrier.getHeaders().getFirst(key) : null,
                    message.getReplyTo() != null && !message.getReplyTo().isEmpty() ? Kind.SERVER : Kind.CONSUMER);
            this.listenerId = listenerId;
            setCarrier(message);
            setRemoteServiceName("nats");
        }

        public String getListenerId() {
            return listenerId;
        }
    }

    @Override
    public Handle publish(String subject, String replyTo, Headers headers) {
        NatsPublishContext context = new NatsPublishContext(subject, headers);
        return start(Observation.createNotStarted(PUBLISH, () -> context, registry)
                .contextualName(subject + " publish")
                .lowCardinalityKeyValues(KeyValues.of("messaging.system", "nats", "messaging.operation", "publish"))
                .highCardinalityKeyValue("messaging.destination.name", subject), null);
    }

    @Override
    public Handle request(String subject, Headers headers) {
        NatsRequestContext context = new NatsRequestContext(subject, headers);
        return start(Observation.createNotStarted(REQUEST, () -> context, registry)
                .contextualName(subject + " request")
                .lowCardinalityKeyValues(KeyValues.of("messaging.system", "nats", "messaging.operation", "request"))
                .highCardinalityKeyValue("messaging.destination.name", subject), context);
    }

    @Override
    public Handle receive(Message message, String listenerId) {
        NatsProcessContext context = new NatsProcessContext(message, listenerId);
        return start(Observation.createNotStarted(PROCESS, () -> context, registry)
                .contextualName(message.getSubject() + " process")
                .lowCardinalityKeyValues(KeyValues.of("messaging.system", "nats", "messaging.operation", "process",
                        "nats.listener.id", listenerId))
                .highCardinalityKeyValue("messaging.destination.name", message.getSubject()), null);
    }

    private static Handle start(Observation observation, NatsRequestContext request) {
        observation.start();
        return new Handle() {
            @Override
            public Scope openScope() {
                Observation.Scope scope = observation.openScope();
                return scope::close;
            }

            @Override
            public void reply(Message reply) {
                if (request != null) {
                    request.setResponse(reply);
                }
            }

            @Override
            public void error(Throwable error) {
                observation.error(error);
            }

            @Override
            public void stop() {
                observation.stop();
            }
        };
    }
}
