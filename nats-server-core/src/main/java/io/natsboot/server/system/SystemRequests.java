package io.natsboot.server.system;

import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.monitor.ConnState;
import io.natsboot.server.monitor.ConnzOptions;
import io.natsboot.server.monitor.FeatureViews;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.monitor.MonitorException;
import io.natsboot.server.monitor.SubszOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's own $SYS request handlers, nats-server 2.9.10's set (observed): every answer is built from the
 * {@link Monitor} snapshots that /varz, /connz... serve, wrapped in the {@code {"server":..,"data":..}} envelope.
 * <ul>
 *   <li>{@code $SYS.REQ.SERVER.PING} and {@code $SYS.REQ.SERVER.PING.<endpoint>}: answered by every server of the
 *       cluster (each subscribes); {@code $SYS.REQ.SERVER.<id>.<endpoint>}: this server only. Endpoints: STATSZ,
 *       VARZ, SUBSZ, CONNZ, ROUTEZ, GATEWAYZ, LEAFZ, ACCOUNTZ, JSZ, HEALTHZ (2.9.10 has no IDZ).</li>
 *   <li>{@code $SYS.REQ.ACCOUNT.<acc>.<endpoint>}: SUBSZ, CONNZ, LEAFZ, JSZ, INFO, STATZ, CONNS for one account;
 *       {@code $SYS.REQ.ACCOUNT.PING.STATZ} for all.</li>
 * </ul>
 * A JSON body holds the endpoint's options plus the server filter; a body that does not read is answered with
 * code 400, a failing endpoint with {@code "data":null} and code 500; a filtered-out server stays silent.
 */
final class SystemRequests {
    /** One endpoint: its answer for the options read (and the account of account requests, else null). */
    @FunctionalInterface
    private interface Endpoint {
        ApiResponse answer(RequestOptions o, String account) throws MonitorException;
    }

    /** Thrown by an endpoint that does not answer at all (nats-server's errSkipZreq). */
    private static final ApiResponse SKIP = ApiResponse.raw(new byte[0]);

    private static final Map<String, String> NONE = Map.of();
    private static final Map<String, String> CONNZ = fields("sort", "server.SortOpt", "auth", RequestOptions.BOOL,
            "subscriptions", RequestOptions.BOOL, "subscriptions_detail", RequestOptions.BOOL,
            "offset", RequestOptions.INT, "limit", RequestOptions.INT, "cid", RequestOptions.UINT64,
            "mqtt_client", RequestOptions.STRING, "state", "server.ConnState", "user", RequestOptions.STRING,
            "acc", RequestOptions.STRING, "filter_subject", RequestOptions.STRING);
    private static final Map<String, String> SUBSZ = fields("offset", RequestOptions.INT, "limit", RequestOptions.INT,
            "subscriptions", RequestOptions.BOOL, "account", RequestOptions.STRING, "test", RequestOptions.STRING);
    private static final Map<String, String> ROUTEZ = fields("subscriptions", RequestOptions.BOOL,
            "subscriptions_detail", RequestOptions.BOOL);
    private static final Map<String, String> GATEWAYZ = fields("name", RequestOptions.STRING,
            "accounts", RequestOptions.BOOL, "account_name", RequestOptions.STRING);
    private static final Map<String, String> LEAFZ = fields("subscriptions", RequestOptions.BOOL,
            "account", RequestOptions.STRING);
    private static final Map<String, String> ACCOUNTZ = fields("account", RequestOptions.STRING);
    private static final Map<String, String> ACCOUNT_STATZ = fields("accounts", RequestOptions.STRINGS,
            "include_unused", RequestOptions.BOOL);
    private static final Map<String, String> JSZ = fields("account", RequestOptions.STRING,
            "accounts", RequestOptions.BOOL, "streams", RequestOptions.BOOL, "consumer", RequestOptions.BOOL,
            "config", RequestOptions.BOOL, "leader_only", RequestOptions.BOOL, "offset", RequestOptions.INT,
            "limit", RequestOptions.INT, "raft", RequestOptions.BOOL);
    private static final Map<String, String> HEALTHZ = fields("js-enabled", RequestOptions.BOOL,
            "js-enabled-only", RequestOptions.BOOL, "js-server-only", RequestOptions.BOOL);

    private final SystemAccount sys;
    private final ServerContext context;
    private final Monitor monitor;

    SystemRequests(SystemAccount sys) {
        this.sys = sys;
        this.context = sys.context();
        this.monitor = sys.monitor();
    }

    private static Map<String, String> fields(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    void subscribe() {
        String id = context.serverId();
        // the first PING subject (statsz), kept by nats-server for older tools
        request("$SYS.REQ.SERVER.PING", "StatszEventOptions", NONE, (o, a) -> ApiResponse.statsz(sys.statsz()));
        server(id, "STATSZ", "StatszEventOptions", NONE, (o, a) -> ApiResponse.statsz(sys.statsz()));
        server(id, "VARZ", "VarzEventOptions", NONE, (o, a) -> ApiResponse.data(monitor.varz()));
        server(id, "SUBSZ", "SubszEventOptions", SUBSZ, (o, a) -> ApiResponse.data(monitor.subsz(
                new SubszOptions(o.bool("subscriptions"), o.number("offset"), o.number("limit"),
                        o.string("account"), o.string("test"))).full()));
        server(id, "CONNZ", "ConnzEventOptions", CONNZ, (o, a) -> ApiResponse.data(monitor.connz(connz(o, null))));
        server(id, "ROUTEZ", "RoutezEventOptions", ROUTEZ, (o, a) -> ApiResponse.data(
                monitor.routez(o.bool("subscriptions"), o.bool("subscriptions_detail"))));
        server(id, "GATEWAYZ", "GatewayzEventOptions", GATEWAYZ, (o, a) -> ApiResponse.data(
                monitor.gatewayz(o.bool("accounts"), o.string("name"), o.string("account_name"))));
        server(id, "LEAFZ", "LeafzEventOptions", LEAFZ, (o, a) -> ApiResponse.data(
                monitor.leafz(o.bool("subscriptions"), o.string("account"))));
        server(id, "ACCOUNTZ", "AccountzEventOptions", ACCOUNTZ, (o, a) -> ApiResponse.data(
                monitor.accountz(o.string("account"))));
        server(id, "JSZ", "JszEventOptions", JSZ, (o, a) -> {
            try {
                return ApiResponse.data(monitor.jsz(new io.natsboot.server.monitor.JetStreamView.JszOptions(
                        o.string("account"), o.bool("accounts"), o.bool("streams"), o.bool("consumer"),
                        o.bool("config"), o.bool("leader_only"), (int) o.number("offset"), (int) o.number("limit"))));
            } catch (MonitorException e) {
                return SKIP; // leader_only without JetStream: not the leader, no answer
            }
        });
        server(id, "HEALTHZ", "HealthzEventOptions", HEALTHZ, (o, a) -> ApiResponse.data(monitor.healthz()));

        account("SUBSZ", "SubszEventOptions", SUBSZ, (o, a) -> ApiResponse.data(monitor.subsz(
                new SubszOptions(true, o.number("offset"), o.number("limit"), a, o.string("test"))).full()));
        account("CONNZ", "ConnzEventOptions", CONNZ, (o, a) -> ApiResponse.data(monitor.connz(connz(o, a))));
        account("LEAFZ", "LeafzEventOptions", LEAFZ, (o, a) -> ApiResponse.data(
                monitor.leafz(o.bool("subscriptions"), a)));
        account("JSZ", "JszEventOptions", JSZ, (o, a) -> {
            if (monitor.jetStreamView() == null) {
                return ApiResponse.failed(500, "jetstream not enabled");
            }
            Map<String, Object> detail = monitor.jszAccount(a, o.bool("streams"), o.bool("consumer"),
                    o.bool("config"));
            if (detail == null) {
                // nats-server 2.9.10's texts (%q of the name)
                return ApiResponse.failed(500, "account " + io.natsboot.server.goformat.GoFormat.quote(a)
                        + (context.account(a) == null ? " not found" : " not jetstream enabled"));
            }
            return ApiResponse.data(w -> w.tree(detail));
        });
        account("INFO", "AccInfoEventOptions", NONE, (o, a) -> {
            FeatureViews.Accountz z = monitor.accountz(a);
            return ApiResponse.data(z.accountDetail());
        });
        account("STATZ", "AccountStatzEventOptions", ACCOUNT_STATZ, (o, a) -> {
            if (a.equals("PING")) {
                return SKIP; // the PING subject has its own handler
            }
            return accountStatz(List.of(a), o.bool("include_unused"));
        });
        request("$SYS.REQ.ACCOUNT.PING.STATZ", "AccountStatzEventOptions", ACCOUNT_STATZ,
                (o, a) -> accountStatz(o.strings("accounts"), o.bool("include_unused")));
        sys.handle("$SYS.REQ.ACCOUNT.*.CONNS", r -> {
            Account acc = context.account(token(r.subject(), 3));
            return acc == null ? null : sys.connsAnswer(acc);
        });
    }

    /** /connz options from a body; {@code account} (of an account request) wins over the body's {@code acc}. */
    private static ConnzOptions connz(RequestOptions o, String account) {
        long state = o.number("state");
        ConnState s = state == 1 ? ConnState.CLOSED : state == 2 ? ConnState.ALL : ConnState.OPEN;
        return new ConnzOptions(o.string("sort"), o.bool("auth"), o.bool("subscriptions"),
                o.bool("subscriptions_detail"), o.number("offset"), o.number("limit"), o.number("cid"), s,
                o.string("user"), account != null ? account : o.string("acc"), o.string("mqtt_client"),
                o.string("filter_subject"));
    }

    /**
     * nats-server's AccountStatz: the named accounts (all when none) with connections here, or all of them with
     * {@code include_unused}; no answer when that leaves nothing and unused ones were not asked for.
     */
    private ApiResponse accountStatz(List<String> names, boolean unused) {
        FeatureViews.AccountStatz all = monitor.accstatz(true);
        List<FeatureViews.AccountStat> out = new ArrayList<>();
        if (names.isEmpty()) {
            for (FeatureViews.AccountStat s : all.accounts()) {
                if (unused || s.conns() > 0) {
                    out.add(s);
                }
            }
        } else {
            for (String n : names) {
                for (FeatureViews.AccountStat s : all.accounts()) {
                    if (s.acc().equals(n) && (unused || s.conns() > 0)) {
                        out.add(s);
                    }
                }
            }
        }
        if (out.isEmpty() && !unused) {
            return SKIP;
        }
        return ApiResponse.data(new FeatureViews.AccountStatz(all.serverId(), all.now(), out));
    }

    /** The PING subject (all servers) and this server's own subject of one endpoint. */
    private void server(String id, String name, String struct, Map<String, String> fields, Endpoint e) {
        request("$SYS.REQ.SERVER.PING." + name, struct, fields, e);
        request("$SYS.REQ.SERVER." + id + "." + name, struct, fields, e);
    }

    private void account(String name, String struct, Map<String, String> fields, Endpoint e) {
        request("$SYS.REQ.ACCOUNT.*." + name, struct, fields, e);
    }

    /** nats-server's zReq: read the body, apply the filter, answer with data or an error. */
    private void request(String subject, String struct, Map<String, String> fields, Endpoint e) {
        boolean perAccount = subject.startsWith("$SYS.REQ.ACCOUNT.*.");
        sys.handle(subject, r -> {
            if (r.reply() == null) {
                return null;
            }
            RequestOptions o;
            try {
                o = RequestOptions.parse(r.payload(), struct, fields);
            } catch (RequestOptions.BadRequest bad) {
                return ApiResponse.error(400, bad.getMessage());
            }
            if (o.excludes(context)) {
                return null;
            }
            ApiResponse answer;
            try {
                answer = e.answer(o, perAccount ? token(r.subject(), 3) : null);
            } catch (MonitorException m) {
                return ApiResponse.failed(500, m.getMessage());
            }
            return answer == SKIP ? null : answer;
        });
    }

    private static String token(String subject, int index) {
        return subject.split("\\.", -1)[index];
    }
}
