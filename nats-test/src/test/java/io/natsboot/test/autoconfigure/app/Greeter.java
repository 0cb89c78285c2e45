package io.natsboot.test.autoconfigure.app;

import io.natsboot.spring.annotation.NatsListener;
import org.springframework.stereotype.Component;

@Component
public class Greeter {
    @NatsListener("greet")
    public String greet(TestApp.Greeting greeting) {
        return "hello " + greeting.name();
    }
}
