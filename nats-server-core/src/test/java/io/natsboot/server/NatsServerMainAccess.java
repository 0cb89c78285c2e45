package io.natsboot.server;

import java.io.PrintStream;

/** Test access to {@link NatsServerMain#run} from other packages (-t checks without a process). */
public final class NatsServerMainAccess {
    private NatsServerMainAccess() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return NatsServerMain.run(args, out, err);
    }
}
