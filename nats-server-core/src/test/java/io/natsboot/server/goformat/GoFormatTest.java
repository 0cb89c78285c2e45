package io.natsboot.server.goformat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The Go formats of the monitoring responses, against values printed by Go and nats-server. */
class GoFormatTest {

    @Test
    void uptimeStyle() {
        assertThat(GoFormat.uptimeSeconds(0)).isEqualTo("0s");
        assertThat(GoFormat.uptimeSeconds(56)).isEqualTo("56s");
        assertThat(GoFormat.uptimeSeconds(63)).isEqualTo("1m3s");
        assertThat(GoFormat.uptimeSeconds(3600)).isEqualTo("1h0m0s");
        assertThat(GoFormat.uptimeSeconds(7205)).isEqualTo("2h0m5s");
        assertThat(GoFormat.uptimeSeconds(86400 + 2 * 3600 + 3 * 60 + 4)).isEqualTo("1d2h3m4s");
        assertThat(GoFormat.uptimeSeconds(365L * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5)).isEqualTo("1y2d3h4m5s");
        assertThat(GoFormat.uptimeSeconds(800L * 86400)).isEqualTo("2y70d0h0m0s");
        // Whole seconds only, truncated.
        assertThat(GoFormat.uptime(Duration.ofMillis(1999))).isEqualTo("1s");
        assertThat(GoFormat.uptime(Duration.ofMillis(999))).isEqualTo("0s");
        assertThat(GoFormat.uptime(Duration.ofMillis(-1500))).isEqualTo("-1s");
    }

    @Test
    void goDurationString() {
        assertThat(GoFormat.duration(0)).isEqualTo("0s");
        assertThat(GoFormat.duration(1)).isEqualTo("1ns");
        assertThat(GoFormat.duration(999)).isEqualTo("999ns");
        assertThat(GoFormat.duration(1_100)).isEqualTo("1.1µs");
        assertThat(GoFormat.duration(379_000)).isEqualTo("379µs");
        assertThat(GoFormat.duration(1_200_000)).isEqualTo("1.2ms");
        assertThat(GoFormat.duration(1_234_567)).isEqualTo("1.234567ms");
        assertThat(GoFormat.duration(200_000_000)).isEqualTo("200ms");
        assertThat(GoFormat.duration(1_000_000_000)).isEqualTo("1s");
        assertThat(GoFormat.duration(1_500_000_000)).isEqualTo("1.5s");
        assertThat(GoFormat.duration(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(GoFormat.duration(Duration.ofMinutes(2))).isEqualTo("2m0s");
        assertThat(GoFormat.duration(Duration.ofHours(1))).isEqualTo("1h0m0s");
        assertThat(GoFormat.duration(Duration.ofMillis(3_723_500))).isEqualTo("1h2m3.5s");
        assertThat(GoFormat.duration(Duration.ofNanos(61_000_000_001L))).isEqualTo("1m1.000000001s");
        assertThat(GoFormat.duration(-1_500_000_000)).isEqualTo("-1.5s");
        assertThat(GoFormat.duration(-1_000)).isEqualTo("-1µs");
        assertThat(GoFormat.duration(Long.MAX_VALUE)).isEqualTo("2562047h47m16.854775807s");
        assertThat(GoFormat.duration(Long.MIN_VALUE)).isEqualTo("-2562047h47m16.854775808s");
    }

    @Test
    void rttTruncatesToMicrosecondsBelowOneMillisecond() {
        assertThat(GoFormat.rtt(-1)).isEqualTo("0s");
        assertThat(GoFormat.rtt(0)).isEqualTo("0s");
        assertThat(GoFormat.rtt(999)).isEqualTo("999ns");
        assertThat(GoFormat.rtt(1_000)).isEqualTo("1µs");
        assertThat(GoFormat.rtt(1_500)).isEqualTo("1µs");
        assertThat(GoFormat.rtt(379_456)).isEqualTo("379µs");
        assertThat(GoFormat.rtt(999_999)).isEqualTo("999µs");
        assertThat(GoFormat.rtt(1_000_000)).isEqualTo("1ms");
        assertThat(GoFormat.rtt(1_234_567)).isEqualTo("1.234567ms");
        assertThat(GoFormat.rtt(117_289_834)).isEqualTo("117.289834ms");
    }

    @Test
    void timeStringAsTheNatsTimeStampHeader() {
        // Go's time.Time.String() in UTC, as nats-server 2.9.10 writes Nats-Time-Stamp on a direct get
        long t = Instant.parse("2026-12-07T20:31:22.746024321Z").getEpochSecond() * 1_000_000_000L + 746_024_321;
        assertThat(GoFormat.timeString(t)).isEqualTo("2026-12-07 20:31:22.746024321 +0000 UTC");
        assertThat(GoFormat.timeString(t - 24_321)).isEqualTo("2026-12-07 20:31:22.746 +0000 UTC");
        assertThat(GoFormat.timeString(t - 746_024_321)).isEqualTo("2026-12-07 20:31:22 +0000 UTC");
    }

    @Test
    void rfc3339WithNanoseconds() {
        Instant t = Instant.parse("2026-11-22T19:24:48.042271672Z");
        assertThat(GoFormat.rfc3339Nano(t)).isEqualTo("2026-11-22T19:24:48.042271672Z");
        assertThat(GoFormat.rfc3339Nano(Instant.parse("2026-11-22T19:24:48.500Z")))
                .isEqualTo("2026-11-22T19:24:48.5Z");
        assertThat(GoFormat.rfc3339Nano(Instant.parse("2026-11-22T19:24:48Z"))).isEqualTo("2026-11-22T19:24:48Z");
        assertThat(GoFormat.rfc3339Nano(Instant.parse("2026-01-02T03:04:05.000000100Z")))
                .isEqualTo("2026-01-02T03:04:05.0000001Z");
        assertThat(GoFormat.rfc3339Nano(Instant.parse("2026-11-23T11:46:14.70136543Z")))
                .isEqualTo("2026-11-23T11:46:14.70136543Z");
        // Go's Z07:00 for a non-UTC zone.
        assertThat(GoFormat.rfc3339Nano(t, ZoneOffset.ofHoursMinutes(5, 30)))
                .isEqualTo("2026-11-23T00:54:48.042271672+05:30");
        assertThat(GoFormat.rfc3339Nano(t, ZoneOffset.ofHours(-8))).isEqualTo("2026-11-22T11:24:48.042271672-08:00");
    }

    @Test
    void jsonFloatsAsGoWritesThem() {
        assertThat(GoFormat.jsonFloat(0)).isEqualTo("0");
        assertThat(GoFormat.jsonFloat(1.0)).isEqualTo("1");
        assertThat(GoFormat.jsonFloat(2)).isEqualTo("2");
        assertThat(GoFormat.jsonFloat(100)).isEqualTo("100");
        assertThat(GoFormat.jsonFloat(0.1)).isEqualTo("0.1");
        assertThat(GoFormat.jsonFloat(20.9)).isEqualTo("20.9");
        assertThat(GoFormat.jsonFloat(0.7142857142857143)).isEqualTo("0.7142857142857143");
        assertThat(GoFormat.jsonFloat(1.0 / 3)).isEqualTo("0.3333333333333333");
        assertThat(GoFormat.jsonFloat(123456789.0)).isEqualTo("123456789");
        assertThat(GoFormat.jsonFloat(0.000001)).isEqualTo("0.000001");
        assertThat(GoFormat.jsonFloat(1e20)).isEqualTo("100000000000000000000");
        assertThat(GoFormat.jsonFloat(1e-7)).isEqualTo("1e-7");
        assertThat(GoFormat.jsonFloat(1.5e-10)).isEqualTo("1.5e-10");
        assertThat(GoFormat.jsonFloat(1e21)).isEqualTo("1e+21");
        assertThat(GoFormat.jsonFloat(-2.5)).isEqualTo("-2.5");
    }

    @Test
    void strconvErrorsReadLikeGo() throws Exception {
        assertThat(GoFormat.atoi("42")).isEqualTo(42);
        assertThat(GoFormat.atoi("+5")).isEqualTo(5);
        assertThat(GoFormat.atoi("-5")).isEqualTo(-5);
        assertThat(GoFormat.atoi("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(GoFormat.atoi("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> GoFormat.atoi("x"))
                .hasMessage("strconv.Atoi: parsing \"x\": invalid syntax");
        assertThatThrownBy(() -> GoFormat.atoi("1_000"))
                .hasMessage("strconv.Atoi: parsing \"1_000\": invalid syntax");
        assertThatThrownBy(() -> GoFormat.atoi("99999999999999999999"))
                .hasMessage("strconv.Atoi: parsing \"99999999999999999999\": value out of range");
        assertThatThrownBy(() -> GoFormat.atoi("9223372036854775808"))
                .hasMessage("strconv.Atoi: parsing \"9223372036854775808\": value out of range");
        assertThat(GoFormat.parseUint("18446744073709551615")).isEqualTo(-1L);
        assertThatThrownBy(() -> GoFormat.parseUint("-1"))
                .hasMessage("strconv.ParseUint: parsing \"-1\": invalid syntax");
        assertThatThrownBy(() -> GoFormat.parseUint("18446744073709551616"))
                .hasMessage("strconv.ParseUint: parsing \"18446744073709551616\": value out of range");
        for (String t : new String[] {"1", "t", "T", "TRUE", "true", "True"}) {
            assertThat(GoFormat.parseBool(t)).isTrue();
        }
        for (String f : new String[] {"0", "f", "F", "FALSE", "false", "False"}) {
            assertThat(GoFormat.parseBool(f)).isFalse();
        }
        assertThatThrownBy(() -> GoFormat.parseBool("yes"))
                .hasMessage("strconv.ParseBool: parsing \"yes\": invalid syntax");
        assertThatThrownBy(() -> GoFormat.parseBool("tRUE"))
                .hasMessage("strconv.ParseBool: parsing \"tRUE\": invalid syntax");
    }

    @Test
    void goQuote() {
        assertThat(GoFormat.quote("maybe")).isEqualTo("\"maybe\"");
        assertThat(GoFormat.quote("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\n\"");
        assertThat(GoFormat.quote("\u0001\u007f")).isEqualTo("\"\\x01\\x7f\"");
        assertThat(GoFormat.quote("µé")).isEqualTo("\"µé\"");
        assertThat(GoFormat.quote("\u00a0")).isEqualTo("\"\\u00a0\"");
    }
}
