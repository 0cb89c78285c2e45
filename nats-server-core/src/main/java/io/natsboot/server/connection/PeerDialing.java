package io.natsboot.server.connection;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLParameters;
import reactor.netty.resources.LoopResources;

/**
 * What the three server-to-server listeners (routes, gateways, leaf nodes) say and advertise the same way: the
 * address a dial went to, a failed dial in Go's words, the advertised port, a URL's credentials.
 */
public final class PeerDialing {
    private PeerDialing() {
    }

    /**
     * A server listener's bootstrap on the server loops, as the client listener (plain Netty: Reactor's TcpServer
     * would load its reactive machinery on the start path): the caller adds its child handler and binds.
     */
    public static ServerBootstrap listener(LoopResources loops) {
        EventLoopGroup acceptor = loops.onServerSelect(true);
        return new ServerBootstrap()
                .group(acceptor, loops.onServer(true))
                .channel(loops.onChannelClass(ServerSocketChannel.class, acceptor))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(1024, 65536, 65536));
    }

    /** A dial's bootstrap on the client loops (1 s connect timeout): the caller adds its handler and connects. */
    public static Bootstrap dialer(LoopResources loops) {
        EventLoopGroup group = loops.onClient(true);
        return new Bootstrap()
                .group(group)
                .channel(loops.onChannelClass(SocketChannel.class, group))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(1024, 65536, 65536));
    }

    /** The dialled server's certificate must name the host dialled, as Go's TLS client checks. */
    public static void checkHostname(SslHandler h) {
        SSLParameters p = h.engine().getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        h.engine().setSSLParameters(p);
    }

    /** {@code ip:port} the URL's host resolves to (IPv6 in brackets), as nats-server logs a dial; else host:port. */
    public static String resolved(URI url) {
        try {
            InetAddress a = InetAddress.getByName(url.getHost());
            String ip = a.getHostAddress();
            return (a instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + url.getPort();
        } catch (java.io.IOException e) {
            return url.getHost() + ":" + url.getPort();
        }
    }

    /** A failed dial's cause in Go's text (what nats-server logs after {@code dial tcp host:port: }). */
    public static String dialError(Throwable err) {
        Throwable c = rootCause(err);
        String m = String.valueOf(c.getMessage());
        if (m.contains("Connection refused")) {
            return "connect: connection refused"; // Go's text
        }
        if (c instanceof io.netty.channel.ConnectTimeoutException || m.contains("timed out")) {
            return "i/o timeout";
        }
        return m;
    }

    /** The innermost cause. */
    public static Throwable rootCause(Throwable err) {
        Throwable c = err;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    /** The port of an {@code advertise} value ({@code host:port}) when it names one, else the bound port. */
    public static int advertisedPort(String advertise, int boundPort) {
        if (advertise != null) {
            int colon = advertise.lastIndexOf(':');
            if (colon > 0) {
                try {
                    return Integer.parseInt(advertise.substring(colon + 1));
                } catch (NumberFormatException ignored) {
                    // the listen port
                }
            }
        }
        return boundPort;
    }

    /** The URL-decoded user of a URL's raw user info ({@code user[:pass]}). */
    public static String user(String rawUserInfo) {
        int colon = rawUserInfo.indexOf(':');
        return decode(colon < 0 ? rawUserInfo : rawUserInfo.substring(0, colon));
    }

    /** The URL-decoded password of a URL's raw user info, or {@code noPassword} when it names none. */
    public static String password(String rawUserInfo, String noPassword) {
        int colon = rawUserInfo.indexOf(':');
        return colon < 0 ? noPassword : decode(rawUserInfo.substring(colon + 1));
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
