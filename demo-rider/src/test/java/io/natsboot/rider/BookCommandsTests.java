package io.natsboot.rider;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The book's own curl commands against the whole rider system, verbatim but for the port: curl's default
 * content type for {@code -d} is application/x-www-form-urlencoded, and the body is still read as JSON, as the
 * book's Go server does.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"natsboot.server.port=0", "server.port=0"})
class BookCommandsTests {

    @Value("${local.server.port}")
    int port;

    /** Runs curl with {@code args}, returns {@code [status, body]}; curl writes the status after a newline. */
    private static List<String> curl(String... args) throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        if (!Files.isExecutable(curl)) {
            throw new AssertionError("curl is needed for this test: apt-get install curl");
        }
        List<String> command = new ArrayList<>(List.of(curl.toString(), "-s", "-S", "--max-time", "20",
                "-w", "\n%{http_code} %{content_type}"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("curl did not finish: " + out);
        }
        int nl = out.lastIndexOf('\n');
        return List.of(out.substring(nl + 1), out.substring(0, nl));
    }

    @Test
    void theBooksRideRequestWithCurlsDefaultContentType() throws Exception {
        String url = "http://127.0.0.1:" + port + "/rides";
        List<String> regular = curl(url, "-d", "{\"type\":\"regular\"}");
        assertThat(regular.get(0)).startsWith("200 application/json");
        assertThat(regular.get(1)).matches("\\{\"driver_id\":\"[A-Za-z0-9]+\"}");

        List<String> mini = curl(url, "-d", "{\"type\":\"mini\",\"location\":{\"lat\":52.37,\"lng\":4.89}}");
        assertThat(mini.get(0)).startsWith("200 ");

        List<String> verbose = curl("-v", url, "-d", "{\"type\":\"regular\"}");
        assertThat(verbose.get(1)).as("curl really sent a form content type")
                .contains("Content-Type: application/x-www-form-urlencoded");
        assertThat(verbose.get(0)).startsWith("200 ");

        List<String> bad = curl(url, "-d", "not json");
        assertThat(bad.get(0)).startsWith("400 ");
        assertThat(bad.get(1)).startsWith("Bad request: invalid JSON");
    }

    @Test
    void theBooksHomeRequest() throws Exception {
        List<String> home = curl("http://127.0.0.1:" + port + "/");
        assertThat(home.get(0)).startsWith("200 text/plain");
        assertThat(home.get(1)).isEqualTo("NATS Rider API Server v0.1.0");
    }
}
