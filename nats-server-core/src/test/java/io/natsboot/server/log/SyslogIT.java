package io.natsboot.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natsboot.server.config.CommandLine;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.Waits;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -s/--syslog} and {@code -r/--remote_syslog}, in the format nats-server 2.9.10 sends (observed with
 * the Debian binary and a UDP listener on 127.0.0.1, and a unixgram listener on /var/run/syslog):
 * {@code <5>2026-11-23T12:45:00Z vm nats-server[7348]: Server is ready\n} remotely,
 * {@code <29>Nov 23 12:46:00 nats-server[8464]: Starting nats-server\n} locally.
 */
@Timeout(60)
class SyslogIT {

    private static final long PID = NatsFormatLog.pid();

    private static String hostname() throws Exception {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    }

    private static String receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void remoteUdpEveryLevel() throws Exception {
        try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp.setSoTimeout(5000);
            ServerOptions o = CommandLine.parse("-r", "udp://127.0.0.1:" + udp.getLocalPort(), "-DV").options();
            NatsFormatLog log = NatsFormatLog.forOptions(o);
            assertThat(log.isSyslog()).isTrue();
            log.info("Server is ready");
            log.debug("dbg");
            log.trace("<<- [PING]");
            log.warn("wrn");
            log.error("err");
            log.fatal("ftl");
            log.close();
            String prefix = "T\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d) " + Pattern.quote(hostname())
                    + " nats-server\\[" + PID + "\\]: ";
            String[][] want = {{"5", "Server is ready"}, {"7", "dbg"}, {"5", "<<- [PING]"}, {"4", "wrn"},
                {"3", "err"}, {"2", "ftl"}};
            for (String[] w : want) {
                assertThat(receive(udp)).matches("(?s)<" + w[0] + ">\\d{4}-\\d\\d-\\d\\d" + prefix
                        + Pattern.quote(w[1]) + "\n");
            }
        }
    }

    @Test
    void localOverAStreamSocket(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("log");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Clock clock = Clock.fixed(Instant.parse("2026-11-03T12:46:00Z"), ZoneId.of("UTC"));
            SyslogSink sink = SyslogSink.local(List.of(dir.resolve("missing"), sock), "nats-server", 8464, clock);
            try (SocketChannel c = server.accept()) {
                sink.send(SyslogSink.NOTICE, "Starting nats-server");
                sink.send(SyslogSink.DEBUG, "dbg\n");
                sink.close();
                BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                        StandardCharsets.UTF_8));
                assertThat(r.readLine()).isEqualTo("<29>Nov  3 12:46:00 nats-server[8464]: Starting nats-server");
                assertThat(r.readLine()).isEqualTo("<31>Nov  3 12:46:00 nats-server[8464]: dbg");
            }
        }
    }

    @Test
    void nothingToConnectTo(@TempDir Path dir) throws Exception {
        Clock c = Clock.systemUTC();
        assertThatThrownBy(() -> SyslogSink.local(List.of(dir.resolve("log")), "nats-server", 1, c))
                .hasMessage("error connecting to syslog: \"Unix syslog delivery error\"");
        assertThatThrownBy(() -> SyslogSink.remote("foo://x:1", "nats-server", 1, c))
                .hasMessage("error invalid network type: \"foo\"");
        assertThatThrownBy(() -> SyslogSink.remote("127.0.0.1:514", "nats-server", 1, c))
                .hasMessage("parse \"127.0.0.1:514\": first path segment in URL cannot contain colon");
        assertThatThrownBy(() -> SyslogSink.remote("udp://bad host:1", "nats-server", 1, c))
                .hasMessage("parse \"udp://bad host:1\": invalid character \" \" in host name");
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        int port = closed;
        assertThatThrownBy(() -> SyslogSink.remote("tcp://127.0.0.1:" + port, "nats-server", 1, c))
                .hasMessage("error connecting to syslog: \"dial tcp 127.0.0.1:" + port
                        + ": connect: connection refused\"");
    }

    @Test
    void aLogFileWinsThenRemoteThenLocal(@TempDir Path dir) throws Exception {
        ServerOptions both = ServerOptions.builder().logFile(dir.resolve("f.log").toString())
                .remoteSyslog("udp://127.0.0.1:9").syslog(true).build();
        assertThat(NatsFormatLog.syslogFor(both)).isNull();
        SyslogSink remote = NatsFormatLog.syslogFor(both.toBuilder().logFile(null).build());
        assertThat(remote).isNotNull();
        remote.close();
        assertThat(NatsFormatLog.syslogFor(ServerOptions.defaults())).isNull();
    }

    @Test
    void configFileKeys(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("c.conf");
        Files.writeString(conf, "syslog: true\nremote_syslog: \"udp://127.0.0.1:514\"\n");
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(conf.toString(), b).ok()).isTrue();
        assertThat(b.build().syslog()).isTrue();
        assertThat(b.build().remoteSyslog()).isEqualTo("udp://127.0.0.1:514");
        Files.writeString(conf, "rsyslog: \"udp://h:1\"\n");
        b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(conf.toString(), b).ok()).isTrue();
        assertThat(b.build().remoteSyslog()).isEqualTo("udp://h:1");
    }

    /**
     * SIGHUP onto {@code remote_syslog}: as nats-server, the "Reloaded: ..." lines still go to the old log
     * (stderr), "Reloaded server configuration" to the syslog.
     */
    @Test
    void reloadOntoRemoteSyslog(@TempDir Path dir) throws Exception {
        try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp.setSoTimeout(30_000);
            Path conf = dir.resolve("s.conf");
            Path out = dir.resolve("out.txt");
            Files.writeString(conf, "port: -1\nports_file_dir: \"%s\"\n".formatted(dir));
            Process p = new ProcessBuilder(script().toString(), "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                Path ports = dir.resolve("nats-server_" + p.pid() + ".ports");
                Waits.forFile(p, ports, java.time.Duration.ofSeconds(30), out);
                String url = "udp://127.0.0.1:" + udp.getLocalPort();
                Files.writeString(conf, "port: -1\nports_file_dir: \"%s\"\nremote_syslog: \"%s\"\n"
                        .formatted(dir, url));
                assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
                assertThat(receive(udp)).endsWith(" nats-server[" + p.pid() + "]: Reloaded server configuration\n");
                assertThat(Files.readString(out)).contains("[INF] Reloaded: remote_syslog = " + url + "\n")
                        .doesNotContain("Reloaded server configuration");
            } finally {
                p.destroy();
                p.waitFor();
            }
        }
    }

    private static Path script() {
        Path script = Path.of("../bin/nats-server");
        return (Files.exists(script) ? script : Path.of("bin/nats-server")).toAbsolutePath();
    }

    /** The spawned server's log arrives as datagrams, tagged with the executable's name. */
    @Test
    void spawnedServerLogsToRemoteSyslog() throws Exception {
        Path script = script();
        try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp.setSoTimeout(30_000);
            Process p = new ProcessBuilder(script.toAbsolutePath().toString(), "-p", "-1",
                    "-r", "udp://127.0.0.1:" + udp.getLocalPort()).redirectErrorStream(true).start();
            try {
                List<String> got = new ArrayList<>();
                while (got.stream().noneMatch(l -> l.endsWith(": Server is ready\n"))) {
                    got.add(receive(udp));
                }
                assertThat(got.get(0)).matches("<5>\\S+ " + Pattern.quote(hostname()) + " nats-server\\["
                        + p.pid() + "\\]: Starting nats-server\n");
            } finally {
                p.destroy();
                p.waitFor();
            }
        }
    }
}
