package io.natsboot.server.goformat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GoFormat} against strings printed by Go itself: {@code src/test/resources/goformat/golden.go} wrote
 * {@code golden.tsv} (its first line names the Go version, the one Debian's nats-server 2.9.10 is built with).
 */
class GoFormatGoldenTest {

    record Golden(String kind, String input, String expected) {
        @Override
        public String toString() {
            return kind + " " + input;
        }
    }

    static Stream<Golden> golden() throws IOException {
        List<Golden> rows = new ArrayList<>();
        try (InputStream in = GoFormatGoldenTest.class.getResourceAsStream("/goformat/golden.tsv")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                rows.add(new Golden(f[0], f[1], f[2]));
            }
        }
        assertThat(rows).hasSizeGreaterThan(50);
        return rows.stream();
    }

    @ParameterizedTest
    @MethodSource("golden")
    void matchesGo(Golden g) throws Exception {
        byte[] bytes = g.kind().matches("quote|quotebytes|atoi|parsebool") ? HexFormat.of().parseHex(g.input()) : null;
        String actual = switch (g.kind()) {
            case "duration" -> GoFormat.duration(Long.parseLong(g.input()));
            case "quote" -> GoFormat.quote(new String(bytes, StandardCharsets.UTF_8));
            case "quotebytes" -> GoFormat.quote(bytes, 0, bytes.length);
            case "float" -> GoFormat.jsonFloat(Double.longBitsToDouble(Long.parseUnsignedLong(g.input())));
            case "rfc3339nano" -> {
                String[] p = g.input().split("\\.");
                yield GoFormat.rfc3339Nano(Instant.ofEpochSecond(Long.parseLong(p[0]), Long.parseLong(p[1])));
            }
            case "atoi" -> {
                try {
                    yield Long.toString(GoFormat.atoi(new String(bytes, StandardCharsets.UTF_8)));
                } catch (GoFormat.NumError e) {
                    yield e.getMessage();
                }
            }
            case "parsebool" -> {
                try {
                    yield Boolean.toString(GoFormat.parseBool(new String(bytes, StandardCharsets.UTF_8)));
                } catch (GoFormat.NumError e) {
                    yield e.getMessage();
                }
            }
            default -> throw new IllegalArgumentException("unknown kind " + g.kind());
        };
        assertThat(actual).isEqualTo(g.expected());
    }
}
