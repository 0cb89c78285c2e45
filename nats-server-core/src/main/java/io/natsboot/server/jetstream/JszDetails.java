package io.natsboot.server.jetstream;

import io.natsboot.server.goformat.GoFormat;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The {@code account_details} of /jsz as nats-server 2.9.10 writes them: the accounts with JetStream sorted by
 * name (or the one asked for by {@code acc}, unless {@code accounts} asks for all), paged by offset and limit; per account its usage, its limits as
 * {@code reserved_memory}/{@code reserved_storage} (Go's uint64 of them: -1 is 18446744073709551615) and API
 * counters; with streams, each stream's name, created time, cluster leader (this server), configuration when
 * asked, state, consumers (their info without configuration unless asked) and mirror/sources progress.
 */
final class JszDetails {
    private JszDetails() {
    }

    static List<Map<String, Object>> accounts(JetStream js, String account, boolean allAccounts, boolean streams,
            boolean consumers, boolean config, int offset, int limit, String leader) {
        // nats-server pages its accounts map (in map order, sorted only with an offset); sorted here always
        List<JsAccount> all = new ArrayList<>(js.accountList());
        all.sort(Comparator.comparing(a -> a.name));
        if (!allAccounts && account != null && !account.isEmpty()) {
            all.removeIf(a -> !a.name.equals(account));
        }
        if (offset > 0) {
            all = offset > all.size() ? List.of() : all.subList(offset, all.size());
        }
        if (limit > 0 && all.size() > limit) {
            all = all.subList(0, limit);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsAccount a : all) {
            out.add(account(js, a, streams, consumers, config, leader));
        }
        return out;
    }

    private static Map<String, Object> account(JetStream js, JsAccount a, boolean streams, boolean consumers,
            boolean config, String leader) {
        long[] u = js.usage(a);
        Map<String, Object> m = JsonOut.obj();
        m.put("name", a.name);
        m.put("id", a.name);
        m.put("memory", u[0]);
        m.put("storage", u[1]);
        m.put("reserved_memory", uint64(a.limits.maxMemory()));
        m.put("reserved_storage", uint64(a.limits.maxStore()));
        m.put("accounts", 0);
        m.put("ha_assets", 0);
        Map<String, Object> api = JsonOut.obj();
        api.put("total", a.apiTotal.get());
        api.put("errors", a.apiErrors.get());
        m.put("api", api);
        if (streams) {
            List<Object> details = new ArrayList<>();
            for (Stream s : a.streamList()) {
                details.add(stream(s, consumers, config, leader));
            }
            if (!details.isEmpty()) {
                m.put("stream_detail", details);
            }
        }
        return m;
    }

    private static Map<String, Object> stream(Stream s, boolean consumers, boolean config, String leader) {
        Map<String, Object> info = s.infoJson(null, false, true);
        Map<String, Object> m = JsonOut.obj();
        m.put("name", s.name());
        m.put("created", GoFormat.rfc3339NanoOrZero(s.created));
        Map<String, Object> cluster = JsonOut.obj();
        cluster.put("leader", leader);
        m.put("cluster", cluster);
        if (config) {
            m.put("config", info.get("config"));
        }
        m.put("state", info.get("state"));
        if (consumers) {
            List<Consumer> cs;
            synchronized (s) {
                cs = new ArrayList<>(s.consumers.values());
            }
            List<Object> details = new ArrayList<>();
            for (Consumer c : cs) {
                Map<String, Object> ci = c.infoJson();
                if (!config) {
                    ci.remove("config");
                }
                details.add(ci);
            }
            if (!details.isEmpty()) {
                m.put("consumer_detail", details);
            }
        }
        if (info.containsKey("mirror")) {
            m.put("mirror", info.get("mirror"));
        }
        if (info.containsKey("sources")) {
            m.put("sources", info.get("sources"));
        }
        return m;
    }

    private static Object uint64(long v) {
        return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
    }
}
