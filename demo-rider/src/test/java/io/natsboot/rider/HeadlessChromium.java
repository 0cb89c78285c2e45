package io.natsboot.rider;

import io.natsboot.server.support.RequiredBinaries;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the Debian {@code chromium} headless against a page, with a throw-away profile, and returns what it
 * printed ({@code --dump-dom}) or leaves a file ({@code --screenshot}). Same approach as the core's
 * dashboard test: a virtual-time budget lets the page's timers run a few seconds without waiting for them.
 */
final class HeadlessChromium implements AutoCloseable {

    private final Path profile;

    HeadlessChromium() throws IOException {
        this.profile = Files.createTempDirectory("rider-chromium");
    }

    /** $CHROMIUM, or chromium / chromium-browser / google-chrome on the PATH; fails naming the package without. */
    static String executable() {
        return RequiredBinaries.path("chromium").toString();
    }

    String run(List<String> extra, String url, int virtualTimeMillis) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(executable(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--window-size=1200,700", "--virtual-time-budget=" + virtualTimeMillis));
        cmd.addAll(extra);
        cmd.add(url);
        Path out = Files.createTempFile(profile, "stdout", ".html");
        Path err = Files.createTempFile(profile, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + Files.readString(err));
        }
        assertThat(p.exitValue()).as("chromium exit status; stderr:%n%s", Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
