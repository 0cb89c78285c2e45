package io.natsboot.test.autoconfigure.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A small application for the test support's tests: {@link Greeter} (NATS) and {@link Unrelated} (not). */
@SpringBootApplication
public class TestApp {

    public record Greeting(String name) { }
}
