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
    /** The full resolvers' sync: a store's hash in, its JWTs out (queue group {@link #PACK_QUEUE}). */
    public static final String PACK = "$SYS.REQ.CLAIMS.PACK";
    public static final String PACK_QUEUE = "responder";
    private static final String ACCOUNT_PREFIX = "$SYS.REQ.ACCOUNT.";
    /** The update subject of nats-server before 2.2, still taken. */
    private static final String OLD_ACCOUNT_PREFIX = "$SYS.ACCOUNT.";

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
        if (!isFull()) { // a cache answers no lookups: it is not where accounts come from
            return List.of(UPDATE, LIST, DELETE, OLD_ACCOUNT_PREFIX + "*.CLAIMS.UPDATE", ACCOUNT_PREFIX + "*.CLAIMS.UPDATE");
        }
        return List.of(UPDATE, LIST, DELETE, OLD_ACCOUNT_PREFIX + "*.CLAIMS.UPDATE", ACCOUNT_PREFIX + "*.CLAIMS.UPDATE",
                ACCOUNT_PREFIX + "*.CLAIMS.LOOKUP");
    }

    /** Whether the resolver is {@code full} (it syncs with the other full ones and answers their lookups). */
    public boolean isFull() {
        return mode.resolver() instanceof DirResolver d && d.full();
    }

    /** The sync interval of the full resolver ({@code interval}, 1 minute unless set). */
    public java.time.Duration syncInterval() {
        return interval;
    }

    /** How long a lookup from the other servers may take ({@code timeout}, 1.9 s unless set). */
    public java.time.Duration fetchTimeout() {
        return fetchTimeout;
    }

    private java.time.Duration interval = java.time.Duration.ofMinutes(1);
    private java.time.Duration fetchTimeout = java.time.Duration.ofMillis(1900);

    /** Takes the resolver's {@code interval} and {@code timeout}. */
    public ClaimsRequests timing(TrustOptions.Resolver options) {
        if (options == null) {
            return this;
        }
        if (options.interval() != null && !options.interval().isZero()) {
            interval = options.interval();
        }
        if (options.timeout() != null && !options.timeout().isZero()) {
            fetchTimeout = options.timeout();
        }
        return this;
    }

    /** The payload of this server's periodic {@code $SYS.REQ.CLAIMS.PACK} request: its store's hash. */
    public byte[] packRequest() {
        byte[] hash = ((DirResolver) mode.resolver()).hash();
        debugLog.accept("DirResolver - Checking store state: " + hex(hash));
        return hash;
    }

    /**
     * The answers to another server's pack request carrying its store's hash: one message per JWT held
     * ({@code <key>|<jwt>}) then an empty one; only the empty one when the hashes are equal.
     */
    public List<byte[]> pack(byte[] theirHash) {
        DirResolver dir = (DirResolver) mode.resolver();
        byte[] ours = dir.hash();
        if (java.util.Arrays.equals(theirHash, ours)) {
            debugLog.accept("DirResolver - Pack request matches hash " + hex(ours));
            return List.of(new byte[0]);
        }
        List<byte[]> out = new java.util.ArrayList<>();
        try {
            for (String line : dir.packLines()) {
                out.add(line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            errorLog.accept("DirResolver - Pack request error: " + e.getMessage());
            return List.of(); // nats-server lets them time out
        }
        debugLog.accept("DirResolver - Pack request hash " + hex(theirHash) + " - finished responding with hash "
                + hex(ours));
        out.add(new byte[0]);
        return out;
    }

    /** One answer to this server's pack request: JWTs to merge, or the empty end of the answers. */
    public void packAnswer(byte[] payload) {
        DirResolver dir = (DirResolver) mode.resolver();
        byte[] before = dir.hash();
        if (payload.length == 0) {
            debugLog.accept("DirResolver - Merging finished and resulting in: " + hex(before));
            return;
        }
        try {
            mode.merge(new String(payload, StandardCharsets.UTF_8));
            debugLog.accept("DirResolver - Merging succeeded and changed " + hex(before) + " to " + hex(dir.hash()));
        } catch (IOException e) {
            errorLog.accept("DirResolver - Merging resulted in error: " + e.getMessage());
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
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
        if (subject.startsWith(OLD_ACCOUNT_PREFIX) && subject.endsWith(".CLAIMS.UPDATE")) {
            String account = subject.substring(OLD_ACCOUNT_PREFIX.length(), subject.length() - ".CLAIMS.UPDATE".length());
            return account.contains(".") ? null : update(account, payload);
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
            // a JWT that does not decode: the full resolver says "n/a", the cache the subject's account
            return updateError(account == null || isFull() ? "n/a" : account, e.getMessage());
        }
        if (account != null && !account.equals(subject)) {
            return updateError(account, "subject does not match jwt content");
        }
        if (!isFull() && !mode.inUse(subject)) {
            // nats-server's cache takes updates only for the accounts it has in use
            return updated(subject, "jwt update cache skipped");
        }
        try {
            mode.update(jwt);
        } catch (IOException e) {
            return updateError(subject, e.getMessage());
        }
        return updated(subject, isFull() ? "jwt updated" : "jwt updated cache");
    }

    private byte[] updated(String account, String message) {
        debugLog.accept(message + " - " + account);
        return answer("\"data\":{\"account\":\"" + account + "\",\"code\":200,\"message\":\"" + message + "\"}");
    }

    private byte[] updateError(String account, String why) {
        String message = isFull() ? "jwt update resulted in error" : "jwt update cache resulted in error";
        String description = message + " - " + why;
        errorLog.accept(message + " - " + account + " - " + why);
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
