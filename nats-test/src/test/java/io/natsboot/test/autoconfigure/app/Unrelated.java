package io.natsboot.test.autoconfigure.app;

import org.springframework.stereotype.Component;

/** Not NATS: a {@code @NatsTest} leaves it out. */
@Component
public class Unrelated {
}
