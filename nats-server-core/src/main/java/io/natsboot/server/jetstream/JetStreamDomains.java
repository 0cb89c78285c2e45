package io.natsboot.server.jetstream;

import io.natsboot.server.connection.Account;
import io.natsboot.server.subject.SubjectMappings;
import io.natsboot.server.subject.SubjectTransform;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JetStream domains (nats-server 2.9.10's generateJSMappingTable): a server with {@code jetstream { domain: D }}
 * maps {@code $JS.D.API.<part>} to its own API in every account with JetStream, so a client naming the domain
 * reaches this server's JetStream, locally or through a leaf connection that carries the mapping's interest. The KV
 * and object store shortcuts ({@code $JS.D.API.$KV.>}) map to their direct subjects.
 */
public final class JetStreamDomains {
    /** The API parts nats-server maps, in a fixed order (nats-server's own order is its map's, random). */
    private static final String[][] PARTS = {
        {"INFO", "$JS.API.INFO"},
        {"STREAM.>", "$JS.API.STREAM.>"},
        {"CONSUMER.>", "$JS.API.CONSUMER.>"},
        {"DIRECT.>", "$JS.API.DIRECT.>"},
        {"META.>", "$JS.API.META.>"},
        {"SERVER.>", "$JS.API.SERVER.>"},
        {"ACCOUNT.>", "$JS.API.ACCOUNT.>"},
        {"$KV.>", "$KV.>"},
        {"$OBJ.>", "$OBJ.>"},
    };

    private JetStreamDomains() {
    }

    /** Source to destination of every mapping of {@code domain}. */
    public static Map<String, String> table(String domain) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String[] p : PARTS) {
            m.put("$JS." + domain + ".API." + p[0], p[1]);
        }
        return m;
    }

    /** The API prefix of a domain as clients use it ({@code $JS.D.API}). */
    public static String apiPrefix(String domain) {
        return domain == null || domain.isEmpty() ? "$JS.API" : "$JS." + domain + ".API";
    }

    /**
     * Adds {@code source -> destination} to the account's mappings (replacing one of the same source, as
     * nats-server's AddMapping does); false when the mapping is refused.
     */
    public static boolean addMapping(Account account, String source, String destination) {
        synchronized (account) {
            try {
                account.mappings(account.mappings().with(source, destination));
                return true;
            } catch (SubjectTransform.MappingException e) {
                return false;
            }
        }
    }

    /** Adds the domain's mappings the account does not have yet (nats-server keeps configured ones). */
    public static void addMissing(Account account, String domain) {
        Map<String, String> t = table(domain);
        synchronized (account) {
            for (SubjectMappings.Mapping m : account.mappings().mappings()) {
                t.remove(m.source());
            }
            t.forEach((src, dest) -> addMapping(account, src, dest));
        }
    }
}
