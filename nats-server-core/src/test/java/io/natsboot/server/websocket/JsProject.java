package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The nats.ws scenarios in {@code src/test/js}: copied to {@code target/websocket-js} and installed there with
 * {@code npm ci} from the committed package-lock.json (again only when the lock changed), so a fresh machine needs
 * node, npm and the npm registry, nothing else.
 */
final class JsProject {
    private static final Path SOURCE = Path.of("src/test/js");
    private static final Path DIR = Path.of("target/websocket-js");
    private static boolean ready;

    private JsProject() {
    }

    /** The installed directory; fails naming the Debian packages when node or npm is missing. */
    static synchronized Path dir() throws IOException, InterruptedException {
        if (ready) {
            return DIR;
        }
        requireCommand("node", "nodejs");
        requireCommand("npm", "npm");
        Files.createDirectories(DIR);
        boolean lockChanged = !Files.exists(DIR.resolve("package-lock.json"))
                || Files.mismatch(SOURCE.resolve("package-lock.json"), DIR.resolve("package-lock.json")) >= 0;
        try (Stream<Path> files = Files.list(SOURCE)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, DIR.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (lockChanged || !Files.isDirectory(DIR.resolve("node_modules/nats.ws"))) {
            Result r = run(DIR, 300, "npm", "ci", "--no-audit", "--no-fund");
            assertThat(r.exit).as("npm ci in " + DIR.toAbsolutePath() + " (the npm registry must be reachable):\n"
                    + r.output).isZero();
        }
        ready = true;
        return DIR;
    }

    static void requireCommand(String command, String debianPackage) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            // not installed
        }
        fail("'" + command + "' is required by the WebSocket client tests: install the Debian package "
                + debianPackage + " (CI: .ci/run installs it)");
    }

    record Result(int exit, String output) {
    }

    /** Runs a command in {@code dir}, killing it after {@code seconds}; output is stdout and stderr. */
    static Result run(Path dir, long seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                out.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // process killed
            }
        });
        reader.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(5000);
        return new Result(p.isAlive() ? -1 : p.exitValue(), String.join("", out));
    }
}
