package io.natsboot.server.system;

import io.natsboot.server.auth.jwt.ClaimsRequests;
import io.natsboot.server.auth.jwt.OperatorMode;
import io.natsboot.server.protocol.ServerId;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The directory resolvers on the system account, as nats-server's DirAccResolver and CacheDirAccResolver: the
 * claims requests ({@link ClaimsRequests}), and between the servers of a cluster
 * <ul>
 *   <li>the full resolver's sync: every {@code interval} it sends its store's hash on {@code $SYS.REQ.CLAIMS.PACK}
 *   (answered by one full resolver of the queue group {@code responder}); a server whose hash differs answers
 *   with its JWTs, which are merged (kept when newer), so a server that joins late catches up;</li>
 *   <li>the lookup on a miss (full and cache): an account this server does not hold is asked for on
 *   {@code $SYS.REQ.ACCOUNT.<acc>.CLAIMS.LOOKUP}, which the full resolvers answer with the JWT.</li>
 * </ul>
 * Answers arrive on this server's {@code $SYS._INBOX.<id>.} subjects.
 */
public final class ResolverSync {
    private final SystemAccount sys;
    private final ClaimsRequests claims;
    private final String inboxPrefix = "$SYS._INBOX." + ServerId.nuid().substring(0, 8) + ".";
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, CompletableFuture<String>> lookups = new ConcurrentHashMap<>();

    private ResolverSync(SystemAccount sys, ClaimsRequests claims) {
        this.sys = sys;
        this.claims = claims;
    }

    /** Subscribes the claims requests and, for a directory resolver, starts the sync and remote lookups. */
    public static void start(SystemAccount sys, ClaimsRequests claims, OperatorMode mode) {
        if (claims.subjects().isEmpty()) {
            return; // MEMORY and URL resolvers take nothing over $SYS
        }
        for (String subject : claims.subjects()) {
            sys.handleRaw(subject, claims::handle);
        }
        ResolverSync sync = new ResolverSync(sys, claims);
        sys.listen(sync.inboxPrefix + "*", sync::answer);
        if (claims.isFull()) {
            sys.handleStream(ClaimsRequests.PACK, ClaimsRequests.PACK_QUEUE, claims::pack);
            String packInbox = sync.inboxPrefix + "pack";
            sys.every(claims.syncInterval(), () -> sys.publishRaw(ClaimsRequests.PACK, packInbox, claims.packRequest()));
        }
        mode.remoteFetch(sync::lookup);
    }

    private void answer(String subject, byte[] payload) {
        if (subject.endsWith(".pack")) {
            claims.packAnswer(payload);
            return;
        }
        CompletableFuture<String> f = payload.length == 0 ? null : lookups.remove(subject);
        if (f != null) {
            f.complete(new String(payload, StandardCharsets.UTF_8));
        }
    }

    /** Asks the cluster for {@code account}'s JWT; the first answer wins, none in the fetch timeout fails. */
    private CompletableFuture<String> lookup(String account) {
        String reply = inboxPrefix + ids.incrementAndGet();
        CompletableFuture<String> f = new CompletableFuture<>();
        lookups.put(reply, f);
        sys.publishRaw("$SYS.REQ.ACCOUNT." + account + ".CLAIMS.LOOKUP", reply, new byte[0]);
        sys.after(claims.fetchTimeout(), () -> {
            if (lookups.remove(reply) != null) {
                f.completeExceptionally(new TimeoutException("fetching jwt timed out"));
            }
        });
        return f;
    }
}
