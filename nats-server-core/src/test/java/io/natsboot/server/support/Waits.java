package io.natsboot.server.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waiting on a condition (Awaitility), never sleeping then asserting: checked at once, then every 10 ms, up
 * to a bound that only matters when the condition never comes. Also the waits on spawned processes (the
 * reference nats-server, bin/nats-server, Prometheus): on what they wrote, failing at once if they exit.
 */
public final class Waits {
    private Waits() {
    }

    /** Awaitility with no initial delay and a 10 ms poll. */
    public static ConditionFactory upTo(Duration timeout) {
        return Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    /** As {@link #upTo(Duration)}, naming what is waited for in the timeout message. */
    public static ConditionFactory upTo(String what, Duration timeout) {
        return Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    /** Until {@code log} (written by {@code process}) contains {@code text}; fails with the log otherwise. */
    public static void forLogLine(Process process, Path log, String text, Duration timeout) {
        try {
            upTo(text + " in " + log, timeout).pollInterval(Duration.ofMillis(20))
                    .failFast("the process exited", () -> !process.isAlive() && !read(log).contains(text))
                    .until(() -> read(log).contains(text));
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "; log:\n" + read(log), e);
        }
    }

    /** Until {@code file} exists (e.g. a ports file); fails at once if {@code process} exits first. */
    public static void forFile(Process process, Path file, Duration timeout, Path log) {
        try {
            upTo(file + " written", timeout).pollInterval(Duration.ofMillis(20))
                    .failFast("the process exited", () -> !process.isAlive() && !Files.exists(file))
                    .until(() -> Files.exists(file));
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "; log:\n" + read(log), e);
        }
    }

    /** The file's text, or "" while it does not exist yet. */
    public static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
