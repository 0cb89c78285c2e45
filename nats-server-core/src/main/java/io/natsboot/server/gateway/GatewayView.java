package io.natsboot.server.gateway;

import java.time.Instant;
import java.util.List;

/**
 * One gateway connection as monitoring shows it (/gatewayz): the remote, the connection figures and, per account,
 * the interest mode.
 */
public record GatewayView(long gid, String remoteName, String remoteId, boolean configured, String host, int port,
                          Instant start, Instant lastActivity, long rttNanos, long inMsgs, long inBytes, long outMsgs,
                          long outBytes, long pendingBytes, int subscriptions, List<AccountMode> accounts) {

    /** An account's interest mode on the connection ({@code accounts} of /gatewayz?accs=1). */
    public record AccountMode(String name, String mode, boolean noInterest, int noInterestCount, int subscriptions) {
    }
}
