package io.natsboot.server.protocol;

import io.natsboot.server.goformat.GoFormat;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the client side of the NATS protocol from a cumulation buffer, in place.
 *
 * <p>{@link #parse} consumes every complete operation in the buffer and leaves an incomplete one
 * unread, so the caller keeps the remainder and appends the next read to it. Op names are
 * checked letter by letter as soon as the bytes arrive (so garbage is rejected before a newline
 * comes), control-line and payload limits are enforced before the bytes are buffered, and PUB
 * subjects and payloads are handed over as index ranges, never copied. After an error the parser
 * stops: the connection is about to close.
 *
 * <p>Rules follow nats-server 2.9 (protocol reference §1.2, §1.3, §1.9, §1.10): case-insensitive
 * op names, spaces or tabs between arguments, bare LF accepted, payload followed by exactly CRLF.
 */
public final class ClientProtocolParser {
    private static final int OP_PUB = 1, OP_HPUB = 2, OP_SUB = 3, OP_UNSUB = 4, OP_CONNECT = 5,
            OP_INFO = 6, OP_PING = 7, OP_PONG = 8, OP_OK = 9, OP_ERR = 10;
    private static final int NEED_MORE = -1, BAD_OP = -2;

    /** nats-server's parser state numbers, used only in its error log line. */
    private static final int STATE_OP_START = 0, STATE_MSG_END_R = 41, STATE_MSG_END_N = 42;

    private final int maxControlLine;
    /** Op whose line is being skipped (PING/PONG/+OK ignore everything up to LF). */
    private int skippingOp;
    /** Bytes that must be readable before parsing again (waiting for a payload). */
    private int needBytes;
    private boolean failed;
    /** The PUB/HPUB line now waiting for its payload was already passed to onPublishLine. */
    private boolean publishLineReported;
    /** Argument positions of the current line, reused to avoid allocation. */
    private final int[] argStart = new int[5];
    private final int[] argEnd = new int[5];
    /**
     * How far past the reader index a line was already scanned for LF without finding one, so a
     * long line arriving in many reads is not re-scanned each time. Relative, because the caller
     * may move the unread bytes to a new buffer between calls.
     */
    private int scannedOffset;

    public ClientProtocolParser(int maxControlLine) {
        this.maxControlLine = maxControlLine;
    }

    /** Bytes needed from the reader index before the next op can complete (0 if unknown). */
    public int bytesNeeded() {
        return needBytes;
    }

    public boolean failed() {
        return failed;
    }

    /** Positions of the PUB/HPUB size fields of the message being published (valid during onPublish). */
    private int totalSizeStart, totalSizeEnd, headerSizeStart, headerSizeEnd;

    /**
     * Whether the size fields of the message being published (during onPublish) are not plain decimals: leading
     * zeros, which nats-server echoes in MSG as written.
     */
    public boolean sizesNotCanonical() {
        return (totalSizeEnd - totalSizeStart > 1 && at(totalSizeStart) == '0')
                || (headerSizeEnd - headerSizeStart > 1 && at(headerSizeStart) == '0');
    }

    /** The total size field as the publisher wrote it (during onPublish). */
    public byte[] totalSizeAsWritten(ByteBuf in) {
        return bytesOf(in, totalSizeStart, totalSizeEnd);
    }

    /** The header size field of an HPUB as the publisher wrote it (during onPublish); empty for PUB. */
    public byte[] headerSizeAsWritten(ByteBuf in) {
        return bytesOf(in, headerSizeStart, headerSizeEnd);
    }

    private static byte[] bytesOf(ByteBuf in, int from, int to) {
        byte[] b = new byte[to - from];
        in.getBytes(from, b);
        return b;
    }

    public void parse(ByteBuf in, ClientOps ops) {
        bytes.bind(in);
        while (!failed && in.isReadable() && !ops.parsingPaused()) {
            if (needBytes > 0) {
                if (in.readableBytes() < needBytes) {
                    // Only the CR after the payload can have arrived; it is checked as soon as it does.
                    int cr = in.readerIndex() + needBytes - 2;
                    if (cr < in.writerIndex() && at(cr) != '\r') {
                        failUnknown(ops, in, cr, in.writerIndex(), STATE_MSG_END_R);
                    }
                    return;
                }
                needBytes = 0;
            }
            int start = in.readerIndex();
            int end = in.writerIndex();
            if (skippingOp != 0) {
                int lf = in.indexOf(start, end, (byte) '\n');
                if (lf < 0) {
                    in.readerIndex(end);
                    return;
                }
                in.readerIndex(lf + 1);
                int op = skippingOp;
                skippingOp = 0;
                fireSimple(op, ops);
                continue;
            }
            if (ops.connectRequiredFirst()) {
                byte b = at(start);
                if (b != 'C' && b != 'c') {
                    fail(ops, ProtocolError.AUTHORIZATION_VIOLATION, null);
                    return;
                }
            }
            int opLen = identify(in, start, end);
            if (opLen == NEED_MORE) {
                return;
            }
            if (opLen == BAD_OP) {
                failUnknown(ops, in, start, end, STATE_OP_START);
                return;
            }
            int op = lastOp;
            if (op == OP_PING || op == OP_PONG || op == OP_OK) {
                int lf = in.indexOf(start + opLen, end, (byte) '\n');
                if (lf < 0) {
                    in.readerIndex(end);
                    skippingOp = op;
                    return;
                }
                in.readerIndex(lf + 1);
                fireSimple(op, ops);
                continue;
            }
            // Skip the whitespace between op and arguments.
            int a = start + opLen;
            while (a < end) {
                byte b = at(a);
                if (b != ' ' && b != '\t') {
                    break;
                }
                a++;
            }
            int from = Math.max(a, start + scannedOffset);
            int lf = from < end ? in.indexOf(from, end, (byte) '\n') : -1;
            if (lf < 0) {
                if (end - a > maxControlLine && argsEnd(in, a, end) - a > maxControlLine) {
                    fail(ops, ProtocolError.MAX_CONTROL_LINE, "maximum control line exceeded: State "
                            + op + ", max_control_line " + maxControlLine + ", Buffer len "
                            + (argsEnd(in, a, end) - a));
                    return;
                }
                scannedOffset = end - start;
                return;
            }
            scannedOffset = 0;
            int lineEnd = argsEnd(in, a, lf);
            if (lineEnd - a > maxControlLine) {
                fail(ops, ProtocolError.MAX_CONTROL_LINE, "maximum control line exceeded: State " + op
                        + ", max_control_line " + maxControlLine + ", Buffer len " + (lineEnd - a));
                return;
            }
            if (!dispatch(op, in, start, a, lineEnd, lf, end, ops)) {
                return;
            }
        }
    }

    /**
     * End of the arguments that start at {@code a} and run to {@code to} (the LF, or the end of the
     * buffered bytes). Like nats-server, which drops one byte before LF once it has seen a CR among the
     * arguments: normally the CR of CRLF, but also the last byte when a CR came earlier ("UNSUB 1\rx\n"
     * is "UNSUB 1"). The first argument byte is exempt, as in nats-server.
     */
    private int argsEnd(ByteBuf in, int a, int to) {
        if (to - 1 > a && (at(to - 1) == '\r' || in.indexOf(a + 1, to - 1, (byte) '\r') >= 0)) {
            return to - 1;
        }
        return to;
    }

    /** Handles one complete control line; returns false to stop (need more bytes, or error). */
    private boolean dispatch(int op, ByteBuf in, int start, int a, int lineEnd, int lf, int end, ClientOps ops) {
        switch (op) {
            case OP_PUB:
            case OP_HPUB:
                return publish(op == OP_HPUB, in, start, a, lineEnd, lf, end, ops);
            case OP_SUB: {
                int n = split(in, a, lineEnd, true);
                if (n != 2 && n != 3) {
                    fail(ops, ProtocolError.BAD_ARGUMENTS, "processSub Parse Error: " + goQuote(in, a, lineEnd));
                    return false;
                }
                in.readerIndex(lf + 1);
                String subject = arg(in, 0);
                String queue = n == 3 ? arg(in, 1) : null;
                ops.onSubscribe(subject, queue, arg(in, n - 1));
                return true;
            }
            case OP_UNSUB: {
                int n = split(in, a, lineEnd, true);
                if (n != 1 && n != 2) {
                    fail(ops, ProtocolError.BAD_ARGUMENTS, "processUnsub Parse Error: " + goQuote(in, a, lineEnd));
                    return false;
                }
                in.readerIndex(lf + 1);
                long max = -1;
                if (n == 2) {
                    max = parseSize(in, argStart[1], argEnd[1]);
                    if (max < 0) {
                        max = 0;
                    }
                }
                ops.onUnsubscribe(arg(in, 0), max);
                return true;
            }
            case OP_CONNECT: {
                in.readerIndex(lf + 1);
                ops.onConnect(in.toString(a, lineEnd - a, StandardCharsets.UTF_8));
                return true;
            }
            case OP_INFO: {
                in.readerIndex(lf + 1);
                ops.onInfo(in.toString(a, lineEnd - a, StandardCharsets.UTF_8));
                return true;
            }
            case OP_ERR: {
                String text = in.toString(a, lineEnd - a, StandardCharsets.UTF_8);
                in.readerIndex(lf + 1);
                if (text.length() >= 2 && text.startsWith("'") && text.endsWith("'")) {
                    text = text.substring(1, text.length() - 1);
                }
                fail(ops, ProtocolError.CLIENT_ERROR, "Client Error '" + text + "'");
                return false;
            }
            default:
                throw new IllegalStateException("op " + op);
        }
    }

    private boolean publish(boolean headers, ByteBuf in, int start, int a, int lineEnd, int lf, int end,
            ClientOps ops) {
        String what = headers ? "processHeaderPub" : "processPub";
        if (headers && !ops.headersEnabled()) {
            fail(ops, ProtocolError.HEADERS_NOT_SUPPORTED, "message headers not supported");
            return false;
        }
        int n = split(in, a, lineEnd, false);
        int sizes = headers ? 2 : 1;
        if (n != sizes + 1 && n != sizes + 2) {
            fail(ops, ProtocolError.BAD_ARGUMENTS, what + " Parse Error: " + goQuote(in, a, lineEnd));
            return false;
        }
        boolean hasReply = n == sizes + 2;
        int total = parseSize(in, argStart[n - 1], argEnd[n - 1]);
        int hdr = -1;
        if (headers) {
            hdr = parseSize(in, argStart[n - 2], argEnd[n - 2]);
            if (hdr < 0) {
                fail(ops, ProtocolError.BAD_ARGUMENTS, what + " Bad or Missing Header Size: " + goQuote(in, a, lineEnd));
                return false;
            }
        }
        if (total < 0) {
            fail(ops, ProtocolError.BAD_ARGUMENTS, what + " Bad or Missing " + (headers ? "Total " : "")
                    + "Size: " + goQuote(in, a, lineEnd));
            return false;
        }
        if (headers && hdr > total) {
            fail(ops, ProtocolError.BAD_ARGUMENTS, what + " Header Size larger then TotalSize: " + goQuote(in, a, lineEnd));
            return false;
        }
        int max = ops.maxPayload();
        if (total > max) {
            fail(ops, ProtocolError.MAX_PAYLOAD, "maximum payload exceeded: " + total + " vs " + max);
            return false;
        }
        // nats-server's processPub has accepted the line: this is where it checks a pedantic subject.
        boolean reported = publishLineReported;
        publishLineReported = false;
        if (!reported) {
            ops.onPublishLine(in, argStart[0], argEnd[0] - argStart[0]);
        }
        int payloadStart = lf + 1;
        int payloadEnd = payloadStart + total;
        int frameEnd = payloadEnd + 2;
        // The CRLF after the payload is checked byte by byte as it arrives, as nats-server does.
        int bad = -1;
        if (payloadEnd < end && at(payloadEnd) != '\r') {
            bad = payloadEnd;
        } else if (payloadEnd + 1 < end && at(payloadEnd + 1) != '\n') {
            bad = payloadEnd + 1;
        }
        if (bad >= 0) {
            failUnknown(ops, in, bad, end, bad == payloadEnd ? STATE_MSG_END_R : STATE_MSG_END_N);
            return false;
        }
        if (frameEnd > end) {
            if (!reported) {
                // nats-server re-runs processPub to keep the arguments of a frame split across reads.
                ops.onPublishLine(in, argStart[0], argEnd[0] - argStart[0]);
            }
            publishLineReported = true;
            needBytes = frameEnd - start;
            return false;
        }
        in.readerIndex(frameEnd);
        int replyStart = hasReply ? argStart[1] : 0;
        int replyLength = hasReply ? argEnd[1] - argStart[1] : 0;
        totalSizeStart = argStart[n - 1];
        totalSizeEnd = argEnd[n - 1];
        headerSizeStart = headers ? argStart[n - 2] : 0;
        headerSizeEnd = headers ? argEnd[n - 2] : 0;
        // HPUB with a zero-length header block is a plain message (delivered as MSG).
        ops.onPublish(in, argStart[0], argEnd[0] - argStart[0], replyStart, replyLength,
                headers && hdr > 0 ? hdr : -1, payloadStart, total);
        return true;
    }

    private void fireSimple(int op, ClientOps ops) {
        if (op == OP_PING) {
            ops.onPing();
        } else if (op == OP_PONG) {
            ops.onPong();
        }
        // +OK from a client is ignored.
    }

    private int lastOp;
    private final FastBytes bytes = new FastBytes();

    private byte at(int index) {
        return bytes.get(index);
    }

    /**
     * Checks the op name at {@code start}: returns the length of the op (including its mandatory
     * separator for ops that take arguments), NEED_MORE, or BAD_OP. Sets {@link #lastOp}.
     */
    private int identify(ByteBuf in, int start, int end) {
        byte b = at(start);
        switch (b) {
            case 'P': case 'p': {
                if (start + 1 >= end) {
                    return NEED_MORE;
                }
                byte c = at(start + 1);
                if (c == 'U' || c == 'u') {
                    lastOp = OP_PUB;
                    return letters(in, start, end, "PUB", true);
                }
                if (c == 'I' || c == 'i') {
                    lastOp = OP_PING;
                    return letters(in, start, end, "PING", false);
                }
                if (c == 'O' || c == 'o') {
                    lastOp = OP_PONG;
                    return letters(in, start, end, "PONG", false);
                }
                return BAD_OP;
            }
            case 'H': case 'h':
                lastOp = OP_HPUB;
                return letters(in, start, end, "HPUB", true);
            case 'S': case 's':
                lastOp = OP_SUB;
                return letters(in, start, end, "SUB", true);
            case 'U': case 'u':
                lastOp = OP_UNSUB;
                return letters(in, start, end, "UNSUB", true);
            case 'C': case 'c':
                lastOp = OP_CONNECT;
                return letters(in, start, end, "CONNECT", false);
            case 'I': case 'i':
                lastOp = OP_INFO;
                return letters(in, start, end, "INFO", false);
            case '+':
                lastOp = OP_OK;
                return letters(in, start, end, "+OK", false);
            case '-':
                lastOp = OP_ERR;
                return letters(in, start, end, "-ERR", true);
            default:
                // Includes MSG, HMSG and the route/leaf ops, which a client may not send.
                return BAD_OP;
        }
    }

    private int letters(ByteBuf in, int start, int end, String word, boolean needsSeparator) {
        int n = word.length();
        for (int k = 1; k < n; k++) {
            if (start + k >= end) {
                return NEED_MORE;
            }
            byte b = at(start + k);
            char w = word.charAt(k);
            if (b != w && b != Character.toLowerCase(w)) {
                return BAD_OP;
            }
        }
        if (needsSeparator) {
            if (start + n >= end) {
                return NEED_MORE;
            }
            byte s = at(start + n);
            if (s != ' ' && s != '\t') {
                return BAD_OP;
            }
            return n + 1;
        }
        return n;
    }

    /**
     * Splits [from, to) on runs of spaces/tabs into argStart/argEnd; returns the count (5 = too many).
     * {@code crSeparates}: CR separates too, as in nats-server's SUB and UNSUB (not PUB and HPUB).
     */
    private int split(ByteBuf in, int from, int to, boolean crSeparates) {
        int n = 0;
        int k = from;
        while (k < to) {
            byte b = at(k);
            if (b == ' ' || b == '\t' || (crSeparates && b == '\r')) {
                k++;
                continue;
            }
            if (n == argStart.length) {
                return n;
            }
            argStart[n] = k;
            while (k < to) {
                b = at(k);
                if (b == ' ' || b == '\t' || (crSeparates && b == '\r')) {
                    break;
                }
                k++;
            }
            argEnd[n++] = k;
        }
        return n;
    }

    private String arg(ByteBuf in, int i) {
        return in.toString(argStart[i], argEnd[i] - argStart[i], StandardCharsets.UTF_8);
    }

    /** ASCII digits only, 1 to 9 of them; -1 otherwise (nats-server's parseSize). */
    private int parseSize(ByteBuf in, int from, int to) {
        int len = to - from;
        if (len == 0 || len > 9) {
            return -1;
        }
        int v = 0;
        for (int k = from; k < to; k++) {
            int d = at(k) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private void fail(ClientOps ops, ProtocolError error, String log) {
        failed = true;
        ops.onProtocolError(error, log);
    }

    private void failUnknown(ClientOps ops, ByteBuf in, int at, int end, int state) {
        int stop = Math.min(end, at + 32);
        fail(ops, ProtocolError.UNKNOWN_OPERATION, "Client parser ERROR, state=" + state + ", i="
                + (at - in.readerIndex()) + ": proto='" + goQuote(in, at, stop) + "...'");
    }

    /** Go's {@code %q} of the bytes {@code [from, to)} of {@code in}, as nats-server's parse errors print them. */
    public static String goQuote(ByteBuf in, int from, int to) {
        byte[] bytes = new byte[to - from];
        in.getBytes(from, bytes);
        return GoFormat.quote(bytes, 0, bytes.length);
    }
}
