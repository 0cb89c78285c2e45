package io.natsboot.benchmarks;

import io.natsboot.server.log.ServerLog;

/** A log that drops everything, so benchmarks measure the engine rather than a console. */
final class SilentLog implements ServerLog {
    static final SilentLog INSTANCE = new SilentLog();

    private SilentLog() {
    }

    @Override
    public void info(String msg) {
    }

    @Override
    public void warn(String msg) {
    }

    @Override
    public void error(String msg) {
    }

    @Override
    public void fatal(String msg) {
    }

    @Override
    public void debug(String msg) {
    }

    @Override
    public void trace(String msg) {
    }

    @Override
    public boolean isDebug() {
        return false;
    }

    @Override
    public boolean isTrace() {
        return false;
    }
}
