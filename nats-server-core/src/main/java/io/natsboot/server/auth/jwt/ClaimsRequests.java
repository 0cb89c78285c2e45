package io.natsboot.server.auth.jwt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * The full resolver's requests on the system account, as plain methods (request bytes in, response bytes out),
 * ready for the system account's internal client to call: {@code $SYS.REQ.CLAIMS.UPDATE},
 * {@code $SYS.REQ.ACCOUNT.<acc>.CLAIMS.UPDATE}, {@code $SYS.REQ.ACCOUNT.<acc>.CLAIMS.LOOKUP},
 * {@code $SYS.REQ.CLAIMS.LIST}, {@code $SYS.REQ.CLAIMS.DELETE}. Answers have nats-server 2.9.10's shapes: {@code {"data":...,"server":{...}}} or
 * {@code {"error":{...},"server":{...}}}; a lookup answers with the JWT itself, or not at all.
 */
public final class ClaimsRequests {
    public static final String UPDATE = "$SYS.REQ.CLAIMS.UPDATE";
    public static final String LIST = "$SYS.REQ.CLAIMS.LIST";
    public static final String DELETE = "$SYS.REQ.CLAIMS.DELETE";
    private static final String ACCOUNT_PREFIX = "$SYS.REQ.ACCOUNT.";

    private final OperatorMode mode;
    private final java.util.function.Consumer<String> debugLog;
    private final java.util.function.Consumer<String> errorLog;
    private final Supplier<String> serverJson;

    /**
     * @param debugLog   server-level debug lines ("jwt updated - ..."), errorLog the error lines
     * @param serverJson the {@code "server"} object of answers (name, host, id, ver, seq, jetstream, time), made
     *                   fresh for each answer by whoever sends it
     */
    public ClaimsRequests(OperatorMode mode, java.util.function.Consumer<String> debugLog,
            java.util.function.Consumer<String> errorLog, Supplier<String> serverJson) {
        this.mode = mode;
        this.debugLog = debugLog;
        this.errorLog = errorLog;
        this.serverJson = serverJson;
    }

    /** The subjects to subscribe to (wildcards for the per-account ones); empty if the resolver takes no updates. */
    public List<String> subjects() {
        if (!mode.resolver().acceptsUpdates()) {
            return List.of();
        }
        return List.of(UPDATE, LIST, DELETE, ACCOUNT_PREFIX + "*.CLAIMS.UPDATE", ACCOUNT_PREFIX + "*.CLAIMS.LOOKUP");
    }

    /** Answers a request on {@code subject}; null = no answer (as nats-server for an unknown account's lookup). */
    public byte[] handle(String subject, byte[] payload) {
        if (subject.equals(UPDATE)) {
            return update(null, payload);
        }
        if (subject.equals(LIST)) {
            return list();
        }
        if (subject.equals(DELETE)) {
            return delete(payload);
        }
        if (subject.startsWith(ACCOUNT_PREFIX)) {
            String rest = subject.substring(ACCOUNT_PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot > 0) {
                String account = rest.substring(0, dot);
                String op = rest.substring(dot + 1);
                if (op.equals("CLAIMS.UPDATE")) {
                    return update(account, payload);
                }
                if (op.equals("CLAIMS.LOOKUP")) {
                    return lookup(account);
                }
            }
        }
        return null;
    }

    /**
     * Stores a new account JWT: {@code account} is the subject's account (null for CLAIMS.UPDATE), which the JWT
     * must be for. Connected clients of the account see the new claims at once (revocations, limits).
     */
    public byte[] update(String account, byte[] payload) {
        String jwt = new String(payload, StandardCharsets.UTF_8).strip();
        String subject;
        try {
            subject = AccountClaims.decode(jwt).subject();
        } catch (JwtException e) {
            return updateError(account == null ? "n/a" : account, e.getMessage());
        }
        if (account != null && !account.equals(subject)) {
            return updateError(account, "subject does not match jwt content");
        }
        try {
            mode.update(jwt);
        } catch (IOException e) {
            return updateError(subject, e.getMessage());
        }
        debugLog.accept("jwt updated - " + subject);
        return answer("\"data\":{\"account\":\"" + subject + "\",\"code\":200,\"message\":\"jwt updated\"}");
    }

    private byte[] updateError(String account, String why) {
        String description = "jwt update resulted in error - " + why;
        errorLog.accept("jwt update resulted in error - " + account + " - " + why);
        StringBuilder b = new StringBuilder("\"error\":{\"account\":\"").append(account)
                .append("\",\"code\":500,\"description\":");
        io.natsboot.server.protocol.Json.quote(b, description);
        return answer(b.append('}').toString());
    }

    /**
     * Deletes the accounts listed ({@code "accounts"} in the claims) by a generic JWT that a trusted operator key
     * signed for itself; the full resolver with {@code allow_delete} only. nats-server's checks in its order.
     */
    public byte[] delete(byte[] payload) {
        Jwt jwt;
        try {
            jwt = Jwt.decode(new String(payload, StandardCharsets.UTF_8).strip());
        } catch (JwtException e) {
            return deleteError("", e.getMessage());
        }
        String by = jwt.subject() == null ? "" : jwt.subject();
        if (!mode.resolver().allowsDelete()) {
            return deleteError(by, "delete must be enabled in server config");
        }
        if (!by.equals(jwt.issuer())) {
            return deleteError(by, "not self signed");
        }
        if (!mode.isTrustedIssuer(jwt.issuer())) {
            return deleteError(by, "not trusted");
        }
        List<String> keys = Claims.strings(jwt.nats(), "accounts");
        if (keys == null) {
            return deleteError(by, "malformed request");
        }
        try {
            mode.delete(keys);
        } catch (IOException e) {
            return deleteError(by, e.getMessage());
        }
        String message = "deleted " + keys.size() + " accounts";
        debugLog.accept(message);
        return answer("\"data\":{\"code\":200,\"message\":\"" + message + "\"}");
    }

    private byte[] deleteError(String by, String why) {
        String description = "delete accounts request by " + by + " failed - " + why;
        errorLog.accept(description);
        StringBuilder b = new StringBuilder("\"error\":{\"code\":500,\"description\":");
        io.natsboot.server.protocol.Json.quote(b, description);
        return answer(b.append('}').toString());
    }

    /** The account's JWT as stored, or null (no answer) when this server does not hold it. */
    public byte[] lookup(String account) {
        try {
            return mode.resolver().fetch(account).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** The keys of all stored accounts, sorted. */
    public byte[] list() {
        List<String> keys;
        try {
            keys = mode.resolver().list();
        } catch (IOException e) {
            keys = List.of();
        }
        StringBuilder data = new StringBuilder("\"data\":[");
        for (int i = 0; i < keys.size(); i++) {
            data.append(i == 0 ? "" : ",").append('"').append(keys.get(i)).append('"');
        }
        return answer(data.append(']').toString());
    }

    private byte[] answer(String body) {
        return ("{" + body + ",\"server\":" + serverJson.get() + "}").getBytes(StandardCharsets.UTF_8);
    }
}
