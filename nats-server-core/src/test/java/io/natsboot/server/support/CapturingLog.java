package io.natsboot.server.support;

import io.natsboot.server.log.ServerLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A ServerLog that keeps every line ("[LVL] message") for assertions; debug and trace on. */
public final class CapturingLog implements ServerLog {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final boolean trace;

    public CapturingLog() {
        this(false);
    }

    public CapturingLog(boolean trace) {
        this.trace = trace;
    }

    public List<String> lines() {
        return lines;
    }

    public boolean contains(String fragment) {
        return lines.stream().anyMatch(l -> l.contains(fragment));
    }

    @Override public void info(String msg) { lines.add("[INF] " + msg); }
    @Override public void warn(String msg) { lines.add("[WRN] " + msg); }
    @Override public void error(String msg) { lines.add("[ERR] " + msg); }
    @Override public void fatal(String msg) { lines.add("[FTL] " + msg); }
    @Override public void debug(String msg) { lines.add("[DBG] " + msg); }
    @Override public void trace(String msg) { if (trace) { lines.add("[TRC] " + msg); } }
    @Override public boolean isDebug() { return true; }
    @Override public boolean isTrace() { return trace; }
}
