package io.natsboot.spring.jetstream;

import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import reactor.core.publisher.Mono;

/** The {@link JetStreamTemplate} for Reactor: each publish is a {@link Mono} of the server's ack, sent on subscribe. */
public class ReactiveJetStreamTemplate {

    private final JetStreamTemplate template;

    public ReactiveJetStreamTemplate(JetStreamTemplate template) {
        this.template = template;
    }

    public JetStreamTemplate getTemplate() {
        return template;
    }

    public Mono<PublishAck> publish(String subject, Object payload) {
        return publish(subject, payload, null, null);
    }

    public Mono<PublishAck> publish(String subject, Object payload, PublishOptions options) {
        return publish(subject, payload, null, options);
    }

    public Mono<PublishAck> publish(String subject, Object payload, Headers headers, PublishOptions options) {
        return Mono.defer(() -> Mono.fromFuture(template.publishAsync(subject, payload, headers, options)));
    }
}
