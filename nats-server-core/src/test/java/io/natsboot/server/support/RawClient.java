package io.natsboot.server.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain TCP client for wire tests: send exact bytes, read exact lines and bytes. */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public RawClient send(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    public RawClient sendBytes(byte[] b) throws IOException {
        out.write(b);
        out.flush();
        return this;
    }

    /** Reads one line including its CRLF (or LF). */
    public String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (c == '\n') {
                break;
            }
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    public String readBytes(int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /** Reads everything until the server closes (or the timeout passes). */
    public String readUntilClose(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                b.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            return b.toString(StandardCharsets.UTF_8) + "<open>";
        } catch (IOException e) {
            // connection reset counts as closed
        }
        return b.toString(StandardCharsets.UTF_8) + "<closed>";
    }

    /** Bytes received and not read yet (0 when the server sent nothing more). */
    public int available() throws IOException {
        return in.available();
    }

    /** Read timeout for the following reads (a timeout throws SocketTimeoutException). */
    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Skips the INFO line the server sends first and returns it. */
    public String readInfo() throws IOException {
        return readLine();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * A client's start of TLS on a fresh socket: reads the plaintext INFO line, then wraps the socket with the
     * context (handshake not started yet, so callers can set parameters first).
     */
    public static javax.net.ssl.SSLSocket startTls(java.net.Socket plain, javax.net.ssl.SSLContext ctx, int port)
            throws IOException {
        java.io.InputStream in = plain.getInputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            // the INFO line
        }
        return (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true);
    }

    /**
     * Whether a client's TLS handshake (after the plaintext INFO) succeeds with these parameters, e.g. one
     * protocol version or one key exchange group.
     */
    public static boolean tlsHandshakeSucceeds(int port, javax.net.ssl.SSLContext ctx,
            java.util.function.Consumer<javax.net.ssl.SSLParameters> params) throws IOException {
        try (java.net.Socket plain = new java.net.Socket("127.0.0.1", port)) {
            plain.setSoTimeout(3000);
            javax.net.ssl.SSLSocket tls = startTls(plain, ctx, port);
            javax.net.ssl.SSLParameters p = tls.getSSLParameters();
            params.accept(p);
            tls.setSSLParameters(p);
            try {
                tls.startHandshake();
                tls.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                tls.getOutputStream().flush();
                return new String(tls.getInputStream().readNBytes(6), StandardCharsets.US_ASCII).equals("PONG\r\n");
            } catch (IOException e) {
                return false;
            }
        }
    }
}
