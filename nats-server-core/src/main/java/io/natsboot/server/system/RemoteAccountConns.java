package io.natsboot.server.system;

import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import io.natsboot.server.connection.OperatorAccounts;
import java.nio.charset.StandardCharsets;

/**
 * The JWT accounts' connections on the other servers of the cluster, from their account connection events
 * ({@code $SYS.ACCOUNT.<acc>.SERVER.CONNS}, each the count on one server) and their shutdown events, as
 * nats-server's remoteConnsUpdate: an account's connection limit counts them too.
 */
public final class RemoteAccountConns {
    private RemoteAccountConns() {
    }

    /** Listens on the system account for the other servers' counts (operator mode only). */
    public static void start(SystemAccount sys, OperatorAccounts accounts) {
        String self = sys.context().serverId();
        sys.listen("$SYS.ACCOUNT.*.SERVER.CONNS", (subject, payload) -> {
            try {
                JsonValue event = JsonParser.parse(new String(payload, StandardCharsets.UTF_8));
                JsonValue server = event.map.get("server");
                JsonValue id = server == null || server.map == null ? null : server.map.get("id");
                JsonValue acc = event.map.get("acc");
                JsonValue conns = event.map.get("conns");
                if (id == null || id.string == null || id.string.equals(self) || acc == null || acc.string == null) {
                    return;
                }
                accounts.remoteConnections(acc.string, id.string, conns == null || conns.number == null ? 0
                        : conns.number.intValue());
            } catch (Exception e) {
                sys.context().log().debug("Account connections event not understood: " + e.getMessage());
            }
        });
        sys.listen("$SYS.SERVER.*.SHUTDOWN", (subject, payload) -> {
            String id = subject.substring("$SYS.SERVER.".length(), subject.length() - ".SHUTDOWN".length());
            if (!id.equals(self)) {
                accounts.remoteServerGone(id);
            }
        });
    }
}
