package io.natsboot.server.system;

/** The server's own $SYS request handlers (nats-server 2.9.10's set), on the system account. */
final class SystemRequests {
    private final SystemAccount sys;

    SystemRequests(SystemAccount sys) {
        this.sys = sys;
    }

    void subscribe() {
        String id = sys.context().serverId();
        sys.handle("$SYS.REQ.SERVER.PING", r -> ApiResponse.statsz(sys.statsz()));
        sys.handle("$SYS.REQ.SERVER.PING.STATSZ", r -> ApiResponse.statsz(sys.statsz()));
        sys.handle("$SYS.REQ.SERVER." + id + ".STATSZ", r -> ApiResponse.statsz(sys.statsz()));
    }
}
