package io.natsboot.server.jetstream;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.jetstream.store.StoreState;
import io.natsboot.server.jetstream.store.StoredMessage;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.subject.Subjects;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@code $JS.API.>} request handler: (subject, reply, headers, payload) in, JSON responses out through the
 * transport, as nats-server 2.9.10 answers them. Requests run one at a time on their own thread, off the
 * network threads; an unknown API subject, or a request for a subject form nats-server does not subscribe,
 * gets no answer at all, as there.
 */
public final class JetStreamApi {
    static final String PREFIX = "io.nats.jetstream.api.v1.";
    static final int NAMES_LIMIT = 1024;
    static final int LIST_LIMIT = 256;
    static final int MAX_SUBJECT_DETAILS = 100_000;
    private static final char[] NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JetStream js;
    private final ExecutorService executor;

    JetStreamApi(JetStream js) {
        this.js = js;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jetstream-api");
            t.setDaemon(true);
            return t;
        });
    }

    /** Entry point from the transport: queues the request. */
    void handle(JsAccount a, String subject, String reply, byte[] hdr, byte[] payload) {
        byte[] body = payload == null ? new byte[0] : payload;
        if (subject.startsWith("$JS.API.CONSUMER.MSG.NEXT.")) {
            // Pull requests are not queued behind slow administrative requests.
            next(a, subject, reply, body);
            return;
        }
        JetStreamTransport.Requester who = js.transport().requester();
        executor.execute(() -> {
            AUDIT.set(new Audit(subject, body, who));
            try {
                dispatch(a, subject, reply, hdr, body);
            } catch (RuntimeException e) {
                js.log().error("JetStream API request on " + subject + " failed: " + e);
            } finally {
                AUDIT.remove();
            }
        });
    }

    /** Handles one request now, on the caller's thread (tests and the executor). */
    public void handleNow(String account, String subject, String reply, byte[] hdr, byte[] payload) {
        JsAccount a = js.account(account);
        if (a != null) {
            dispatch(a, subject, reply, hdr, payload == null ? new byte[0] : payload);
        }
    }

    private void dispatch(JsAccount a, String subject, String reply, byte[] hdr, byte[] body) {
        String[] t = subject.split("\\.", -1);
        if (t.length < 3 || !t[0].equals("$JS") || !t[1].equals("API")) {
            return;
        }
        String op = t[2];
        int n = t.length;
        switch (op) {
            case "INFO" -> {
                if (n == 3) {
                    accountInfo(a, reply, body);
                }
            }
            case "STREAM" -> {
                if (n < 4) {
                    return;
                }
                switch (t[3]) {
                    case "CREATE" -> { if (n == 5) { streamCreate(a, t[4], reply, body); } }
                    case "UPDATE" -> { if (n == 5) { streamUpdate(a, t[4], reply, body); } }
                    case "INFO" -> { if (n == 5) { streamInfo(a, t[4], reply, body); } }
                    case "DELETE" -> { if (n == 5) { streamDelete(a, t[4], reply, body); } }
                    case "PURGE" -> { if (n == 5) { streamPurge(a, t[4], reply, body); } }
                    case "SNAPSHOT" -> { if (n == 5) { streamSnapshot(a, t[4], reply, body); } }
                    case "RESTORE" -> { if (n == 5) { streamRestore(a, t[4], reply, body); } }
                    case "NAMES" -> { if (n == 4) { streamNames(a, reply, body, false); } }
                    case "LIST" -> { if (n == 4) { streamNames(a, reply, body, true); } }
                    case "LEADER", "PEER" -> {
                        if (n == 6 && t[4].equals(t[3].equals("LEADER") ? "STEPDOWN" : "REMOVE")) {
                            sendError(a, reply, t[3].equals("LEADER") ? "stream_leader_stepdown_response"
                                    : "stream_remove_peer_response", ApiError.CLUSTER_REQUIRED);
                        }
                    }
                    case "MSG" -> {
                        if (n == 6 && t[4].equals("GET")) {
                            msgGet(a, t[5], reply, body);
                        } else if (n == 6 && t[4].equals("DELETE")) {
                            msgDelete(a, t[5], reply, body);
                        }
                    }
                    default -> { }
                }
            }
            case "CONSUMER" -> {
                if (n < 5) {
                    return;
                }
                switch (t[3]) {
                    case "CREATE" -> {
                        if (n == 5) {
                            consumerCreate(a, t[4], null, null, false, reply, body);
                        } else if (n >= 6) {
                            String filter = n > 6 ? String.join(".", java.util.Arrays.copyOfRange(t, 6, n)) : null;
                            consumerCreate(a, t[4], t[5], filter, false, reply, body);
                        }
                    }
                    case "DURABLE" -> {
                        if (n == 7 && t[4].equals("CREATE")) {
                            consumerCreate(a, t[5], t[6], null, true, reply, body);
                        }
                    }
                    case "INFO" -> { if (n == 6) { consumerInfo(a, t[4], t[5], reply, body); } }
                    case "DELETE" -> { if (n == 6) { consumerDelete(a, t[4], t[5], reply, body); } }
                    case "NAMES" -> { if (n == 5) { consumerNames(a, t[4], reply, body, false); } }
                    case "LIST" -> { if (n == 5) { consumerNames(a, t[4], reply, body, true); } }
                    case "MSG" -> { if (n == 7 && t[4].equals("NEXT")) { next(a, subject, reply, body); } }
                    case "LEADER" -> {
                        if (n == 7 && t[4].equals("STEPDOWN")) {
                            sendError(a, reply, "consumer_leader_stepdown_response", ApiError.CLUSTER_REQUIRED);
                        }
                    }
                    default -> { }
                }
            }
            case "DIRECT" -> {
                if (n >= 5 && t[3].equals("GET")) {
                    String lastBy = n > 5 ? String.join(".", java.util.Arrays.copyOfRange(t, 5, n)) : null;
                    directGet(a, t[4], lastBy, reply, body);
                }
            }
            default -> { }
        }
    }

    /**
     * A request in an account without JetStream: nats-server 2.9.10 answers every request form it subscribes
     * with 503/10039 and the fields that response type always carries (the clustered-only requests with 10010);
     * pull requests, direct gets, unknown subjects and other forms get nothing. In the system account only
     * INFO is answered.
     */
    void answerNotEnabled(String account, boolean system, String subject, String reply, byte[] request) {
        if (reply == null || reply.isEmpty()) {
            return;
        }
        String[] t = subject.split("\\.", -1);
        Object[] answer = system ? (t.length == 3 && t[2].equals("INFO") ? new Object[] {"account_info_response"} : null)
                : notEnabledAnswer(t);
        if (answer == null) {
            return;
        }
        Map<String, Object> m = response((String) answer[0]);
        boolean clustered = answer[0].toString().contains("stepdown") || answer[0].toString().contains("remove_peer");
        m.put("error", (clustered ? ApiError.CLUSTER_REQUIRED : ApiError.NOT_ENABLED_FOR_ACCOUNT).toJson());
        for (int i = 1; i + 1 < answer.length; i += 2) {
            m.put((String) answer[i], answer[i + 1]);
        }
        String json = JsonOut.write(m);
        js.transport().publish(account, reply, null, null, json.getBytes(StandardCharsets.UTF_8));
        audit(account, new Audit(subject, request, js.transport().requester()), json);
    }

    /** The response type and extra fields of a request form nats-server subscribes, or null. */
    private static Object[] notEnabledAnswer(String[] t) {
        int n = t.length;
        if (n < 3 || !t[0].equals("$JS") || !t[1].equals("API")) {
            return null;
        }
        Object[] paged = {"total", 0, "offset", 0, "limit", 0};
        switch (t[2]) {
            case "INFO":
                return n == 3 ? new Object[] {"account_info_response"} : null;
            case "STREAM":
                if (n < 4) {
                    return null;
                }
                switch (t[3]) {
                    case "CREATE": return n == 5 ? new Object[] {"stream_create_response"} : null;
                    case "UPDATE": return n == 5 ? new Object[] {"stream_update_response"} : null;
                    case "DELETE": return n == 5 ? new Object[] {"stream_delete_response"} : null;
                    case "SNAPSHOT": return n == 5 ? new Object[] {"stream_snapshot_response"} : null;
                    case "RESTORE": return n == 5 ? new Object[] {"stream_restore_response", "deliver_subject", ""} : null;
                    case "PURGE": return n == 5 ? new Object[] {"stream_purge_response", "purged", 0} : null;
                    case "INFO": return n == 5 ? with("stream_info_response", paged) : null;
                    case "NAMES": return n == 4 ? with("stream_names_response", paged, "streams", null) : null;
                    case "LIST": return n == 4 ? with("stream_list_response", paged, "streams", List.of()) : null;
                    case "MSG":
                        if (n == 6 && t[4].equals("GET")) {
                            return new Object[] {"stream_msg_get_response"};
                        }
                        return n == 6 && t[4].equals("DELETE") ? new Object[] {"stream_msg_delete_response"} : null;
                    case "LEADER":
                        return n == 6 && t[4].equals("STEPDOWN") ? new Object[] {"stream_leader_stepdown_response"} : null;
                    case "PEER":
                        return n == 6 && t[4].equals("REMOVE") ? new Object[] {"stream_remove_peer_response"} : null;
                    case "TEMPLATE":
                        if (n == 5 && t[4].equals("NAMES")) {
                            return with("stream_template_names_response", paged, "streams", null);
                        }
                        if (n == 6) {
                            switch (t[4]) {
                                case "CREATE": return new Object[] {"stream_template_create_response"};
                                case "INFO": return new Object[] {"stream_template_info_response"};
                                case "DELETE": return new Object[] {"stream_template_delete_response"};
                                default: return null;
                            }
                        }
                        return null;
                    default:
                        return null;
                }
            case "CONSUMER":
                if (n < 5) {
                    return null;
                }
                switch (t[3]) {
                    case "CREATE": return new Object[] {"consumer_create_response"};
                    case "DURABLE": return n == 7 && t[4].equals("CREATE") ? new Object[] {"consumer_create_response"} : null;
                    case "INFO": return n == 6 ? new Object[] {"consumer_info_response"} : null;
                    case "DELETE": return n == 6 ? new Object[] {"consumer_delete_response"} : null;
                    case "NAMES": return n == 5 ? with("consumer_names_response", paged, "consumers", List.of()) : null;
                    case "LIST": return n == 5 ? with("consumer_list_response", paged, "consumers", List.of()) : null;
                    case "LEADER":
                        return n == 7 && t[4].equals("STEPDOWN") ? new Object[] {"consumer_leader_stepdown_response"} : null;
                    default: return null;
                }
            default:
                return null;
        }
    }

    private static Object[] with(String type, Object[] paged, Object... more) {
        Object[] r = new Object[1 + paged.length + more.length];
        r[0] = type;
        System.arraycopy(paged, 0, r, 1, paged.length);
        System.arraycopy(more, 0, r, 1 + paged.length, more.length);
        return r;
    }

    // ---- responses ------------------------------------------------------------------------------------

    static Map<String, Object> response(String type) {
        Map<String, Object> m = JsonOut.obj();
        m.put("type", PREFIX + type);
        return m;
    }

    /** The request being handled on the API thread, for its audit advisory. */
    private record Audit(String subject, byte[] request, JetStreamTransport.Requester requester) {
    }

    private static final ThreadLocal<Audit> AUDIT = new ThreadLocal<>();
    static final String AUDIT_SUBJECT = "$JS.EVENT.ADVISORY.API";

    private void send(JsAccount a, String reply, Map<String, Object> resp) {
        a.apiTotal.incrementAndGet();
        if (resp.containsKey("error")) {
            a.apiErrors.incrementAndGet();
        }
        String json = JsonOut.write(resp);
        if (reply != null && !reply.isEmpty()) {
            js.transport().publish(a.name, reply, null, null, json.getBytes(StandardCharsets.UTF_8));
        }
        audit(a, json);
    }

    /**
     * nats-server's API audit advisory ({@code io.nats.jetstream.advisory.v1.api_audit} on
     * {@code $JS.EVENT.ADVISORY.API} in the account) for an answered request: the server's name, the requesting
     * client ({@code acc}, {@code rtt} when measured, {@code server}), the subject, the request body when there
     * was one and the response as a string. Built only while someone listens.
     */
    private void audit(JsAccount a, String response) {
        Audit audit = AUDIT.get();
        if (audit != null) {
            audit(a.name, audit, response);
        }
    }

    private void audit(String account, Audit audit, String response) {
        if (!js.transport().hasInterest(account, AUDIT_SUBJECT)) {
            return;
        }
        Map<String, Object> client = clientJson(account, audit.requester());
        List<Object> fields = new ArrayList<>(List.of("server", js.serverName(), "client", client, "subject",
                audit.subject()));
        if (audit.request() != null && audit.request().length > 0) {
            fields.add("request");
            fields.add(new String(audit.request(), StandardCharsets.UTF_8));
        }
        fields.add("response");
        fields.add(response);
        js.advisory(account, "API", "api_audit", fields.toArray());
    }

    /** The {@code client} object of advisories: the requester's account, its RTT when measured, this server. */
    private Map<String, Object> clientJson(String account, JetStreamTransport.Requester requester) {
        Map<String, Object> client = JsonOut.obj();
        client.put("acc", requester == null ? account : requester.account());
        if (requester != null && requester.rttNanos() > 0) {
            client.put("rtt", requester.rttNanos());
        }
        client.put("server", js.serverName());
        return client;
    }

    /** The client of the request being handled on this thread. */
    private Map<String, Object> requestClient(JsAccount a) {
        Audit audit = AUDIT.get();
        return clientJson(a.name, audit == null ? null : audit.requester());
    }

    /** The response of {@code type} with {@code error}, then {@code extra} fields nats-server always writes. */
    private void sendError(JsAccount a, String reply, String type, ApiError e, Object... extra) {
        Map<String, Object> m = response(type);
        m.put("error", e.toJson());
        for (int i = 0; i + 1 < extra.length; i += 2) {
            m.put((String) extra[i], extra[i + 1]);
        }
        send(a, reply, m);
    }

    static boolean isEmptyRequest(byte[] body) {
        if (body.length == 0) {
            return true;
        }
        String s = new String(body, StandardCharsets.UTF_8);
        if (s.equals("{}")) {
            return true;
        }
        try {
            Object v = Json.parse(s);
            return v instanceof Map<?, ?> m && m.isEmpty();
        } catch (Json.JsonException e) {
            return false;
        }
    }

    // ---- account ----------------------------------------------------------------------------------------

    private void accountInfo(JsAccount a, String reply, byte[] body) {
        Map<String, Object> m = response("account_info_response");
        long[] u = js.usage(a);
        m.put("memory", u[0]);
        m.put("storage", u[1]);
        m.put("streams", a.streamList().size());
        m.put("consumers", u[2]);
        Map<String, AccountLimits> tiers = a.tiers;
        m.put("limits", limitsJson(tiers.isEmpty() ? a.limits : AccountLimits.ZERO));
        if (!js.options().domain().isEmpty()) {
            m.put("domain", js.options().domain());
        }
        Map<String, Object> api = JsonOut.obj();
        api.put("total", a.apiTotal.get());
        api.put("errors", a.apiErrors.get());
        m.put("api", api);
        if (!tiers.isEmpty()) {
            // per tier: the usage of the streams with that many replicas, and the tier's limits
            Map<String, Object> t = JsonOut.obj();
            for (Map.Entry<String, AccountLimits> e : new java.util.TreeMap<>(tiers).entrySet()) {
                long mem = 0, file = 0, streams = 0, consumers = 0;
                for (Stream st : a.streamList()) {
                    if (!e.getKey().equals("R" + st.config.replicas)) {
                        continue;
                    }
                    streams++;
                    long b = st.store.state().bytes();
                    if (st.config.storage == StreamConfig.Storage.MEMORY) {
                        mem += b;
                    } else {
                        file += b;
                    }
                    synchronized (st) {
                        consumers += st.consumers.size();
                    }
                }
                Map<String, Object> tier = JsonOut.obj();
                tier.put("memory", mem);
                tier.put("storage", file);
                tier.put("streams", streams);
                tier.put("consumers", consumers);
                tier.put("limits", limitsJson(e.getValue()));
                t.put(e.getKey(), tier);
            }
            m.put("tiers", t);
        }
        send(a, reply, m);
    }

    private static Map<String, Object> limitsJson(AccountLimits lim) {
        Map<String, Object> l = JsonOut.obj();
        l.put("max_memory", lim.maxMemory());
        l.put("max_storage", lim.maxStore());
        l.put("max_streams", lim.maxStreams());
        l.put("max_consumers", lim.maxConsumers());
        l.put("max_ack_pending", lim.maxAckPending());
        l.put("memory_max_stream_bytes", lim.memoryMaxStreamBytes());
        l.put("storage_max_stream_bytes", lim.storeMaxStreamBytes());
        l.put("max_bytes_required", lim.maxBytesRequired());
        return l;
    }

    // ---- streams ---------------------------------------------------------------------------------------

    private void streamCreate(JsAccount a, String name, String reply, byte[] body) {
        String type = "stream_create_response";
        StreamConfig cfg;
        try {
            cfg = StreamConfig.parse(JsonIn.parse(body));
        } catch (JsonIn.InvalidJson e) {
            sendError(a, reply, type, ApiError.INVALID_JSON);
            return;
        }
        if (!name.equals(cfg.name)) {
            sendError(a, reply, type, ApiError.STREAM_MISMATCH);
            return;
        }
        try {
            if (cfg.mirror != null) {
                if (!cfg.subjects.isEmpty()) {
                    throw ApiError.MIRROR_WITH_SUBJECTS.fail();
                }
                if (!cfg.sources.isEmpty()) {
                    throw ApiError.MIRROR_WITH_SOURCES.fail();
                }
                if (cfg.mirror.optStartSeq > 0 && cfg.mirror.optStartTime != null) {
                    throw ApiError.MIRROR_WITH_START_SEQ_AND_TIME.fail();
                }
            }
            if (cfg.name.contains("/") || cfg.name.contains("\\")) {
                throw ApiError.STREAM_NAME_PATH_SEPARATORS.fail();
            }
            AccountLimitCheck.streamCreate(js, a, cfg); // before the configuration's checks, as nats-server
            StreamConfigCheck.check(cfg, a::configOf);
            if (cfg.replicas > 1) {
                throw ApiError.STREAM_REPLICAS_NOT_SUPPORTED.fail();
            }
            Stream s;
            boolean created = false;
            synchronized (a) {
                s = a.streams.get(cfg.name);
                if (s != null) {
                    if (!s.config.equals(cfg)) {
                        throw ApiError.STREAM_NAME_EXIST.fail();
                    }
                } else {
                    if (cfg.sealed) {
                        throw ApiError.streamInvalidConfig("stream configuration for create can not be sealed").fail();
                    }
                    for (Stream other : a.streams.values()) {
                        for (String x : other.config.subjects) {
                            for (String y : cfg.subjects) {
                                if (SubjectOverlap.collide(x, y)) {
                                    throw ApiError.STREAM_SUBJECT_OVERLAP.fail();
                                }
                            }
                        }
                    }
                    try {
                        s = new Stream(js, a, cfg, Instant.now(), js.streamDir(a, cfg.name));
                        s.writeMeta();
                    } catch (IOException e) {
                        throw ApiError.streamCreate(e.getMessage()).fail();
                    }
                    a.streams.put(cfg.name, s);
                    created = true;
                }
            }
            Map<String, Object> m = response(type);
            m.putAll(s.infoJson(null, false));
            m.put("did_create", true);
            if (created) {
                js.advisory(a.name, "STREAM.CREATED." + cfg.name, "stream_action", "stream", cfg.name, "action", "create");
                s.subscribe();
                // Mirrors and sources fill after the answer, as nats-server's copy consumers do.
                Stream started = s;
                js.timer().execute(() -> js.pumpSources(started));
            }
            send(a, reply, m);
        } catch (ApiError.Failure f) {
            sendError(a, reply, type, f.error());
        }
    }

    private void streamUpdate(JsAccount a, String name, String reply, byte[] body) {
        String type = "stream_update_response";
        StreamConfig cfg;
        try {
            cfg = StreamConfig.parse(JsonIn.parse(body));
        } catch (JsonIn.InvalidJson e) {
            sendError(a, reply, type, ApiError.INVALID_JSON);
            return;
        }
        try {
            StreamConfigCheck.check(cfg, a::configOf);
            if (!name.equals(cfg.name)) {
                throw ApiError.STREAM_MISMATCH.fail();
            }
            Stream s = a.stream(name);
            if (s == null) {
                throw ApiError.STREAM_NOT_FOUND.fail();
            }
            StreamConfigCheck.checkUpdate(s.config, cfg);
            synchronized (a) {
                for (Stream other : a.streams.values()) {
                    if (other == s) {
                        continue;
                    }
                    for (String x : other.config.subjects) {
                        for (String y : cfg.subjects) {
                            if (SubjectOverlap.collide(x, y)) {
                                throw ApiError.STREAM_SUBJECT_OVERLAP.fail();
                            }
                        }
                    }
                }
            }
            AccountLimitCheck.streamUpdate(js, a, s.config, cfg);
            try {
                s.update(cfg);
            } catch (IOException e) {
                throw ApiError.streamUpdate(e.getMessage()).fail();
            }
            js.advisory(a.name, "STREAM.UPDATED." + name, "stream_action", "stream", name, "action", "modify");
            Map<String, Object> m = response(type);
            m.putAll(s.infoJson(null, false, false, true));
            js.timer().execute(() -> js.pumpSources(s));
            send(a, reply, m);
        } catch (ApiError.Failure f) {
            sendError(a, reply, type, f.error());
        }
    }

    private void streamInfo(JsAccount a, String name, String reply, byte[] body) {
        String type = "stream_info_response";
        String filter = null;
        boolean details = false;
        int offset = 0;
        if (!isEmptyRequest(body)) {
            try {
                JsonIn j = JsonIn.parse(body);
                details = j.bool("deleted_details");
                filter = j.str("subjects_filter");
                offset = j.i32("offset");
            } catch (JsonIn.InvalidJson e) {
                sendError(a, reply, type, ApiError.INVALID_JSON, "total", 0, "offset", 0, "limit", 0);
                return;
            }
        }
        Stream s = a.stream(name);
        if (s == null) {
            sendError(a, reply, type, ApiError.STREAM_NOT_FOUND, "total", 0, "offset", 0, "limit", 0);
            return;
        }
        Map<String, Object> m = response(type);
        Map<String, Object> info = s.infoJson(filter, details, true, true);
        int total = 0;
        int limit = 0;
        if (filter != null && !filter.isEmpty()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> state = (Map<String, Object>) info.get("state");
            @SuppressWarnings("unchecked")
            Map<String, Object> subjects = (Map<String, Object>) state.get("subjects");
            total = subjects == null ? 0 : subjects.size();
            limit = MAX_SUBJECT_DETAILS;
            if (subjects != null && offset > 0) {
                Map<String, Object> paged = new LinkedHashMap<>();
                int i = 0;
                for (Map.Entry<String, Object> e : subjects.entrySet()) {
                    if (i++ >= offset) {
                        paged.put(e.getKey(), e.getValue());
                    }
                }
                state.put("subjects", paged);
            }
        } else {
            offset = 0;
        }
        m.put("total", total);
        m.put("offset", offset);
        m.put("limit", limit);
        m.putAll(info);
        send(a, reply, m);
    }

    private void streamDelete(JsAccount a, String name, String reply, byte[] body) {
        String type = "stream_delete_response";
        if (!isEmptyRequest(body)) {
            sendError(a, reply, type, ApiError.NOT_EMPTY_REQUEST);
            return;
        }
        Stream s;
        synchronized (a) {
            s = a.streams.remove(name);
        }
        if (s == null) {
            sendError(a, reply, type, ApiError.STREAM_NOT_FOUND);
            return;
        }
        List<String> consumerNames;
        synchronized (s) {
            consumerNames = new ArrayList<>(s.consumers.keySet());
        }
        s.stop(true);
        // nats-server 2.9.10 announces each consumer's deletion before the stream's.
        for (String c : consumerNames) {
            js.advisory(a.name, "CONSUMER.DELETED." + name + "." + c, "consumer_action", "stream", name,
                    "consumer", c, "action", "delete");
        }
        js.advisory(a.name, "STREAM.DELETED." + name, "stream_action", "stream", name, "action", "delete");
        Map<String, Object> m = response(type);
        m.put("success", true);
        send(a, reply, m);
    }

    private void streamPurge(JsAccount a, String name, String reply, byte[] body) {
        String type = "stream_purge_response";
        Stream s = a.stream(name);
        if (s == null) {
            sendError(a, reply, type, ApiError.STREAM_NOT_FOUND, "purged", 0);
            return;
        }
        String filter = "";
        long seq = 0;
        long keep = 0;
        if (!isEmptyRequest(body)) {
            try {
                JsonIn j = JsonIn.parse(body);
                filter = j.str("filter");
                seq = j.i64("seq");
                keep = j.i64("keep");
                if (seq < 0 || keep < 0) {
                    throw new JsonIn.InvalidJson("negative uint64");
                }
            } catch (JsonIn.InvalidJson e) {
                sendError(a, reply, type, ApiError.INVALID_JSON, "purged", 0);
                return;
            }
            if (seq > 0 && keep > 0) {
                sendError(a, reply, type, ApiError.BAD_REQUEST, "purged", 0);
                return;
            }
        }
        StreamConfig cfg = s.config;
        if (cfg.sealed) {
            sendError(a, reply, type, ApiError.STREAM_SEALED, "purged", 0);
            return;
        }
        if (cfg.denyPurge) {
            sendError(a, reply, type, ApiError.streamPurgeFailed("stream purge not permitted"), "purged", 0);
            return;
        }
        long purged = s.store.purge(filter, seq, keep);
        afterPurge(s, filter);
        Map<String, Object> m = response(type);
        m.put("success", true);
        m.put("purged", purged);
        send(a, reply, m);
    }

    // ---- snapshot and restore (StreamSnapshot, StreamRestore) --------------------------------------------

    /**
     * nats-server 2.9.10's checks in its order: empty request (bad request), stream, JSON, deliver subject (a
     * valid subject, wildcards allowed); then the snapshot runs on a thread of its own and answers from there.
     */
    private void streamSnapshot(JsAccount a, String name, String reply, byte[] body) {
        String type = "stream_snapshot_response";
        if (isEmptyRequest(body)) {
            sendError(a, reply, type, ApiError.BAD_REQUEST);
            return;
        }
        Stream s = a.stream(name);
        if (s == null) {
            sendError(a, reply, type, ApiError.STREAM_NOT_FOUND);
            return;
        }
        String deliver;
        int chunkSize;
        boolean noConsumers;
        boolean check;
        try {
            JsonIn j = JsonIn.parse(body);
            deliver = j.str("deliver_subject");
            noConsumers = j.bool("no_consumers");
            chunkSize = j.i32("chunk_size");
            check = j.bool("jsck");
        } catch (JsonIn.InvalidJson e) {
            sendError(a, reply, type, ApiError.INVALID_JSON);
            return;
        }
        if (deliver == null || !Subjects.isValidSubscribeSubject(deliver)) {
            sendError(a, reply, type, ApiError.SNAPSHOT_DELIVER_SUBJECT_INVALID);
            return;
        }
        Audit audit = AUDIT.get();
        StreamSnapshot snapshot = new StreamSnapshot(js, s, deliver, chunkSize, check, !noConsumers, requestClient(a));
        Thread t = new Thread(() -> {
            AUDIT.set(audit);
            try {
                snapshot.run(m -> send(a, reply, m));
            } catch (RuntimeException e) {
                js.log().error("JetStream snapshot of '" + a.name + " > " + name + "' failed: " + e);
            } finally {
                AUDIT.remove();
            }
        }, "jetstream-snapshot");
        t.setDaemon(true);
        t.start();
    }

    /**
     * A restore request's {@code state} is informational (the archive carries the real one) but must decode as
     * nats-server's stream state does, or the request is invalid JSON there.
     */
    private static void checkStateTypes(JsonIn state) {
        if (state == null) {
            return;
        }
        for (String k : new String[] {"messages", "bytes", "first_seq", "last_seq", "num_subjects", "num_deleted",
                "consumer_count"}) {
            if (state.i64(k) < 0) {
                throw new JsonIn.InvalidJson(k + ": negative uint64");
            }
        }
        state.time("first_ts");
        state.time("last_ts");
    }

    /**
     * nats-server 2.9.10's checks in its order: empty request, JSON, the configuration (the subject's name when
     * the configuration has none), account limits, a stream of that name (10130); then the upload starts.
     */
    private void streamRestore(JsAccount a, String name, String reply, byte[] body) {
        String type = "stream_restore_response";
        if (isEmptyRequest(body)) {
            sendError(a, reply, type, ApiError.BAD_REQUEST, "deliver_subject", "");
            return;
        }
        StreamConfig cfg;
        try {
            JsonIn j = JsonIn.parse(body);
            JsonIn c = j.obj("config");
            if (c == null) {
                c = JsonIn.parse("{}".getBytes(StandardCharsets.UTF_8));
            }
            if (c.str("name") == null || c.str("name").isEmpty()) {
                Map<String, Object> raw = new LinkedHashMap<>(c.raw());
                raw.put("name", name);
                c = JsonIn.parse(JsonOut.write(raw).getBytes(StandardCharsets.UTF_8));
            }
            cfg = StreamConfig.parse(c);
            checkStateTypes(j.obj("state"));
        } catch (JsonIn.InvalidJson e) {
            sendError(a, reply, type, ApiError.INVALID_JSON, "deliver_subject", "");
            return;
        }
        try {
            if (cfg.name.contains("/") || cfg.name.contains("\\")) {
                throw ApiError.STREAM_NAME_PATH_SEPARATORS.fail();
            }
            StreamConfigCheck.check(cfg, a::configOf);
            AccountLimitCheck.streamCreate(js, a, cfg);
            if (a.stream(cfg.name) != null) {
                throw ApiError.STREAM_NAME_EXIST_RESTORE_FAILED.fail();
            }
        } catch (ApiError.Failure f) {
            sendError(a, reply, type, f.error(), "deliver_subject", "");
            return;
        }
        String deliver;
        try {
            deliver = StreamRestore.start(js, a, cfg, requestClient(a));
        } catch (IOException e) {
            sendError(a, reply, type, new ApiError(500, 10072, "JetStream unable to open temp storage for restore"),
                    "deliver_subject", "");
            return;
        }
        Map<String, Object> m = response(type);
        m.put("deliver_subject", deliver);
        send(a, reply, m);
    }

    private static void afterPurge(Stream s, String filter) {
        s.drainRemoved();
        StoreState st = s.store.state();
        long fseq = st.msgs() == 0 ? st.lastSeq() + 1 : st.firstSeq();
        if (!filter.isEmpty()) {
            StoredMessage first = s.store.loadNext(filter, 0);
            fseq = first == null ? 0 : first.seq();
        }
        List<Consumer> cs;
        synchronized (s) {
            cs = new ArrayList<>(s.consumers.values());
        }
        for (Consumer c : cs) {
            if (c.purgeMatches(filter)) {
                c.purged(fseq, st.lastSeq());
            }
        }
    }

    void close() {
        executor.shutdownNow();
    }

    private void streamNames(JsAccount a, String reply, byte[] body, boolean list) {
        String type = list ? "stream_list_response" : "stream_names_response";
        int offset = 0;
        String filter = "";
        if (!isEmptyRequest(body)) {
            try {
                JsonIn j = JsonIn.parse(body);
                offset = j.i32("offset");
                filter = j.str("subject");
            } catch (JsonIn.InvalidJson e) {
                if (list) {
                    sendError(a, reply, type, ApiError.INVALID_JSON, "total", 0, "offset", 0, "limit", 0,
                            "streams", new ArrayList<>());
                } else {
                    sendError(a, reply, type, ApiError.INVALID_JSON, "total", 0, "offset", 0, "limit", 0,
                            "streams", null);
                }
                return;
            }
        }
        List<Stream> streams = new ArrayList<>();
        String f = filter;
        for (Stream s : a.streamList()) {
            if (f.isEmpty() || s.config.subjects.stream().anyMatch(x -> SubjectOverlap.collide(f, x))) {
                streams.add(s);
            }
        }
        int total = streams.size();
        offset = Math.max(0, Math.min(offset, total));
        int limit = list ? LIST_LIMIT : NAMES_LIMIT;
        List<Object> out = new ArrayList<>();
        for (Stream s : streams.subList(offset, total)) {
            if (out.size() >= limit) {
                break;
            }
            out.add(list ? s.infoJson(null, false, true, true) : s.name());
        }
        Map<String, Object> m = response(type);
        m.put("total", total);
        m.put("offset", offset);
        m.put("limit", limit);
        m.put("streams", out.isEmpty() && !list ? null : out);
        send(a, reply, m);
    }

    private void msgGet(JsAccount a, String name, String reply, byte[] body) {
        String type = "stream_msg_get_response";
        Stream s = a.stream(name);
        if (s == null) {
            sendError(a, reply, type, ApiError.STREAM_NOT_FOUND);
            return;
        }
        if (isEmptyRequest(body)) {
            sendError(a, reply, type, ApiError.BAD_REQUEST);
            return;
        }
        long seq;
        String last;
        String next;
        try {
            JsonIn j = JsonIn.parse(body);
            seq = j.i64("seq");
            last = j.str("last_by_subj");
            next = j.str("next_by_subj");
        } catch (JsonIn.InvalidJson e) {
            sendError(a, reply, type, ApiError.INVALID_JSON);
            return;
        }
        if ((seq > 0 && !last.isEmpty()) || (seq == 0 && last.isEmpty() && next.isEmpty())
                || (!next.isEmpty() && !last.isEmpty())) {
            sendError(a, reply, type, ApiError.BAD_REQUEST);
            return;
        }
        StoredMessage msg;
        if (!last.isEmpty()) {
            msg = s.store.loadLast(last);
        } else if (!next.isEmpty()) {
            msg = s.store.loadNext(next, seq);
        } else {
            msg = s.store.load(seq);
        }
        if (msg == null) {
            sendError(a, reply, type, ApiError.NO_MESSAGE_FOUND);
            return;
        }
        Map<String, Object> mm = JsonOut.obj();
        mm.put("subject", msg.subject());
        mm.put("seq", msg.seq());
        if (msg.headers().length > 0) {
            mm.put("hdrs", Base64.getEncoder().encodeToString(msg.headers()));
        }
        if (msg.data().length > 0) {
            mm.put("data", Base64.getEncoder().encodeToString(msg.data()));
        }
        mm.put("time", GoFormat.rfc3339NanoOfEpochNanos(msg.timestamp()));
        Map<String, Object> m = response(type);
        m.put("message", mm);
        send(a, reply, m);
    }

    private void msgDelete(JsAccount a, String name, String reply, byte[] body) {
        String type = "stream_msg_delete_response";
        Stream s = a.stream(name);
        if (s == null) {
            sendError(a, reply, type, ApiError.STREAM_NOT_FOUND);
            return;
        }
        if (isEmptyRequest(body)) {
            sendError(a, reply, type, ApiError.BAD_REQUEST);
            return;
        }
        long seq;
        try {
            JsonIn j = JsonIn.parse(body);
            seq = j.i64("seq");
            j.bool("no_erase");
        } catch (JsonIn.InvalidJson e) {
            sendError(a, reply, type, ApiError.INVALID_JSON);
            return;
        }
        StreamConfig cfg = s.config;
        if (cfg.sealed) {
            sendError(a, reply, type, ApiError.STREAM_SEALED);
            return;
        }
        if (cfg.denyDelete) {
            sendError(a, reply, type, ApiError.streamMsgDeleteFailed("message delete not permitted"));
            return;
        }
        if (seq != 0 && StreamSnapshot.running(s)) { // before the sequence's lookup, as nats-server's file store
            sendError(a, reply, type, ApiError.streamMsgDeleteFailed("snapshot in progress"));
            return;
        }
        if (!s.store.remove(seq)) {
            // Outside first..last the store has no such message; inside it was deleted before.
            StoreState st = s.store.state();
            if (seq < st.firstSeq() || seq > st.lastSeq() || st.msgs() == 0) {
                sendError(a, reply, type, ApiError.streamMsgDeleteFailed("no message found"));
            } else {
                sendError(a, reply, type, ApiError.sequenceNotFound(seq));
            }
            return;
        }
        List<Consumer> cs;
        synchronized (s) {
            cs = new ArrayList<>(s.consumers.values());
        }
        for (Consumer c : cs) {
            c.streamRemoved(seq);
        }
        Map<String, Object> m = response(type);
        m.put("success", true);
        send(a, reply, m);
    }

    private void directGet(JsAccount a, String name, String lastBySubject, String reply, byte[] body) {
        Stream s = a.stream(name);
        if (s == null || !s.config.allowDirect || reply == null || reply.isEmpty()) {
            return;
        }
        StoredMessage msg;
        if (lastBySubject != null) {
            if (body.length > 0) {
                js.transport().publish(a.name, reply, null, NatsHeaders.build("408 Bad Request"), new byte[0]);
                return;
            }
            msg = s.store.loadLast(lastBySubject);
        } else {
            if (body.length == 0) {
                js.transport().publish(a.name, reply, null, NatsHeaders.build("408 Empty Request"), new byte[0]);
                return;
            }
            long seq;
            String last;
            String next;
            try {
                JsonIn j = JsonIn.parse(body);
                seq = j.i64("seq");
                last = j.str("last_by_subj");
                next = j.str("next_by_subj");
            } catch (JsonIn.InvalidJson e) {
                js.transport().publish(a.name, reply, null, NatsHeaders.build("408 Malformed Request"), new byte[0]);
                return;
            }
            if ((seq > 0 && !last.isEmpty()) || (seq == 0 && last.isEmpty() && next.isEmpty())
                    || (!next.isEmpty() && !last.isEmpty())) {
                js.transport().publish(a.name, reply, null, NatsHeaders.build("408 Bad Request"), new byte[0]);
                return;
            }
            msg = !last.isEmpty() ? s.store.loadLast(last) : !next.isEmpty() ? s.store.loadNext(next, seq)
                    : s.store.load(seq);
        }
        if (msg == null) {
            js.transport().publish(a.name, reply, null, NatsHeaders.build("404 Message Not Found"), new byte[0]);
            return;
        }
        byte[] hdr = NatsHeaders.append(msg.headers(), NatsHeaders.kv("Nats-Stream", name, "Nats-Subject",
                msg.subject(), "Nats-Sequence", Long.toString(msg.seq()), "Nats-Time-Stamp",
                io.natsboot.server.goformat.GoFormat.timeString(msg.timestamp())));
        js.transport().publish(a.name, reply, null, hdr, msg.data());
    }

    // ---- consumers -------------------------------------------------------------------------------------

    private void consumerCreate(JsAccount a, String streamName, String consumerName, String filter, boolean durableApi,
                                String reply, byte[] body) {
        String type = "consumer_create_response";
        String reqStream;
        ConsumerConfig cfg;
        try {
            JsonIn j = JsonIn.parse(body);
            reqStream = j.str("stream_name");
            cfg = ConsumerConfig.parse(j.obj("config"));
        } catch (JsonIn.InvalidJson e) {
            sendError(a, reply, type, ApiError.INVALID_JSON);
            return;
        }
        try {
            if (!streamName.equals(reqStream)) {
                throw ApiError.STREAM_MISMATCH.fail();
            }
            if (durableApi) {
                if (cfg.durable.isEmpty()) {
                    throw ApiError.CONSUMER_DURABLE_NAME_NOT_SET.fail();
                }
                if (!consumerName.equals(cfg.durable)) {
                    throw ApiError.CONSUMER_DURABLE_NAME_NOT_MATCH_SUBJECT.fail();
                }
            } else if (consumerName == null) {
                if (!cfg.durable.isEmpty()) {
                    throw ApiError.CONSUMER_EPHEMERAL_WITH_DURABLE_NAME.fail();
                }
            } else {
                // 2.9.10: the name in the subject is the consumer's name; a durable name must equal it.
                if (!cfg.durable.isEmpty() && !consumerName.equals(cfg.durable)) {
                    throw ApiError.CONSUMER_DURABLE_NAME_NOT_MATCH_SUBJECT.fail();
                }
                if (cfg.durable.isEmpty()) {
                    cfg.name = consumerName;
                }
                if (filter != null && !filter.equals(cfg.filterSubject)) {
                    throw ApiError.CONSUMER_CREATE_FILTER_MISMATCH.fail();
                }
            }
            Stream s = a.stream(streamName);
            if (s == null) {
                throw ApiError.STREAM_NOT_FOUND.fail();
            }
            boolean unsetAckPending = cfg.maxAckPending == 0;
            ConsumerConfigCheck.defaults(cfg, consumerName == null || cfg.durable.isEmpty());
            AccountLimitCheck.consumerDefaults(a, s.config, cfg, unsetAckPending);
            ConsumerConfigCheck.check(cfg, s.config);
            AccountLimitCheck.consumer(a, s.config, cfg);
            Consumer c = addConsumer(s, cfg);
            Map<String, Object> m = response(type);
            m.putAll(c.infoJson());
            // The answer shows the consumer as created; deliveries start after it (as in nats-server).
            if (c.startOnce()) {
                js.advisory(a.name, "CONSUMER.CREATED." + streamName + "." + c.name, "consumer_action",
                        "stream", streamName, "consumer", c.name, "action", "create");
            }
            send(a, reply, m);
        } catch (ApiError.Failure f) {
            sendError(a, reply, type, f.error());
        }
    }

    private Consumer addConsumer(Stream s, ConsumerConfig cfg) {
        String name = !cfg.durable.isEmpty() ? cfg.durable : cfg.name;
        Consumer existing;
        Consumer c;
        synchronized (s) {
            existing = name.isEmpty() ? null : s.consumers.get(name);
            if (existing == null) {
                long max = AccountLimitCheck.maxConsumers(s.account, s.config);
                if (max > 0 && s.consumers.size() >= max) {
                    throw ApiError.MAXIMUM_CONSUMERS.fail();
                }
                ConsumerConfigCheck.checkWorkQueue(cfg, s);
                ConsumerConfigCheck.sampleFrequency(cfg.sampleFreq); // parsed when the consumer is made, as there
                if (name.isEmpty()) {
                    do {
                        name = randomName();
                    } while (s.consumers.containsKey(name));
                }
                Path dir = s.dir() == null || s.config.storage == StreamConfig.Storage.MEMORY ? null
                        : s.dir().resolve("obs").resolve(name);
                c = new Consumer(s, name, cfg, Instant.now(), dir);
                try {
                    c.writeMeta();
                } catch (IOException e) {
                    throw ApiError.consumerCreate(e.getMessage()).fail();
                }
                s.consumers.put(name, c);
            } else {
                c = null;
            }
        }
        if (existing != null) {
            if (existing.config.equals(cfg)) {
                return existing;
            }
            ConsumerConfigCheck.checkUpdate(existing.config, cfg,
                    !existing.config.deliverSubject.isEmpty()
                            && js.transport().hasInterest(s.account.name, existing.config.deliverSubject));
            try {
                existing.updateConfig(cfg);
            } catch (IOException e) {
                throw ApiError.consumerCreate(e.getMessage()).fail();
            }
            existing.signal();
            return existing;
        }
        return c;
    }

    private static String randomName() {
        char[] c = new char[8];
        for (int i = 0; i < c.length; i++) {
            c[i] = NAME_CHARS[RANDOM.nextInt(NAME_CHARS.length)];
        }
        return new String(c);
    }

    /**
     * The consumer an info or delete request names (its body must be empty), or null once the request was answered
     * with nats-server's error: not empty, stream not found, consumer not found, in that order.
     */
    private Consumer existingConsumer(JsAccount a, String streamName, String name, String reply, byte[] body,
            String type) {
        if (!isEmptyRequest(body)) {
            sendError(a, reply, type, ApiError.NOT_EMPTY_REQUEST);
            return null;
        }
        Stream s = a.stream(streamName);
        if (s == null) {
            sendError(a, reply, type, ApiError.STREAM_NOT_FOUND);
            return null;
        }
        Consumer c;
        synchronized (s) {
            c = s.consumers.get(name);
        }
        if (c == null) {
            sendError(a, reply, type, ApiError.CONSUMER_NOT_FOUND);
        }
        return c;
    }

    private void consumerInfo(JsAccount a, String streamName, String name, String reply, byte[] body) {
        String type = "consumer_info_response";
        Consumer c = existingConsumer(a, streamName, name, reply, body, type);
        if (c == null) {
            return;
        }
        Map<String, Object> m = response(type);
        m.putAll(c.infoJson());
        send(a, reply, m);
    }

    private void consumerDelete(JsAccount a, String streamName, String name, String reply, byte[] body) {
        String type = "consumer_delete_response";
        Consumer c = existingConsumer(a, streamName, name, reply, body, type);
        if (c == null) {
            return;
        }
        Stream s = c.stream();
        deleteConsumer(s, c);
        Map<String, Object> m = response(type);
        m.put("success", true);
        send(a, reply, m);
    }

    void deleteConsumer(Stream s, Consumer c) {
        synchronized (s) {
            if (s.consumers.get(c.name) != c) {
                return;
            }
            s.consumers.remove(c.name);
        }
        c.stop(true);
        js.advisory(s.account.name, "CONSUMER.DELETED." + s.name() + "." + c.name, "consumer_action",
                "stream", s.name(), "consumer", c.name, "action", "delete");
        s.recheckInterest();
    }

    private void consumerNames(JsAccount a, String streamName, String reply, byte[] body, boolean list) {
        String type = list ? "consumer_list_response" : "consumer_names_response";
        int offset = 0;
        if (!isEmptyRequest(body)) {
            try {
                offset = JsonIn.parse(body).i32("offset");
            } catch (JsonIn.InvalidJson e) {
                sendError(a, reply, type, ApiError.INVALID_JSON, "total", 0, "offset", 0, "limit", 0,
                        "consumers", new ArrayList<>());
                return;
            }
        }
        Stream s = a.stream(streamName);
        if (s == null) {
            sendError(a, reply, type, ApiError.STREAM_NOT_FOUND, "total", 0, "offset", 0, "limit", 0,
                    "consumers", new ArrayList<>());
            return;
        }
        List<Consumer> cs;
        synchronized (s) {
            cs = new ArrayList<>(s.consumers.values());
        }
        cs.removeIf(c -> c.config.direct); // mirrors' and sources' copy consumers are not listed
        int total = cs.size();
        offset = Math.max(0, Math.min(offset, total));
        int limit = list ? LIST_LIMIT : NAMES_LIMIT;
        List<Object> out = new ArrayList<>();
        for (Consumer c : cs.subList(offset, total)) {
            if (out.size() >= limit) {
                break;
            }
            out.add(list ? c.infoJson() : c.name);
        }
        Map<String, Object> m = response(type);
        m.put("total", total);
        m.put("offset", offset);
        m.put("limit", limit);
        m.put("consumers", out);
        send(a, reply, m);
    }

    private void next(JsAccount a, String subject, String reply, byte[] body) {
        String[] t = subject.split("\\.", -1);
        if (t.length != 7) {
            return;
        }
        Stream s = a.stream(t[5]);
        if (s == null) {
            return;
        }
        Consumer c;
        synchronized (s) {
            c = s.consumers.get(t[6]);
        }
        if (c == null) {
            return;
        }
        c.nextRequest(reply, body);
    }

    /** Whether a subject is one the API answers (for tests that look at coverage). */
    static boolean isApiSubject(String subject) {
        return Subjects.matches("$JS.API.>", subject);
    }

    StoreState stateOf(Stream s) {
        return s.store.state();
    }
}
