package io.natsboot.server;

import io.natsboot.server.log.ServerLog;

/**
 * One trapped signal: {@code sun.misc.Signal} (module jdk.unsupported, exported for this use) calls
 * {@link #handle} on its dispatch thread. A plain class rather than a reflective proxy, which would cost a
 * generated class and the class-file API on every start (docs/architecture.md, "Start-up").
 */
@SuppressWarnings("removal")
final class SignalTrap implements sun.misc.SignalHandler {
    private final String goName;
    private final Runnable action;
    private final ServerLog log;

    private SignalTrap(String goName, Runnable action, ServerLog log) {
        this.goName = goName;
        this.action = action;
        this.log = log;
    }

    @Override
    public void handle(sun.misc.Signal sig) {
        log.debug("Trapped \"" + goName + "\" signal");
        action.run();
    }

    /**
     * Installs the handler for {@code signal} (e.g. {@code "INT"}). Returns false where the JVM does not let
     * us (signal used by the VM, {@code -Xrs}), or when the process started with the signal ignored: HotSpot
     * then leaves a shutdown signal (HUP, INT, TERM) alone, where Go un-ignores it; bin/nats-server resets
     * such signals before exec (env --default-signal).
     */
    static boolean install(String signal, String goName, Runnable action, ServerLog log) {
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal(signal),
                    new SignalTrap(goName, action, log));
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                log.debug("SIG" + signal + " was ignored when the process started; it stays ignored");
                return false;
            }
            return true;
        } catch (RuntimeException | LinkageError e) {
            log.debug("Cannot trap SIG" + signal + ": " + e);
            return false;
        }
    }
}
