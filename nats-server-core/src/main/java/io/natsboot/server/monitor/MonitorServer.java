package io.natsboot.server.monitor;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.config.Versions;
import io.natsboot.server.log.ServerLog;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import io.netty.handler.ssl.SslContext;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import io.natsboot.server.connection.IoLoops;

/**
 * The monitoring HTTP endpoint (nats-server's {@code -m / http_port}), on Reactor Netty's
 * {@link HttpServer} with its own single event loop, so building large answers never delays the
 * client event loops. Serves {@code /}, {@code /varz}, {@code /connz}, {@code /routez},
 * {@code /subsz} ({@code /subscriptionsz}), {@code /healthz}, {@code /gatewayz}, {@code /leafz},
 * {@code /accountz}, {@code /accstatz}, {@code /jsz}, {@code /stacksz} and {@code /ipqueuesz}
 * like nats-server 2.9: any method, pretty JSON (compact for /healthz), JSONP with
 * {@code ?callback=}, 400 plain text for bad parameters, 404 for anything else.
 */
public final class MonitorServer {
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    /** The dashboard page served on {@code /}, read once from the classpath. */
    private static final String DASHBOARD = loadDashboard();

    private final Monitor monitor;
    /** Server TLS for https_port; null = plain HTTP. */
    private final SslContext tls;
    private final String host;
    private final int port;
    private final ServerLog log;
    private IoLoops loops;
    private volatile DisposableServer server;

    /**
     * A monitor endpoint on {@code host:port}; port 0 or -1 binds an ephemeral port
     * (see {@link #port()} once started).
     */
    public MonitorServer(Monitor monitor, String host, int port, ServerLog log) {
        this(monitor, host, port, log, null);
    }

    /** Over TLS when {@code tls} is not null (nats-server's https_port). */
    public MonitorServer(Monitor monitor, String host, int port, ServerLog log, SslContext tls) {
        this.monitor = monitor;
        this.host = host;
        this.port = port;
        this.log = log;
        this.tls = tls;
    }

    /** Binds and logs {@code Starting http monitor on <host>:<port>}, as nats-server does. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        loops = new IoLoops("nats-http", 1, true);
        HttpServer http = HttpServer.create()
                .host(host)
                .port(Math.max(port, 0))
                .runOn(loops)
                .handle(this::handle);
        if (tls != null) {
            http = http.secure(spec -> spec.sslContext(tls))
                    // Go's HTTPS server answers a plain HTTP request with this 400 instead of a handshake error.
                    .doOnChannelInit((obs, ch, addr) -> ch.pipeline().addFirst("nats-https-plaintext",
                            new PlaintextOnHttpsHandler()));
        }
        server = http.bindNow(Duration.ofSeconds(10));
        int bound = port();
        if (tls != null) {
            monitor.httpsEndpoint(host, bound);
        } else {
            monitor.httpEndpoint(host, bound);
        }
        log.info("Starting " + (tls != null ? "https" : "http") + " monitor on " + hostPort(host, bound));
    }

    /** The bound port, or the configured one before {@link #start()}. */
    public int port() {
        DisposableServer s = server;
        return s == null ? port : ((InetSocketAddress) s.address()).getPort();
    }

    public String host() {
        return host;
    }

    public Monitor monitor() {
        return monitor;
    }

    public synchronized void stop() {
        DisposableServer s = server;
        server = null;
        if (s != null) {
            s.disposeNow(Duration.ofSeconds(5));
        }
        if (loops != null) {
            loops.shutdown(Duration.ofSeconds(2));
            loops = null;
        }
    }

    static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    // ---- Request handling ---------------------------------------------------------------------

    /** What to send back. */
    record Reply(int status, String contentType, byte[] body, boolean nosniff) {
        static Reply json(String text) {
            return new Reply(200, JSON, text.getBytes(StandardCharsets.UTF_8), false);
        }

        static Reply badRequest(String text) {
            return new Reply(400, TEXT, text.getBytes(StandardCharsets.UTF_8), false);
        }

        static Reply notFound() {
            return new Reply(404, TEXT, "404 page not found\n".getBytes(StandardCharsets.UTF_8), true);
        }
    }

    private Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
        Reply reply;
        try {
            reply = reply(req.uri());
        } catch (RuntimeException e) {
            log.error("Error serving monitoring request " + req.uri() + ": " + e);
            reply = new Reply(500, TEXT, "Internal Server Error".getBytes(StandardCharsets.UTF_8), false);
        }
        res.status(HttpResponseStatus.valueOf(reply.status()))
                .header(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .header(HttpHeaderNames.DATE, HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)))
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(reply.body().length));
        if (reply.nosniff()) {
            res.header("X-Content-Type-Options", "nosniff");
        }
        if (req.method() == HttpMethod.HEAD) {
            return res.send();
        }
        return res.sendByteArray(Mono.just(reply.body()));
    }

    /** The answer to one request URI (path and query), counting it in {@code http_req_stats}. */
    Reply reply(String uri) {
        int hash = uri.indexOf('#');
        if (hash >= 0) {
            uri = uri.substring(0, hash);
        }
        int q = uri.indexOf('?');
        String path = QueryParams.unescape(q < 0 ? uri : uri.substring(0, q), false);
        if (path == null) {
            return Reply.badRequest("400 Bad Request");
        }
        QueryParams query = QueryParams.parse(q < 0 ? null : uri.substring(q + 1));
        String base = basePath();
        if (!base.equals("/")) {
            // http_base_path: nats-server registers <base> and <base>/<endpoint> only
            if (path.equals(base)) {
                path = "/";
            } else if (path.startsWith(base + "/") && path.length() > base.length() + 1) {
                path = path.substring(base.length());
            } else {
                return Reply.notFound();
            }
        }
        try {
            return route(path, query);
        } catch (MonitorException e) {
            return Reply.badRequest(e.getMessage());
        }
    }

    private Reply route(String path, QueryParams query) throws MonitorException {
        switch (path) {
            case "/":
                monitor.countRequest("/");
                return new Reply(200, "text/html; charset=utf-8", rootPage().getBytes(StandardCharsets.UTF_8), false);
            case "/varz":
                monitor.countRequest("/varz");
                return json(query, monitor.varz(), true);
            case "/connz": {
                boolean auth = query.bool("auth");
                boolean[] subs = query.subs();
                long offset = query.integer("offset");
                long limit = query.integer("limit");
                long cid = query.uint64("cid");
                ConnState state = query.state();
                monitor.countRequest("/connz");
                ConnzOptions o = new ConnzOptions(query.get("sort"), auth, subs[0], subs[1], offset, limit, cid,
                        state, query.get("user"), query.get("acc"), query.get("mqtt_client"), "");
                return json(query, monitor.connz(o), true);
            }
            case "/routez": {
                boolean[] subs = query.subs();
                monitor.countRequest("/routez");
                return json(query, monitor.routez(subs[0], subs[1]), true);
            }
            case "/subsz":
            case "/subscriptionsz": {
                monitor.countRequest("/subsz");
                boolean subs = query.bool("subs");
                long offset = query.integer("offset");
                long limit = query.integer("limit");
                SubszOptions o = new SubszOptions(subs, offset, limit, query.get("acc"), query.get("test"));
                return json(query, monitor.subsz(o), true);
            }
            case "/healthz": {
                monitor.countRequest("/healthz");
                if (query.bool("js-enabled")) {
                    log.warn("Healthcheck: js-enabled deprecated, use js-enabled-only instead");
                }
                query.bool("js-enabled-only");
                query.bool("js-server-only");
                HealthStatus h = monitor.healthz();
                Reply r = json(query, h, false);
                if (!h.healthy()) {
                    log.warn("Healthcheck failed: " + GoFormat.quote(h.error()));
                    return new Reply(503, r.contentType(), r.body(), false);
                }
                return r;
            }
            case "/gatewayz":
                monitor.countRequest("/gatewayz");
                return json(query, monitor.gatewayz(query.bool("accs"), query.get("gw_name"), query.get("acc_name")),
                        true);
            case "/leafz":
                monitor.countRequest("/leafz");
                return json(query, monitor.leafz(query.bool("subs"), query.get("acc")), true);
            case "/accountz":
                monitor.countRequest("/accountz");
                return json(query, monitor.accountz(query.get("acc")), true);
            case "/accstatz":
                monitor.countRequest("/accstatz");
                return json(query, monitor.accstatz(query.bool("unused")), true);
            case "/jsz": {
                monitor.countRequest("/jsz");
                boolean accounts = query.bool("accounts");
                boolean streams = query.bool("streams");
                boolean consumers = query.bool("consumers");
                boolean config = query.bool("config");
                int offset = (int) query.integer("offset");
                int limit = (int) query.integer("limit");
                boolean leaderOnly = query.bool("leader-only");
                query.bool("raft");
                return json(query, monitor.jsz(new JetStreamView.JszOptions(query.get("acc"), accounts, streams,
                        consumers, config, leaderOnly, offset, limit)), true);
            }
            case "/stacksz":
                return respond(query, stacks());
            case "/ipqueuesz":
                query.bool("all");
                return respond(query, "{}");
            default:
                return Reply.notFound();
        }
    }

    private static Reply json(QueryParams query, JsonWriter.Writable body, boolean pretty) {
        return respond(query, body.toJson(pretty));
    }

    /** nats-server's ResponseHandler: JSON, or JSONP {@code callback(json)} with {@code ?callback=}. */
    private static Reply respond(QueryParams query, String data) {
        String callback = query.get("callback");
        if (!callback.isEmpty()) {
            return new Reply(200, "application/javascript",
                    (callback + "(" + data + ")").getBytes(StandardCharsets.UTF_8), false);
        }
        return Reply.json(data);
    }

    /**
     * Our index page: a live dashboard (resource {@code dashboard.html}, self-contained HTML, inline
     * CSS and JS, no external assets) that polls {@code /varz}, {@code /connz}, {@code /routez} and
     * {@code /subsz} every second and charts them; it keeps nats-server's index links, in the same order.
     */
    /**
     * http_base_path as nats-server uses it: a leading slash added, Go's path.Clean applied; "/" when none.
     */
    String basePath() {
        String p = monitor.context().options().httpBasePath();
        if (p == null || p.isEmpty()) {
            return "/";
        }
        java.util.Deque<String> parts = new java.util.ArrayDeque<>();
        for (String t : p.split("/")) {
            if (t.isEmpty() || t.equals(".")) {
                continue;
            }
            if (t.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(t);
            }
        }
        return "/" + String.join("/", parts);
    }

    private String rootPage() {
        String base = basePath();
        String page = base.equals("/") ? DASHBOARD
                // links and fetches are relative to the page at <base> (no trailing slash): put the base in them
                : DASHBOARD.replace("href=./", "href=." + base + "/").replace("fetchJson(\"./",
                        "fetchJson(\"." + base + "/");
        return page
                .replace("@PRODUCT_VERSION@", Versions.productVersion())
                .replace("@COMPAT_VERSION@", monitor.context().options().compatVersion());
    }

    private static String loadDashboard() {
        try (InputStream in = MonitorServer.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** /stacksz: every thread's stack, in the spirit of Go's goroutine dump. */
    private static String stacks() {
        StringBuilder b = new StringBuilder(16 * 1024);
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            b.append("thread ").append(t.getThreadId()).append(" [").append(t.getThreadState().toString()
                    .toLowerCase(Locale.ROOT)).append("]: ").append(t.getThreadName()).append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                b.append('\t').append(e).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }
}
