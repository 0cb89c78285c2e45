package io.natsboot.server.monitor;

/** The {@code state} filter of /connz. */
public enum ConnState {
    OPEN, CLOSED, ALL
}
