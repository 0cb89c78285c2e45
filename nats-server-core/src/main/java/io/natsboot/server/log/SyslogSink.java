package io.natsboot.server.log;

import io.natsboot.server.goformat.GoFormat;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Where nats-server's {@code syslog} and {@code remote_syslog} loggers send lines, in the format of Go's
 * {@code log/syslog} (observed with nats-server 2.9.10):
 *
 * <pre>
 * remote (udp://, tcp://, unix://):  &lt;5&gt;2026-11-23T12:45:00Z vm nats-server[7348]: Server is ready\n
 * local (-s):                        &lt;29&gt;Nov 23 12:46:00 nats-server[8464]: Server is ready\n
 * </pre>
 *
 * Remote: facility 0, RFC 3339 local time to the second, the host name. Local: facility daemon (3),
 * {@code Jan _2 15:04:05}, no host name, over {@code /dev/log}, {@code /var/run/syslog} or {@code /var/run/log}
 * (datagram socket first, then stream), as Go tries them. Severities: INF and TRC notice (5), DBG debug (7),
 * WRN warning (4), ERR err (3), FTL crit (2). The tag is the executable's base name.
 *
 * <p>A destination that cannot be used is a {@link SyslogException} with nats-server's fatal message
 * ({@code error connecting to syslog: "Unix syslog delivery error"}, {@code error invalid network type:
 * "foo"}, ...). A send that fails later is dropped, as Go's writer drops it after one reconnect attempt.
 */
public final class SyslogSink implements Closeable {

    /** The paths Go's log/syslog tries for the local syslog, in order. */
    public static final List<Path> LOCAL_PATHS =
            List.of(Path.of("/dev/log"), Path.of("/var/run/syslog"), Path.of("/var/run/log"));

    static final int NOTICE = 5;
    static final int DEBUG = 7;
    static final int WARNING = 4;
    static final int ERR = 3;
    static final int CRIT = 2;
    private static final int LOG_DAEMON = 3 << 3;

    /** A syslog destination that cannot be used; the message is nats-server's fatal line, without the date. */
    public static final class SyslogException extends IOException {
        public SyslogException(String message) {
            super(message, null);
        }
    }

    private interface Transport extends Closeable {
        void send(byte[] datagram) throws IOException;
    }

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX",
            Locale.ROOT);

    private final Transport transport;
    private final boolean local;
    private final int facility;
    private final String tag;
    private final long pid;
    private final String hostname;
    private final Clock clock;

    private SyslogSink(Transport transport, boolean local, String tag, long pid, Clock clock) {
        this.transport = transport;
        this.local = local;
        this.facility = local ? LOG_DAEMON : 0;
        this.tag = tag;
        this.pid = pid;
        this.hostname = local ? "" : hostname();
        this.clock = clock; // its zone is the local time shown: Clock.systemDefaultZone() in production
    }

    /** {@code remote_syslog}: {@code udp://host:port}, {@code tcp://host:port} or {@code unix:///path}. */
    public static SyslogSink remote(String url, String tag, long pid, Clock clock) throws SyslogException {
        String scheme = scheme(url);
        String rest = url.substring(scheme.length() + 1);
        switch (scheme) {
            case "udp":
            case "tcp": {
                String host = rest.startsWith("//") ? rest.substring(2) : "";
                int end = indexOfAny(host, "/?#");
                if (end >= 0) {
                    host = host.substring(0, end);
                }
                int at = host.lastIndexOf('@');
                if (at >= 0) {
                    host = host.substring(at + 1);
                }
                for (char c : host.toCharArray()) {
                    if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`'
                            || c == '{' || c == '|' || c == '}' || c >= 0x7f) {
                        throw new SyslogException("parse " + quote(url) + ": invalid character "
                                + quote(String.valueOf(c)) + " in host name");
                    }
                }
                return new SyslogSink(scheme.equals("udp") ? udp(host) : tcp(host), false, tag, pid, clock);
            }
            case "unix": {
                String path = rest.startsWith("//") ? rest.substring(2) : rest;
                int slash = path.indexOf('/');
                path = rest.startsWith("//") ? (slash >= 0 ? path.substring(slash) : "") : path;
                try {
                    return new SyslogSink(unixStream(Path.of(path)), false, tag, pid, clock);
                } catch (IOException e) {
                    throw new SyslogException("error connecting to syslog: "
                            + quote("dial unix " + path + ": connect: " + reason(e)));
                }
            }
            default:
                throw new SyslogException("error invalid network type: " + quote(scheme));
        }
    }

    /** {@code syslog: true}: the local syslog daemon. */
    public static SyslogSink local(String tag, long pid, Clock clock) throws SyslogException {
        return local(LOCAL_PATHS, tag, pid, clock);
    }

    static SyslogSink local(List<Path> paths, String tag, long pid, Clock clock) throws SyslogException {
        for (Path p : paths) {
            try {
                return new SyslogSink(unixDatagram(p), true, tag, pid, clock);
            } catch (IOException | RuntimeException | LinkageError e) {
                // try a stream socket, then the next path
            }
            try {
                return new SyslogSink(unixStream(p), true, tag, pid, clock);
            } catch (IOException | RuntimeException e) {
                // next path
            }
        }
        throw new SyslogException("error connecting to syslog: \"Unix syslog delivery error\"");
    }

    /** Sends one line at {@code severity}; a failure drops it. */
    void send(int severity, String msg) {
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), clock.getZone());
        String nl = msg.endsWith("\n") ? "" : "\n";
        String line = local
                ? "<" + (facility | severity) + ">" + STAMP.format(now) + " " + tag + "[" + pid + "]: " + msg + nl
                : "<" + (facility | severity) + ">" + RFC3339.format(now) + " " + hostname + " " + tag + "["
                        + pid + "]: " + msg + nl;
        try {
            transport.send(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            // nowhere to report it
        }
    }

    @Override
    public void close() {
        try {
            transport.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Transports

    private static Transport udp(String hostPort) throws SyslogException {
        InetSocketAddress addr = resolve("udp", hostPort);
        try {
            DatagramChannel ch = DatagramChannel.open();
            ch.connect(addr);
            return new Transport() {
                @Override
                public void send(byte[] datagram) throws IOException {
                    ch.write(ByteBuffer.wrap(datagram));
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        } catch (IOException e) {
            throw new SyslogException("error connecting to syslog: "
                    + quote("dial udp " + hostPort + ": " + reason(e)));
        }
    }

    private static Transport tcp(String hostPort) throws SyslogException {
        InetSocketAddress addr = resolve("tcp", hostPort);
        Socket s = new Socket();
        try {
            s.connect(addr, 30_000);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // failed anyway
            }
            String why = e instanceof ConnectException ? "connection refused"
                    : e instanceof SocketTimeoutException ? "i/o timeout" : reason(e);
            throw new SyslogException("error connecting to syslog: "
                    + quote("dial tcp " + hostPort + ": connect: " + why));
        }
        return new Transport() {
            private OutputStream out;

            @Override
            public synchronized void send(byte[] datagram) throws IOException {
                if (out == null) {
                    out = s.getOutputStream();
                }
                out.write(datagram);
            }

            @Override
            public void close() throws IOException {
                s.close();
            }
        };
    }

    private static InetSocketAddress resolve(String network, String hostPort) throws SyslogException {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || (hostPort.startsWith("[") && !hostPort.substring(colon - 1).startsWith("]:"))) {
            throw new SyslogException("error connecting to syslog: "
                    + quote("dial " + network + ": address " + hostPort + ": missing port in address"));
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new SyslogException("error connecting to syslog: "
                    + quote("dial " + network + ": lookup " + network + "/" + hostPort.substring(colon + 1)
                    + ": unknown port"));
        }
        try {
            return new InetSocketAddress(java.net.InetAddress.getByName(host.isEmpty() ? "localhost" : host), port);
        } catch (UnknownHostException e) {
            throw new SyslogException("error connecting to syslog: "
                    + quote("dial " + network + ": lookup " + host + ": no such host"));
        }
    }

    private static Transport unixStream(Path path) throws IOException {
        SocketChannel ch = SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        OutputStream out = Channels.newOutputStream(ch);
        return new Transport() {
            @Override
            public synchronized void send(byte[] datagram) throws IOException {
                out.write(datagram);
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    /**
     * A unix datagram socket: the JDK has none, Netty's epoll transport has (a run-time dependency, so
     * reached by reflection).
     */
    @SuppressWarnings("unchecked")
    private static Transport unixDatagram(Path path) throws IOException {
        if (!java.nio.file.Files.exists(path)) {
            throw new IOException("no socket");
        }
        IoHandlerFactory factory;
        Class<? extends Channel> channelClass;
        try {
            Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
            if (!Boolean.TRUE.equals(epoll.getMethod("isAvailable").invoke(null))) {
                throw new IOException("no epoll");
            }
            factory = (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler")
                    .getMethod("newFactory").invoke(null);
            channelClass = (Class<? extends Channel>) Class.forName(
                    "io.netty.channel.epoll.EpollDomainDatagramChannel");
        } catch (ReflectiveOperationException e) {
            throw new IOException(e);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
        DomainSocketAddress addr = new DomainSocketAddress(path.toString());
        try {
            Channel ch = new io.netty.bootstrap.Bootstrap().group(group).channel(channelClass)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            // write only
                        }
                    })
                    .connect(addr).syncUninterruptibly().channel();
            return new Transport() {
                @Override
                public void send(byte[] datagram) throws IOException {
                    io.netty.channel.ChannelFuture f = ch.writeAndFlush(
                            new DomainDatagramPacket(Unpooled.wrappedBuffer(datagram), addr));
                    f.awaitUninterruptibly(); // keep lines in order, as Go's blocking write does
                    if (!f.isSuccess()) {
                        throw new IOException(f.cause());
                    }
                }

                @Override
                public void close() {
                    ch.close().awaitUninterruptibly();
                    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
                }
            };
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            throw new IOException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Helpers

    /** The URL's scheme as Go's url.Parse finds it, or its error for a missing one. */
    private static String scheme(String url) throws SyslogException {
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (Character.isLetter(c) && c < 0x80) {
                continue;
            }
            if (i > 0 && c < 0x80 && (Character.isDigit(c) || c == '+' || c == '-' || c == '.')) {
                continue;
            }
            if (c == ':' && i > 0) {
                return url.substring(0, i).toLowerCase(Locale.ROOT);
            }
            break;
        }
        if (url.startsWith(":")) {
            throw new SyslogException("parse " + quote(url) + ": missing protocol scheme");
        }
        int colon = url.indexOf(':');
        int slash = url.indexOf('/');
        if (colon >= 0 && (slash < 0 || colon < slash)) {
            throw new SyslogException("parse " + quote(url) + ": first path segment in URL cannot contain colon");
        }
        return ""; // no scheme: not a network type
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String reason(IOException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    static String quote(String s) {
        return GoFormat.quote(s);
    }

    private static String hostname() {
        try {
            String h = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException ignored) {
            // fall back to the JDK's
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
