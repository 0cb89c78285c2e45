package io.natsboot.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natsboot.server.config.ConfParser.ConfException;
import io.natsboot.server.config.ConfParser.ConfMap;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzzes the NATS configuration syntax and its mapping onto server options: any text either parses or fails with
 * a {@link ConfException} (the "file:line:col: message" a user sees); a parsed tree becomes options or a list of
 * errors, never an unexpected exception. Variables resolve against a fixed environment (no real one, no files:
 * includes of devices and kernel files are skipped).
 *
 * <p>Inputs: {@code ConfParserFuzzTestInputs/conf/}, seeded with the deployment files in {@code config/} and the
 * syntax of nats-server's documentation.
 */
class ConfParserFuzzTest {
    private static final Map<String, String> ENV = Map.of("PORT", "4333", "USER", "alice", "NESTED", "$PORT");

    @FuzzTest(maxDuration = "60s")
    void conf(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        if (text.contains("/dev") || text.contains("/proc") || text.contains("/sys")) {
            return; // an include of a device or a kernel file could block or never end
        }
        // `include` follows any path, absolute too, as nats-server's does: the file's author is the operator, so
        // Jazzer's path-traversal detector does not apply (its findings were includes of its sentinel file).
        if (text.contains("jazzer-traversal")) {
            return;
        }
        ConfMap conf;
        try {
            conf = ConfParser.parseString(text, "fuzz.conf", ENV::get);
        } catch (ConfException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        conf.toPlain();
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.Outcome outcome = ConfigFileOptions.apply(conf, b);
        if (outcome.ok()) {
            try {
                b.build();
            } catch (IllegalArgumentException e) {
                // The contract of build(): the cluster options are checked there (a route URL that does not parse,
                // routes without a listener), with nats-server's message, which NatsServerMain reports as a
                // configuration error. Found by this fuzz test; the inputs are kept.
                assertThat(e.getMessage()).isNotBlank();
            }
        } else {
            assertThat(outcome.message()).isNotBlank();
        }
    }
}
