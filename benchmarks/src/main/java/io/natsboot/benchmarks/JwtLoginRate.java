package io.natsboot.benchmarks;

import io.nats.client.NKey;
import io.nats.client.support.JsonSerializable;
import io.nats.client.support.JwtUtils;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Login rate of one user reconnecting over and over (a reconnect storm of the same creds): a raw TCP client
 * connects, reads INFO, signs the nonce, sends {@code CONNECT {jwt, sig}} and {@code PING}, waits for
 * {@code PONG}, closes. The same loop without auth gives the plain rate. Measured against our server (in this
 * JVM) and nats-server 2.9.10 (a process) in the same run, so the machine's load hits both.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.natsboot.benchmarks.JwtLoginRate [seconds] [threads]</pre>
 */
public final class JwtLoginRate {
    private static final Pattern NONCE = Pattern.compile("\"nonce\":\"([^\"]+)\"");

    private JwtLoginRate() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        NKey operator = NKey.createOperator(null);
        NKey account = NKey.createAccount(null);
        NKey user = NKey.createUser(null);
        String acc = new String(account.getPublicKey());
        String accountJwt = issue(operator, acc, "{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,"
                + "\"imports\":-1,\"exports\":-1,\"wildcards\":true,\"conn\":-1,\"leaf\":-1},\"type\":\"account\","
                + "\"version\":2}");
        String userJwt = issue(account, new String(user.getPublicKey()), "{\"pub\":{},\"sub\":{},\"subs\":-1,"
                + "\"data\":-1,\"payload\":-1,\"type\":\"user\",\"version\":2}");
        Path dir = Files.createTempDirectory("jwt-login");
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, issue(operator, new String(operator.getPublicKey()),
                "{\"type\":\"operator\",\"version\":2}"));
        Path jwtConf = dir.resolve("jwt.conf");
        Files.writeString(jwtConf, "operator: \"" + op + "\"\nresolver: MEMORY\nresolver_preload: {\n  " + acc
                + ": \"" + accountJwt + "\"\n}\n");
        Path plainConf = dir.resolve("plain.conf");
        Files.writeString(plainConf, "\n");

        System.out.printf("JWT login rate, %d s per figure, %d client threads, load %s%n", seconds, threads,
                load());
        for (Path conf : List.of(plainConf, jwtConf)) {
            boolean jwt = conf == jwtConf;
            double theirs = reference(conf, jwt, userJwt, user, seconds, threads);
            double ours = ours(conf, jwt, userJwt, user, seconds, threads);
            System.out.printf("%-5s nats-server %8.0f logins/s   ours %8.0f logins/s   ours/nats-server %.2f%n",
                    jwt ? "jwt" : "plain", theirs, ours, ours / theirs);
        }
        System.out.printf("load after: %s%n", load());
    }

    private static double reference(Path conf, boolean jwt, String userJwt, NKey user, int seconds, int threads)
            throws Exception {
        int port = freePort();
        Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(port)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            awaitListening(port);
            return rate(port, jwt, userJwt, user, seconds, threads);
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static double ours(Path conf, boolean jwt, String userJwt, NKey user, int seconds, int threads)
            throws Exception {
        ServerOptions.Builder b = ServerOptions.builder().host("127.0.0.1").port(0);
        ConfigFileOptions.Outcome o = ConfigFileOptions.load(conf.toString(), b);
        if (!o.ok()) {
            throw new IllegalStateException(o.message());
        }
        NatsServer s = new NatsServer(b.build(), SilentLog.INSTANCE);
        s.start();
        try {
            return rate(s.port(), jwt, userJwt, user, seconds, threads);
        } finally {
            s.shutdown();
        }
    }

    /** Logins per second over {@code seconds}, after a warm-up of 2 s. */
    private static double rate(int port, boolean jwt, String userJwt, NKey user, int seconds, int threads)
            throws Exception {
        run(port, jwt, userJwt, user, 2, threads);
        return run(port, jwt, userJwt, user, seconds, threads) / (double) seconds;
    }

    private static long run(int port, boolean jwt, String userJwt, NKey user, int seconds, int threads)
            throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Thread[] ts = new Thread[threads];
        Exception[] failure = new Exception[1];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        login(port, jwt, userJwt, user);
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    failure[0] = e;
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return done.get();
    }

    private static void login(int port, boolean jwt, String userJwt, NKey user) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String info = in.readLine();
            String connect = "{\"verbose\":false,\"pedantic\":false}";
            if (jwt) {
                Matcher m = NONCE.matcher(info);
                if (!m.find()) {
                    throw new IllegalStateException("no nonce in " + info);
                }
                String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(
                        user.sign(m.group(1).getBytes(StandardCharsets.UTF_8)));
                connect = "{\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + userJwt + "\",\"sig\":\"" + sig + "\"}";
            }
            OutputStream out = s.getOutputStream();
            out.write(("CONNECT " + connect + "\r\nPING\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = in.readLine();
            if (!"PONG".equals(line)) {
                throw new IllegalStateException("login refused: " + line);
            }
        }
    }

    private static String issue(NKey signer, String subject, String nats) throws Exception {
        JsonSerializable body = () -> nats;
        return JwtUtils.issueJWT(signer, subject, null, null, System.currentTimeMillis() / 1000,
                new String(signer.getPublicKey()), body);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.onSpinWait();
            }
        }
        throw new IllegalStateException("nats-server did not listen on " + port);
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
