package io.natsboot.client.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.natsboot.client.autoconfigure.TestNatsServer;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * docs/client.md's quick start as a new user writes it: {@link OrdersApplication} is the documented class
 * (only the package differs), configured by the documented properties, with no bean wiring of its own.
 */
@SpringBootTest(classes = OrdersApplication.class)
@ExtendWith(OutputCaptureExtension.class)
class QuickStartTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    static final Path CLIENT_MD = Path.of("..", "docs", "client.md");

    /** The documented properties block, parsed as Spring Boot reads application.properties. */
    static Properties documentedProperties() throws Exception {
        String md = Files.readString(CLIENT_MD);
        String quickStart = md.substring(md.indexOf("## Quick start"));
        Matcher block = Pattern.compile("```properties\\n(.*?)```", Pattern.DOTALL).matcher(quickStart);
        assertThat(block.find()).as("a properties block in the quick start").isTrue();
        Properties p = new Properties();
        p.load(new StringReader(block.group(1)));
        return p;
    }

    @DynamicPropertySource
    static void documented(DynamicPropertyRegistry registry) throws Exception {
        Properties p = documentedProperties();
        for (String name : p.stringPropertyNames()) {
            // the documented value, except the server, which is this test's
            registry.add(name, () -> name.equals("natsboot.client.servers") ? server.url() : p.getProperty(name));
        }
    }

    @Autowired
    Connection connection;

    @Test
    void theDocumentedPropertiesHaveNoTrailingComments() throws Exception {
        Properties p = documentedProperties();
        assertThat(p.getProperty("spring.application.name")).isEqualTo("orders");
        assertThat(p.getProperty("natsboot.client.servers")).isEqualTo("nats://localhost:4222");
        assertThat(p.values()).allSatisfy(v -> assertThat((String) v).doesNotContain("#"));
    }

    @Test
    void theApplicationRunsAsDocumented(CapturedOutput output) {
        assertThat(connection.getOptions().getConnectionName()).isEqualTo("orders");
        assertThat(output).contains("Order[id=o-1, qty=42]").containsPattern("(?m)^3$");
    }
}
