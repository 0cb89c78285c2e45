package io.natsboot.server.log;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Netty's own warnings and errors in the standalone server's log ({@code [WRN]}/{@code [ERR]} lines, prefixed
 * {@code Netty:}); its debug, trace and info messages are off, as nats-server has no such lines.
 *
 * <p>Why not Netty's JDK-logging factory: the first {@code java.util.logging} logger initialises the JDK's logging
 * back end, which looks for a {@code System.LoggerFinder} service with a class-path {@code ServiceLoader}: every jar
 * on the class path is opened and its manifest read (28 jars, 20-40 ms while the engine starts, before the first
 * client gets INFO).
 */
public final class NettyLogging extends InternalLoggerFactory {
    /** Until the server's log is open, stderr. */
    private static volatile ServerLog target;

    NettyLogging() {
    }

    /**
     * Netty's loggers come from this factory from now on: before any Netty class is initialised, as each keeps the
     * logger it got in a static field.
     */
    public static void install() {
        InternalLoggerFactory.setDefaultFactory(new NettyLogging());
    }

    /** Where Netty's warnings and errors go (the server's log, which follows its reloads). */
    public static void logTo(ServerLog log) {
        target = log;
    }

    @Override
    protected InternalLogger newInstance(String name) {
        return new Logger(name);
    }

    private static void line(String level, String msg) {
        ServerLog log = target;
        if (log == null) {
            System.err.println("[" + level + "] Netty: " + msg);
        } else if (level.equals("WRN")) {
            log.warn("Netty: " + msg);
        } else {
            log.error("Netty: " + msg);
        }
    }

    /**
     * SLF4J-style {@code {}} placeholders filled in order; a last argument that is a {@link Throwable} and has no
     * placeholder of its own is appended with its stack trace, as Netty's other back ends do.
     */
    static String format(String pattern, Object... args) {
        if (pattern == null) {
            pattern = "null";
        }
        StringBuilder b = new StringBuilder(pattern.length() + 32);
        int used = 0;
        int from = 0;
        int at;
        while (used < args.length && (at = pattern.indexOf("{}", from)) >= 0) {
            b.append(pattern, from, at).append(args[used++]);
            from = at + 2;
        }
        b.append(pattern, from, pattern.length());
        if (used < args.length && args[args.length - 1] instanceof Throwable t) {
            b.append(": ").append(stackTrace(t));
        }
        return b.toString();
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString().stripTrailing();
    }

    private static final class Logger extends AbstractInternalLogger {
        private static final long serialVersionUID = 1L;

        Logger(String name) {
            super(name);
        }

        private static void warnLine(String msg) {
            line("WRN", msg);
        }

        private static void errorLine(String msg) {
            line("ERR", msg);
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public void trace(String msg) {
        }

        @Override
        public void trace(String format, Object arg) {
        }

        @Override
        public void trace(String format, Object argA, Object argB) {
        }

        @Override
        public void trace(String format, Object... arguments) {
        }

        @Override
        public void trace(String msg, Throwable t) {
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public void debug(String msg) {
        }

        @Override
        public void debug(String format, Object arg) {
        }

        @Override
        public void debug(String format, Object argA, Object argB) {
        }

        @Override
        public void debug(String format, Object... arguments) {
        }

        @Override
        public void debug(String msg, Throwable t) {
        }

        @Override
        public boolean isInfoEnabled() {
            return false;
        }

        @Override
        public void info(String msg) {
        }

        @Override
        public void info(String format, Object arg) {
        }

        @Override
        public void info(String format, Object argA, Object argB) {
        }

        @Override
        public void info(String format, Object... arguments) {
        }

        @Override
        public void info(String msg, Throwable t) {
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public void warn(String msg) {
            warnLine(format(msg));
        }

        @Override
        public void warn(String format, Object arg) {
            warnLine(format(format, arg));
        }

        @Override
        public void warn(String format, Object... arguments) {
            warnLine(format(format, arguments));
        }

        @Override
        public void warn(String format, Object argA, Object argB) {
            warnLine(format(format, argA, argB));
        }

        @Override
        public void warn(String msg, Throwable t) {
            warnLine(format(msg, t));
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        public void error(String msg) {
            errorLine(format(msg));
        }

        @Override
        public void error(String format, Object arg) {
            errorLine(format(format, arg));
        }

        @Override
        public void error(String format, Object argA, Object argB) {
            errorLine(format(format, argA, argB));
        }

        @Override
        public void error(String format, Object... arguments) {
            errorLine(format(format, arguments));
        }

        @Override
        public void error(String msg, Throwable t) {
            errorLine(format(msg, t));
        }
    }
}
