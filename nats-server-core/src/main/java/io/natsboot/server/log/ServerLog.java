package io.natsboot.server.log;

/**
 * The server's log, with nats-server's levels. The standalone launcher writes nats-server's
 * own line format ({@code [pid] date time [INF] msg}); an embedding application can route it
 * to SLF4J instead. Callers check {@link #isDebug()} / {@link #isTrace()} before building
 * expensive messages.
 */
public interface ServerLog {
    void info(String msg);

    void warn(String msg);

    void error(String msg);

    void fatal(String msg);

    void debug(String msg);

    void trace(String msg);

    boolean isDebug();

    boolean isTrace();
}
