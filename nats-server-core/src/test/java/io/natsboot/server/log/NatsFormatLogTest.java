package io.natsboot.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ServerOptions;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.Marker;

/** Line format observed from nats-server 2.9.10 (protocol reference §6.1). */
class NatsFormatLogTest {

    private static final Instant T = Instant.parse("2026-11-22T19:23:46.594360Z");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private NatsFormatLog log(boolean logTime, boolean colors, boolean debug, boolean trace) {
        return NatsFormatLog.toStream(out, 7439, logTime, colors, debug, trace, Clock.fixed(T, ZoneOffset.UTC));
    }

    private String text() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void lineWithTime() {
        log(true, false, false, false).info("127.0.0.1:57834 - rid:4 - Route connection created");
        assertThat(text()).isEqualTo(
                "[7439] 2026/11/22 19:23:46.594360 [INF] 127.0.0.1:57834 - rid:4 - Route connection created\n");
    }

    @Test
    void lineWithoutTime() {
        log(false, false, false, false).info("Starting nats-server");
        assertThat(text()).isEqualTo("[7439] [INF] Starting nats-server\n");
    }

    @Test
    void everyLevelLabel() {
        NatsFormatLog log = log(false, false, true, true);
        log.info("i");
        log.warn("w");
        log.error("e");
        log.fatal("f");
        log.debug("d");
        log.trace("t");
        assertThat(text()).isEqualTo("[7439] [INF] i\n[7439] [WRN] w\n[7439] [ERR] e\n"
                + "[7439] [FTL] f\n[7439] [DBG] d\n[7439] [TRC] t\n");
    }

    @Test
    void coloredLabelsAsNatsServerOnATerminal() {
        NatsFormatLog log = log(true, true, true, true);
        log.info("i");
        log.warn("w");
        log.error("e");
        log.fatal("f");
        log.debug("d");
        log.trace("t");
        String p = "[7439] 2026/11/22 19:23:46.594360 ";
        assertThat(text()).isEqualTo(p + "[\u001b[32mINF\u001b[0m] i\n"
                + p + "[\u001b[0;93mWRN\u001b[0m] w\n"
                + p + "[\u001b[31mERR\u001b[0m] e\n"
                + p + "[\u001b[31mFTL\u001b[0m] f\n"
                + p + "[\u001b[36mDBG\u001b[0m] d\n"
                + p + "[\u001b[33mTRC\u001b[0m] t\n");
    }

    @Test
    void debugAndTraceAreOffByDefaultAndCanBeToggled() {
        NatsFormatLog log = log(false, false, false, false);
        log.debug("d1");
        log.trace("t1");
        assertThat(text()).isEmpty();
        assertThat(log.isDebug()).isFalse();
        assertThat(log.isTrace()).isFalse();
        log.setDebug(true);
        log.setTrace(true);
        assertThat(log.isDebug()).isTrue();
        assertThat(log.isTrace()).isTrue();
        log.debug("d2");
        log.trace("t2");
        log.setTrace(false);
        log.trace("t3");
        assertThat(text()).isEqualTo("[7439] [DBG] d2\n[7439] [TRC] t2\n");
    }

    @Test
    void localTimeWithMicrosecondsZeroPadded() {
        Instant t = Instant.parse("2026-01-02T03:04:05.000007999Z");
        NatsFormatLog log = NatsFormatLog.toStream(out, 1, true, false, false, false,
                Clock.fixed(t, ZoneId.of("Asia/Kolkata")));
        log.info("x");
        assertThat(text()).isEqualTo("[1] 2026/01/02 08:34:05.000007 [INF] x\n");
    }

    @Test
    void utcIsRecognisedWithoutLoadingZoneData() {
        for (String utc : new String[] {"UTC", "Etc/UTC", "/usr/share/zoneinfo/Etc/UTC", "../usr/share/zoneinfo/UTC",
                "GMT", "Etc/GMT", "GMT0", "UCT", "Universal", "Zulu", "Etc/Greenwich", "UTC0"}) {
            assertThat(NatsFormatLog.LocalOffset.isUtcName(utc)).as(utc).isTrue();
        }
        for (String other : new String[] {"Europe/Paris", "/usr/share/zoneinfo/America/New_York", "Etc/GMT+1",
                "", "CET", "UTC+1"}) {
            assertThat(NatsFormatLog.LocalOffset.isUtcName(other)).as(other).isFalse();
        }
    }

    @Test
    void otherZonesGoThroughTheJdkTimeZone() {
        NatsFormatLog.LocalOffset kolkata =
                new NatsFormatLog.LocalOffset.OfTimeZone(java.util.TimeZone.getTimeZone("Asia/Kolkata"));
        assertThat(kolkata.seconds(T)).isEqualTo(5 * 3600 + 1800);
        NatsFormatLog.LocalOffset paris =
                new NatsFormatLog.LocalOffset.OfTimeZone(java.util.TimeZone.getTimeZone("Europe/Paris"));
        assertThat(paris.seconds(Instant.parse("2026-07-01T00:00:00Z"))).isEqualTo(7200); // summer time
        assertThat(paris.seconds(T)).isEqualTo(3600);
    }

    @Test
    void theTimeFollowsTheClockAcrossSeconds() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T23:59:59.999999Z"));
        NatsFormatLog log = NatsFormatLog.toStream(out, 1, true, false, false, false, clock);
        log.info("a");
        clock.now = Instant.parse("2026-11-23T00:00:00.000001Z");
        log.info("b");
        assertThat(text()).isEqualTo("[1] 2026/11/22 23:59:59.999999 [INF] a\n[1] 2026/11/23 00:00:00.000001 [INF] b\n");
    }

    @Test
    void aTrailingNewlineIsNotDoubledAndInnerOnesStay() {
        NatsFormatLog log = log(false, false, false, false);
        log.info("a\n");
        log.info("b\nc");
        log.info("");
        assertThat(text()).isEqualTo("[7439] [INF] a\n[7439] [INF] b\nc\n[7439] [INF] \n");
    }

    @Test
    void messagesAreUtf8() {
        log(false, false, false, false).info("caf\u00e9 \u65e5\u672c \ud83d\ude00");
        assertThat(text()).isEqualTo("[7439] [INF] caf\u00e9 \u65e5\u672c \ud83d\ude00\n");
    }

    @Test
    void longMessages() {
        String big = "x".repeat(200_000);
        NatsFormatLog log = log(false, false, false, false);
        log.info(big);
        log.info("after");
        assertThat(text()).isEqualTo("[7439] [INF] " + big + "\n[7439] [INF] after\n");
    }

    @Test
    void linesFromManyThreadsNeverInterleave() throws Exception {
        NatsFormatLog log = NatsFormatLog.toStream(out, 42, true, false, true, true, Clock.systemUTC());
        int threads = 8;
        int perThread = 2000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    if (i % 2 == 0) {
                        log.trace("thread " + id + " line " + i + " " + "y".repeat(i % 97));
                    } else {
                        log.info("thread " + id + " line " + i);
                    }
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        String[] lines = text().split("\n", -1);
        assertThat(lines).hasSize(threads * perThread + 1);
        assertThat(lines[lines.length - 1]).isEmpty();
        Pattern shape = Pattern.compile(
                "\\[42] \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} \\[(INF|TRC)] thread \\d line \\d+( y*)?");
        for (int i = 0; i < lines.length - 1; i++) {
            assertThat(lines[i]).matches(shape);
        }
    }

    @Test
    void fileLogAppendsAndReopens(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nats.log");
        Files.writeString(file, "old\n");
        NatsFormatLog log = NatsFormatLog.toFile(file, false, false, false);
        assertThat(log.isFileLog()).isTrue();
        log.info("one");
        // What logrotate does: move the file away, then ask for a reopen.
        Path rotated = dir.resolve("nats.log.1");
        Files.move(file, rotated);
        log.info("two");
        assertThat(log.reopen()).isTrue();
        log.info("three");
        log.close();
        String pid = "[" + ProcessHandle.current().pid() + "] ";
        assertThat(Files.readString(rotated)).isEqualTo("old\n" + pid + "[INF] one\n" + pid + "[INF] two\n");
        assertThat(Files.readString(file)).isEqualTo(pid + "[INF] three\n");
    }

    @Test
    void newFileLogHasNatsServersMode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("new.log");
        NatsFormatLog.toFile(file, true, false, false).close();
        // 0660 before the umask, as nats-server: never readable by others.
        assertThat(Files.getPosixFilePermissions(file))
                .doesNotContain(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE)
                .contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void forOptionsPicksTheFileAndTheSwitches(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("opts.log");
        ServerOptions o = ServerOptions.builder().logFile(file.toString()).logTime(false).debug(true).build();
        try (NatsFormatLog log = NatsFormatLog.forOptions(o)) {
            assertThat(log.isDebug()).isTrue();
            assertThat(log.isTrace()).isFalse();
            log.debug("hello");
        }
        assertThat(Files.readString(file)).isEqualTo("[" + ProcessHandle.current().pid() + "] [DBG] hello\n");
    }

    @Test
    void stderrLogDoesNotReopen() throws Exception {
        NatsFormatLog log = NatsFormatLog.toStderr(true, false, false);
        assertThat(log.isFileLog()).isFalse();
        assertThat(log.reopen()).isFalse();
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** {@link Slf4jServerLog}, checked against a recording {@link Logger}. */
    @Nested
    class Slf4jAdapter {
        private final List<String> calls = new ArrayList<>();
        private boolean debugEnabled = true;
        private boolean traceEnabled = true;

        private Logger recorder() {
            return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                    (proxy, m, args) -> {
                        switch (m.getName()) {
                            case "isDebugEnabled":
                                return debugEnabled;
                            case "isTraceEnabled":
                                return traceEnabled;
                            case "getName":
                                return "rec";
                            default:
                                if (m.getReturnType() == boolean.class) {
                                    return true;
                                }
                                StringBuilder sb = new StringBuilder(m.getName());
                                for (Object a : args == null ? new Object[0] : args) {
                                    sb.append(' ').append(a instanceof Marker ? "<" + ((Marker) a).getName() + ">" : a);
                                }
                                calls.add(sb.toString());
                                return null;
                        }
                    });
        }

        @Test
        void levelsMapOneToOneAndFatalIsAMarkedError() {
            Slf4jServerLog log = new Slf4jServerLog(recorder());
            log.info("i {}");
            log.warn("w");
            log.error("e");
            log.fatal("f");
            log.debug("d");
            log.trace("t");
            assertThat(calls).containsExactly("info i {}", "warn w", "error e", "error <FATAL> f", "debug d", "trace t");
        }

        @Test
        void debugAndTraceNeedTheLoggerLevelAndTheServerSwitch() {
            debugEnabled = false;
            Slf4jServerLog follow = new Slf4jServerLog(recorder());
            assertThat(follow.isDebug()).isFalse();
            assertThat(follow.isTrace()).isTrue();

            Slf4jServerLog gated = new Slf4jServerLog(recorder(), true, false);
            assertThat(gated.isDebug()).isFalse();
            assertThat(gated.isTrace()).isFalse();
            gated.trace("not sent");
            assertThat(calls).isEmpty();
            debugEnabled = true;
            assertThat(gated.isDebug()).isTrue();
        }
    }
}
