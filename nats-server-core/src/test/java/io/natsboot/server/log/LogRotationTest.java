package io.natsboot.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.CommandLine;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ConfigReload;
import io.natsboot.server.config.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logfile_size_limit} / {@code --log_size_limit}, as nats-server 2.9.10 rotates (observed with the
 * Debian binary: {@code s.log.2026.11.23.12.42.53.934656292}, then {@code [INF] Rotated log, backup saved as
 * "/tmp/lr/s.log.2026.11.23.12.42.53.934656292"} first in the new file, which counts towards its size).
 */
class LogRotationTest {

    private static final Instant T = Instant.parse("2026-11-23T11:42:53.934656292Z");

    @Test
    void rotatesWhenALineTakesTheFilePastTheLimit(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.log");
        Files.writeString(f, "x".repeat(200)); // an existing file's size counts
        long pid = NatsFormatLog.pid();
        NatsFormatLog log = NatsFormatLog.toFile(f, true, false, false,
                Clock.fixed(T, ZoneId.of("Europe/Paris")));
        log.setSizeLimit(250);
        String line = "[" + pid + "] 2026/11/23 12:42:53.934656 [INF] ";
        log.info("first"); // 200 + 46 bytes: under the limit
        assertThat(Files.readString(f)).isEqualTo("x".repeat(200) + line + "first\n");
        log.info("second"); // past it: rotated after the write
        Path bak = dir.resolve("s.log.2026.11.23.12.42.53.934656292");
        assertThat(Files.readString(bak)).isEqualTo("x".repeat(200) + line + "first\n" + line + "second\n");
        String rotated = line + "Rotated log, backup saved as \"" + bak + "\"\n";
        assertThat(Files.readString(f)).isEqualTo(rotated);
        log.info("third");
        log.close();
        assertThat(Files.readString(f)).isEqualTo(rotated + line + "third\n");
        assertThat(names(dir)).containsExactly("s.log", "s.log.2026.11.23.12.42.53.934656292");
    }

    @Test
    void noLimitNoRotation(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.log");
        NatsFormatLog log = NatsFormatLog.toFile(f, false, false, false);
        for (int i = 0; i < 100; i++) {
            log.info("line " + i);
        }
        log.close();
        assertThat(names(dir)).containsExactly("s.log");
    }

    @Test
    void flagAndConfigFileAndReload(@TempDir Path dir) throws Exception {
        assertThat(CommandLine.parse("--log_size_limit", "1024").options().logSizeLimit()).isEqualTo(1024);
        ServerOptions.Builder b = ServerOptions.builder();
        Path conf = dir.resolve("c.conf");
        Files.writeString(conf, "logfile_size_limit: 100KB\n");
        assertThat(ConfigFileOptions.load(conf.toString(), b).ok()).isTrue();
        ServerOptions old = b.build();
        assertThat(old.logSizeLimit()).isEqualTo(102400);
        Files.writeString(conf, "logfile_size_limit: \"1MB\"\n");
        assertThat(ConfigFileOptions.load(conf.toString(), ServerOptions.builder()).message())
                .isEqualTo(conf + ":1:0: interface conversion: interface {} is string, not int64\n");
        // nats-server: "config reload not supported for LogSizeLimit: old=102400, new=204800"
        ServerOptions next = old.toBuilder().logSizeLimit(204800).build();
        try {
            ConfigReload.diff(old, next, 4222);
            throw new AssertionError("reload accepted");
        } catch (ConfigReload.Refused e) {
            assertThat(e.getMessage())
                    .isEqualTo("config reload not supported for LogSizeLimit: old=102400, new=204800");
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
