package io.natsboot.server.websocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A raw WebSocket client on a plain socket for wire tests: it sends exactly the request and frames a test writes
 * (masked or not, any opcode, fragments) and reads the server's bytes back as they are: the HTTP response head
 * and then frames, compressed payloads inflated for reading.
 */
final class WsRawClient implements AutoCloseable {
    /** One frame as received: first byte (FIN, RSV, opcode), payload length on the wire, payload (inflated). */
    record Frame(int b0, int wireLength, byte[] payload) {
        int opcode() {
            return b0 & 0x0F;
        }

        boolean fin() {
            return (b0 & 0x80) != 0;
        }

        boolean compressed() {
            return (b0 & 0x40) != 0;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeStatus() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        String closeText() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }

        @Override
        public String toString() {
            return String.format("0x%02x[%d]%s", b0, wireLength,
                    opcode() == 8 ? "(" + closeStatus() + " " + closeText() + ")" : "'" + text() + "'");
        }
    }

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    private boolean inCompressedMessage;

    WsRawClient(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    /** Over a socket the test made (a TLS one for wss). */
    WsRawClient(Socket s) throws IOException {
        socket = s;
        socket.setSoTimeout(3000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** The request head nats.ws sends, with extra header lines ({@code "Name: value\r\n"...}). */
    static String request(int port, String extra) {
        return "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n";
    }

    void sendRaw(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Sends a request and returns the response head (through the blank line). */
    String upgrade(String request) throws IOException {
        sendRaw(request);
        return readHead();
    }

    String readHead() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    /** The rest of an HTTP response after its head: {@code length} bytes of body. */
    String readBody(int length) throws IOException {
        return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    void send(String payload) throws IOException {
        frame(0x82, payload.getBytes(StandardCharsets.UTF_8), true);
    }

    /** One frame: first byte as given (FIN, RSV and opcode), payload masked or not. */
    void frame(int b0, byte[] payload, boolean mask) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(b0);
        int m = mask ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            f.write(m | n);
        } else if (n < 65536) {
            f.write(m | 126);
            f.write(n >>> 8);
            f.write(n);
        } else {
            f.write(m | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) n >>> (8 * i)));
            }
        }
        byte[] key = {0x12, 0x34, 0x56, 0x78};
        if (mask) {
            f.write(key, 0, 4);
        }
        for (int i = 0; i < n; i++) {
            f.write(mask ? payload[i] ^ key[i & 3] : payload[i]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    /** The next frame, or null when the server closed the connection (or nothing came for the timeout). */
    Frame next() throws IOException {
        try {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = in.read();
            long n = b1 & 0x7F;
            if (n == 126) {
                n = ((in.read() & 0xFF) << 8) | (in.read() & 0xFF);
            } else if (n == 127) {
                n = 0;
                for (int i = 0; i < 8; i++) {
                    n = (n << 8) | (in.read() & 0xFF);
                }
            }
            byte[] p = in.readNBytes((int) n);
            int op = b0 & 0x0F;
            if ((b0 & 0x40) != 0 || (inCompressedMessage && op == 0)) {
                inCompressedMessage = true;
                compressed.write(p);
                if ((b0 & 0x80) == 0) {
                    return new Frame(b0, (int) n, new byte[0]);
                }
                inCompressedMessage = false;
                p = inflate(compressed.toByteArray());
                compressed.reset();
            }
            return new Frame(b0, (int) n, p);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /** Frames until the server closes the connection or stays quiet for the socket timeout. */
    List<Frame> drain() throws IOException {
        List<Frame> all = new ArrayList<>();
        Frame f;
        while ((f = next()) != null) {
            all.add(f);
        }
        return all;
    }

    /** Data frames' payloads joined until {@code text} has arrived (or the connection ended). */
    String readUntil(String text) throws IOException {
        StringBuilder sb = new StringBuilder();
        Frame f;
        while (!sb.toString().contains(text) && (f = next()) != null) {
            if (f.opcode() == 2 || f.opcode() == 0) {
                sb.append(f.text());
            }
        }
        return sb.toString();
    }

    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static byte[] inflate(byte[] data) throws IOException {
        Inflater inf = new Inflater(true);
        byte[] tail = {0x00, 0x00, (byte) 0xff, (byte) 0xff};
        byte[] all = new byte[data.length + 4];
        System.arraycopy(data, 0, all, 0, data.length);
        System.arraycopy(tail, 0, all, data.length, 4);
        inf.setInput(all);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            while (!inf.needsInput()) {
                int k = inf.inflate(buf);
                if (k == 0 && inf.needsInput()) {
                    break;
                }
                o.write(buf, 0, k);
            }
        } catch (DataFormatException e) {
            throw new IOException(e);
        } finally {
            inf.end();
        }
        return o.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
