package io.natsboot.rider;

import java.time.Duration;

import io.natsboot.client.JacksonNatsMessageConverter;
import io.natsboot.client.NatsClientProperties;
import io.natsboot.client.NatsTemplate;
import io.natsboot.client.ReactiveNatsTemplate;
import tools.jackson.databind.json.JsonMapper;

/** api-server: the kit identity and NATS connection behind the HTTP {@link RidesController}. */
class ApiServer extends Component {

    static final String KIND = "api-server";
    static final String VERSION = "0.1.0";

    ApiServer(JsonMapper json) {
        super(KIND, json);
    }

    private ReactiveNatsTemplate reactive;

    /** Reactor sends on this component's own connection (named {@code api-server:<id>}). */
    ReactiveNatsTemplate reactive() {
        return reactive;
    }

    @Override
    protected void setUp() {
        NatsTemplate template = new NatsTemplate(nc, new JacksonNatsMessageConverter(json), Duration.ofSeconds(2));
        reactive = new ReactiveNatsTemplate(template, 1024, NatsClientProperties.SlowConsumerPolicy.DROP);
    }
}
