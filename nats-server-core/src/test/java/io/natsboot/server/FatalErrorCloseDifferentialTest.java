package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RunningServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a fatal protocol error nats-server sends the -ERR and closes at once with the rest of the input unread, so
 * the peer sees a connection reset after the -ERR (jnats reports a SocketException beside the error), not an
 * orderly end of stream. Compared with nats-server 2.9.10.
 */
class FatalErrorCloseDifferentialTest {

    /** What a client sees after publishing {@code size} bytes over max_payload: the first line, then "RESET" or "EOF". */
    private static String oversizedPublish(int port, int size) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            assertThat(readLine(in)).startsWith("INFO ");
            ByteArrayOutputStream script = new ByteArrayOutputStream();
            script.writeBytes(("CONNECT {\"verbose\":false}\r\nPUB foo " + size + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            script.writeBytes(new byte[size]);
            boolean resetWhileWriting = false;
            try {
                out.write(script.toByteArray()); // fits the socket buffers: no block on a server that stops reading
                out.flush();
            } catch (SocketException e) {
                resetWhileWriting = true; // "Connection reset by peer": the server closed with our bytes unread
            }
            String first = readLine(in); // what arrived before the reset is still readable
            String end;
            try {
                end = in.read() < 0 ? "EOF" : "DATA";
            } catch (SocketException e) {
                end = "RESET"; // "Connection reset"
            }
            if (resetWhileWriting && end.equals("EOF")) {
                end = "RESET";
            }
            return first + " then " + end;
        }
    }

    /** One line without its CR LF (bytes as Latin-1); empty at the end of the stream. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 262144})
    void maxPayloadViolationSendsErrThenResets(int size, @TempDir Path dir) throws Exception {
        assertThat(Files.isExecutable(Path.of(DifferentialTest.NATS_SERVER)))
                .as("needs nats-server 2.9.10 at " + DifferentialTest.NATS_SERVER + " (Debian package nats-server)")
                .isTrue();
        String theirs;
        try (DifferentialTest.NatsServerProcess nats = new DifferentialTest.NatsServerProcess(
                DifferentialTest.Profile.MAX_PAYLOAD, dir)) {
            theirs = oversizedPublish(nats.port, size);
        }
        String ours;
        try (RunningServer server = RunningServer.start(DifferentialTest.Profile.MAX_PAYLOAD.ours)) {
            ours = oversizedPublish(server.port(), size);
        }
        assertThat(theirs).isEqualTo("-ERR 'Maximum Payload Violation' then RESET");
        assertThat(ours).isEqualTo(theirs);
    }
}
