package io.natsboot.spring.core;

import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.natsboot.spring.micrometer.MicrometerNatsInstrumentation;

/**
 * Hooks the templates and listener containers call around publish, request and message handling.
 * {@link #NONE} does nothing; {@link MicrometerNatsInstrumentation} records Micrometer Observations and lets
 * tracing write its context into the outgoing headers. Keeping Micrometer behind this interface keeps it an
 * optional dependency.
 */
public interface NatsInstrumentation {

    NatsInstrumentation NONE = new NatsInstrumentation() { };

    /** Before a message is published; may add headers (trace context) to {@code headers}. */
    default Handle publish(String subject, String replyTo, Headers headers) {
        return Handle.NONE;
    }

    /** Before a request is sent; may add headers to {@code headers}. Stopped when the reply or failure comes. */
    default Handle request(String subject, Headers headers) {
        return Handle.NONE;
    }

    /** Before a listener handles {@code message}; reads the sender's context from its headers. */
    default Handle receive(Message message, String listenerId) {
        return Handle.NONE;
    }

    /** One started observation. */
    interface Handle {
        Handle NONE = new Handle() { };

        /** Makes this observation the current one on this thread until the scope is closed. */
        default Scope openScope() {
            return Scope.NONE;
        }

        default void reply(Message reply) {
        }

        default void error(Throwable error) {
        }

        default void stop() {
        }
    }

    interface Scope extends AutoCloseable {
        Scope NONE = () -> { };

        @Override
        void close();
    }
}
