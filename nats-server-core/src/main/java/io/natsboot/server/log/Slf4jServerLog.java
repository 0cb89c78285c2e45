package io.natsboot.server.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * The server's log routed to SLF4J, for an application that embeds the server. Levels map one to one
 * (INF→info, WRN→warn, ERR→error, DBG→debug, TRC→trace); FTL goes to error with the {@link #FATAL} marker.
 * Messages are passed as literal text, never as SLF4J patterns, so a "{}" in a subject stays as it is.
 *
 * <p>Debug and trace are on when the SLF4J logger has the level enabled, and, with the gated constructor,
 * only if the server options ask for them too ({@code debug}/{@code trace}), as with nats-server's -D/-V:
 * protocol tracing is expensive, so a TRACE root level alone need not switch it on.
 */
public final class Slf4jServerLog implements ServerLog {

    /** The logger name used by {@link #Slf4jServerLog()}. */
    public static final String DEFAULT_LOGGER_NAME = "io.natsboot.server";

    /** Marker on the error events that nats-server would log as {@code [FTL]}. */
    public static final Marker FATAL = MarkerFactory.getMarker("FATAL");

    private final Logger logger;
    private final boolean debugAllowed;
    private final boolean traceAllowed;

    /** Logger {@value #DEFAULT_LOGGER_NAME}; debug and trace follow its levels. */
    public Slf4jServerLog() {
        this(LoggerFactory.getLogger(DEFAULT_LOGGER_NAME));
    }

    /** Debug and trace follow the logger's levels. */
    public Slf4jServerLog(Logger logger) {
        this(logger, true, true);
    }

    /**
     * Debug (trace) is on only when {@code debug} ({@code trace}) is true and the logger has the level
     * enabled.
     */
    public Slf4jServerLog(Logger logger, boolean debug, boolean trace) {
        if (logger == null) {
            throw new NullPointerException("logger");
        }
        this.logger = logger;
        this.debugAllowed = debug;
        this.traceAllowed = trace;
    }

    @Override
    public void info(String msg) {
        logger.info(msg);
    }

    @Override
    public void warn(String msg) {
        logger.warn(msg);
    }

    @Override
    public void error(String msg) {
        logger.error(msg);
    }

    @Override
    public void fatal(String msg) {
        logger.error(FATAL, msg);
    }

    @Override
    public void debug(String msg) {
        if (debugAllowed) {
            logger.debug(msg);
        }
    }

    @Override
    public void trace(String msg) {
        if (traceAllowed) {
            logger.trace(msg);
        }
    }

    @Override
    public boolean isDebug() {
        return debugAllowed && logger.isDebugEnabled();
    }

    @Override
    public boolean isTrace() {
        return traceAllowed && logger.isTraceEnabled();
    }

    public Logger logger() {
        return logger;
    }
}
