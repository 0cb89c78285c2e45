package io.natsboot.server.config;

import io.natsboot.server.subject.Subjects;
import java.util.Map;

/**
 * {@code default_js_domain} (nats-server 2.9.10's JsAccDefaultDomain, a backwards compatibility measure): account
 * name to JetStream domain for accounts without JetStream of their own. The start-up checks are here (nats-server's
 * validateJetStreamOptions); the effect on leaf connections is leaf/LeafJetStream's.
 */
public final class DefaultJsDomain {
    /** The warning nats-server logs after "Using configuration file" when the option is set. */
    public static final String WARNING =
            "The option `default_js_domain` is a temporary backwards compatibility measure and will be removed";

    private DefaultJsDomain() {
    }

    /** The message nats-server dies with at start for this option, or null when it is fine (or not set). */
    public static String startProblem(ServerOptions o) {
        Map<String, String> domains = o.jsAccDefaultDomain();
        if (domains.isEmpty()) {
            return null;
        }
        boolean operatorMode = o.trust() != null && !o.trust().operators().isEmpty();
        for (Map.Entry<String, String> e : domains.entrySet()) {
            String a = e.getKey();
            if (operatorMode) {
                if (!io.natsboot.server.auth.NKeys.isValidPublicKey(a, io.nats.client.NKey.Type.ACCOUNT)) {
                    return "default_js_domain contains account name \"" + a
                            + "\", which is not a valid public account nkey";
                }
                continue;
            }
            boolean found = a.equals("$G");
            if (!found) {
                for (AccountOptions acc : o.accounts()) {
                    if (acc.name().equals(a)) {
                        if (jetStreamEnabled(o, a) && !e.getValue().isEmpty()) {
                            return "default_js_domain contains account name \"" + a + "\" with enabled JetStream";
                        }
                        found = true;
                        break;
                    }
                }
            }
            if (!found) {
                return "in non operator mode, `default_js_domain` references non existing account \"" + a + "\"";
            }
        }
        String system = o.systemAccount() == null || o.systemAccount().isEmpty() ? "$SYS" : o.systemAccount();
        for (Map.Entry<String, String> e : domains.entrySet()) {
            if (e.getKey().equals(system)) {
                return "system account \"" + e.getKey() + "\" can not be in default_js_domain";
            }
            String d = e.getValue();
            if (!d.isEmpty() && !Subjects.isValidSubscribeSubject("$JS." + d + ".API")) {
                return "default_js_domain contains account \"" + e.getKey() + "\" with invalid domain name \"" + d
                        + "\"";
            }
        }
        return null;
    }

    private static boolean jetStreamEnabled(ServerOptions o, String account) {
        return o.jetstream() != null && o.jetstream().accounts().contains(account);
    }
}
