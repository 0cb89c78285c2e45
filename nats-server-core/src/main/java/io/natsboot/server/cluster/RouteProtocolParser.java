package io.natsboot.server.cluster;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes the route protocol (reference §4) in place, as the client parser does: a control line per op, then for
 * RMSG/HMSG/LMSG the payload and CRLF. A read may end anywhere; an incomplete op stays unread. Op names are checked
 * byte by byte as they arrive (case-insensitive; garbage is refused before a newline comes), a control line cut at
 * a read's end is not scanned again for its LF, and a message waiting for its payload is not parsed again until the
 * payload is there. Message arguments are passed as index ranges; nothing is allocated per message without queue
 * names. Gateways speak the same protocol plus {@code A+}/{@code A-} (account interest), decoded here too and
 * refused by the route's ops.
 */
public final class RouteProtocolParser implements io.natsboot.server.connection.ForwardFanout.QueueNames {
    /** Longest control line accepted (an RMSG with many queue names, a big INFO). */
    static final int MAX_LINE = 1 << 20;

    private static final int OP_RMSG = 1, OP_HMSG = 2, OP_LMSG = 3, OP_RS_PLUS = 4, OP_RS_MINUS = 5,
            OP_LS_PLUS = 6, OP_LS_MINUS = 7, OP_PING = 8, OP_PONG = 9, OP_OK = 10, OP_ERR = 11, OP_INFO = 12,
            OP_CONNECT = 13, OP_EMPTY = 14, OP_A_PLUS = 15, OP_A_MINUS = 16;
    private static final int NEED_MORE = -1, BAD_OP = -2;

    private int[] argStart = new int[8];
    private int[] argEnd = new int[8];
    private int args;
    private ByteBuf current;
    private int queueFirst;
    private int queueCount;
    private boolean failed;
    /** Bytes from the reader index that the message waiting for its payload needs in all; 0 if not waiting. */
    private int needBytes;
    /**
     * How far past the reader index the current line was already scanned for LF without finding one, so a line
     * arriving in many reads is not scanned again each time. Relative: the unread bytes may move to a new buffer.
     */
    private int scannedOffset;
    /** The op identified by the last {@link #identify} call. */
    private int lastOp;
    /**
     * The leaf-node dialect (leafnode.go): messages and interest carry no account (the connection is bound to
     * one) and no origin cluster: {@code LS+ subject [queue weight]}, {@code LS- subject [queue]},
     * {@code LMSG subject [reply | + reply q.. | | q..] size}, {@code HMSG subject ... hdr size}; RMSG and RS+/-
     * are unknown ops there.
     */
    private final boolean leaf;

    /** A parser of the route protocol. */
    public RouteProtocolParser() {
        this(false);
    }

    /** A parser of the route protocol, or with {@code leaf} of the leaf-node protocol. */
    public RouteProtocolParser(boolean leaf) {
        this.leaf = leaf;
    }

    public boolean failed() {
        return failed;
    }

    /** Bytes (from the reader index) the op cut at the end of the buffer needs; 0 if unknown (a cut line). */
    public int bytesNeeded() {
        return needBytes;
    }

    /** Number of queue names of the message being delivered. */
    @Override
    public int queueCount() {
        return queueCount;
    }

    /** Queue name {@code i} of the message being delivered (allocates a String). */
    public String queue(int i) {
        int a = queueFirst + i;
        return current.toString(argStart[a], argEnd[a] - argStart[a], StandardCharsets.UTF_8);
    }

    /** True if queue name {@code i} equals {@code name}, without allocating. */
    @Override
    public boolean queueEquals(int i, String name) {
        int a = queueFirst + i;
        int len = argEnd[a] - argStart[a];
        if (len != name.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (current.getByte(argStart[a] + k) != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Unchecked byte reads of the buffer being parsed (the bounds are the readable range). */
    private final io.natsboot.server.protocol.FastBytes bytes = new io.natsboot.server.protocol.FastBytes();

    public void parse(ByteBuf in, RouteOps ops) {
        current = in;
        bytes.bind(in);
        while (!failed && in.isReadable() && !ops.parsingPaused()) {
            if (needBytes > 0) {
                if (in.readableBytes() < needBytes) {
                    return; // the payload of the message whose line was parsed is not all here yet
                }
                needBytes = 0;
            }
            int start = in.readerIndex();
            int end = in.writerIndex();
            int opStart = start;
            while (opStart < end && (bytes.get(opStart) == ' ' || bytes.get(opStart) == '\t')) {
                opStart++;
            }
            if (opStart == end) {
                if (end - start > MAX_LINE) {
                    fail(ops, "maximum control line exceeded", "route control line too long");
                }
                return;
            }
            int opLen = identify(opStart, end);
            if (leaf && opLen >= 0 && (lastOp == OP_RMSG || lastOp == OP_RS_PLUS || lastOp == OP_RS_MINUS)) {
                opLen = BAD_OP;
            }
            if (opLen == NEED_MORE) {
                return;
            }
            if (opLen == BAD_OP) {
                int stop = in.indexOf(opStart, Math.min(end, opStart + 32), (byte) '\n');
                stop = stop < 0 ? Math.min(end, opStart + 32) : stop > opStart && bytes.get(stop - 1) == '\r' ? stop - 1 : stop;
                fail(ops, "Unknown Protocol Operation", "Router parser ERROR, state=0, i=0: proto='"
                        + in.toString(opStart, stop - opStart, StandardCharsets.UTF_8) + "...'");
                return;
            }
            int from = Math.max(opStart + opLen, start + scannedOffset);
            int lf = from < end ? in.indexOf(from, end, (byte) '\n') : -1;
            if (lf < 0) {
                if (end - start > MAX_LINE) {
                    fail(ops, "maximum control line exceeded", "route control line too long");
                    return;
                }
                scannedOffset = end - start;
                return;
            }
            scannedOffset = 0;
            int lineEnd = lf > start && bytes.get(lf - 1) == '\r' ? lf - 1 : lf;
            int op = lastOp;
            switch (op) {
                case OP_RMSG:
                case OP_HMSG:
                case OP_LMSG:
                    split(start, lineEnd);
                    if (!message(op, in, lf, ops)) {
                        return;
                    }
                    break;
                case OP_RS_PLUS:
                case OP_LS_PLUS:
                    split(start, lineEnd);
                    in.readerIndex(lf + 1);
                    remoteSub(op == OP_LS_PLUS, in, ops);
                    break;
                case OP_RS_MINUS:
                case OP_LS_MINUS:
                    split(start, lineEnd);
                    in.readerIndex(lf + 1);
                    remoteUnsub(op == OP_LS_MINUS, in, ops);
                    break;
                case OP_A_PLUS:
                case OP_A_MINUS:
                    split(start, lineEnd);
                    in.readerIndex(lf + 1);
                    if (args != 2) {
                        fail(ops, null, "processAccountSub Parse Error: '" + rest(in, 1, argEnd[args - 1]) + "'");
                        return;
                    }
                    ops.onAccountInterest(arg(in, 1), op == OP_A_PLUS);
                    break;
                case OP_PING:
                    in.readerIndex(lf + 1);
                    ops.onPing();
                    break;
                case OP_PONG:
                    in.readerIndex(lf + 1);
                    ops.onPong();
                    break;
                case OP_OK:
                case OP_EMPTY: // an empty line: nats-server would not get here; skip it
                    in.readerIndex(lf + 1);
                    break;
                case OP_ERR:
                    in.readerIndex(lf + 1);
                    ops.onErr(unquote(text(in, opStart + opLen, lineEnd)));
                    break;
                case OP_INFO:
                    in.readerIndex(lf + 1);
                    ops.onInfo(text(in, opStart + opLen, lineEnd));
                    break;
                case OP_CONNECT:
                    in.readerIndex(lf + 1);
                    ops.onConnect(text(in, opStart + opLen, lineEnd));
                    break;
                default:
                    throw new IllegalStateException("op " + op);
            }
        }
    }

    /**
     * Checks the op name at {@code start} byte by byte: returns its length (the name and the space, tab or line end
     * after it), NEED_MORE, or BAD_OP. Sets {@link #lastOp}.
     */
    private int identify(int start, int end) {
        byte b = bytes.get(start);
        switch (b) {
            case 'R': case 'r':
            case 'L': case 'l': {
                boolean leaf = b == 'L' || b == 'l';
                if (start + 1 >= end) {
                    return NEED_MORE;
                }
                byte c = bytes.get(start + 1);
                if (c == 'M' || c == 'm') {
                    lastOp = leaf ? OP_LMSG : OP_RMSG;
                    return letters(start, end, leaf ? "LMSG" : "RMSG");
                }
                if (c == 'S' || c == 's') {
                    if (start + 2 >= end) {
                        return NEED_MORE;
                    }
                    byte d = bytes.get(start + 2);
                    if (d == '+') {
                        lastOp = leaf ? OP_LS_PLUS : OP_RS_PLUS;
                    } else if (d == '-') {
                        lastOp = leaf ? OP_LS_MINUS : OP_RS_MINUS;
                    } else {
                        return BAD_OP;
                    }
                    return separator(start, end, 3);
                }
                return BAD_OP;
            }
            case 'A': case 'a': {
                if (start + 1 >= end) {
                    return NEED_MORE;
                }
                byte c = bytes.get(start + 1);
                if (c == '+') {
                    lastOp = OP_A_PLUS;
                } else if (c == '-') {
                    lastOp = OP_A_MINUS;
                } else {
                    return BAD_OP;
                }
                return separator(start, end, 2);
            }
            case 'H': case 'h':
                lastOp = OP_HMSG;
                return letters(start, end, "HMSG");
            case 'P': case 'p': {
                if (start + 1 >= end) {
                    return NEED_MORE;
                }
                byte c = bytes.get(start + 1);
                if (c == 'I' || c == 'i') {
                    lastOp = OP_PING;
                    return letters(start, end, "PING");
                }
                if (c == 'O' || c == 'o') {
                    lastOp = OP_PONG;
                    return letters(start, end, "PONG");
                }
                return BAD_OP;
            }
            case '+':
                lastOp = OP_OK;
                return letters(start, end, "+OK");
            case '-':
                lastOp = OP_ERR;
                return letters(start, end, "-ERR");
            case 'I': case 'i':
                lastOp = OP_INFO;
                return letters(start, end, "INFO");
            case 'C': case 'c':
                lastOp = OP_CONNECT;
                return letters(start, end, "CONNECT");
            case '\r': case '\n':
                lastOp = OP_EMPTY;
                return 0;
            default:
                return BAD_OP;
        }
    }

    /** The letters of {@code word} (case-insensitive) from {@code start}, then the end of the op name. */
    private int letters(int start, int end, String word) {
        int n = word.length();
        for (int k = 1; k < n; k++) {
            if (start + k >= end) {
                return NEED_MORE;
            }
            byte b = bytes.get(start + k);
            char w = word.charAt(k);
            if (b != w && b != Character.toLowerCase(w)) {
                return BAD_OP;
            }
        }
        return separator(start, end, n);
    }

    /** The op name is {@code n} bytes long: a space, tab or line end must follow it. */
    private int separator(int start, int end, int n) {
        if (start + n >= end) {
            return NEED_MORE;
        }
        byte s = bytes.get(start + n);
        return s == ' ' || s == '\t' || s == '\r' || s == '\n' ? n : BAD_OP;
    }

    private boolean message(int op, ByteBuf in, int lf, RouteOps ops) {
        boolean lmsg = op == OP_LMSG;
        // A routed LMSG always carries a header size; a leaf LMSG never does (HMSG has headers there).
        boolean headers = op == OP_HMSG || (lmsg && !leaf);
        // On routes LMSG has the origin cluster before the account; on leaf connections there is neither.
        int first = leaf ? 1 : lmsg ? 2 : 1;
        // account subject [reply | + reply q... | | q...] [hdr] size
        int sizes = headers ? 2 : 1;
        int n = args - first;
        int named = leaf ? 1 : 2; // account and subject, or the subject alone
        if (n < named + sizes) {
            fail(ops, null, "processRoutedMsgArgs Parse Error: '" + rest(in, 1, argEnd[args - 1]) + "'");
            return false;
        }
        int account = leaf ? -1 : first;
        int subject = leaf ? 1 : first + 1;
        int replyArg = -1;
        queueFirst = 0;
        queueCount = 0;
        int middle = n - named - sizes; // arguments between subject and the sizes
        if (middle == 1) {
            replyArg = subject + 1;
        } else if (middle > 1) {
            int ind = subject + 1;
            int indLen = argEnd[ind] - argStart[ind];
            byte c = in.getByte(argStart[ind]);
            if (indLen != 1 || (c != '+' && c != '|')) {
                fail(ops, null, "processRoutedMsgArgs Bad or Missing Reply Indicator: '"
                        + in.toString(argStart[ind], indLen, StandardCharsets.UTF_8) + "'");
                return false;
            }
            if (c == '+') {
                replyArg = ind + 1;
                queueFirst = ind + 2;
            } else {
                queueFirst = ind + 1;
            }
            queueCount = args - sizes - queueFirst;
        }
        int total = size(in, args - 1);
        int headerLength = headers ? size(in, args - 2) : -1;
        if (total < 0 || (headers && (headerLength < 0 || headerLength > total))) {
            fail(ops, null, "processRoutedMsgArgs Bad or Missing Size: '" + rest(in, 1, argEnd[args - 1]) + "'");
            return false;
        }
        int payloadStart = lf + 1;
        if (in.writerIndex() < payloadStart + total + 2) {
            needBytes = payloadStart + total + 2 - in.readerIndex();
            return false; // wait for the payload; the line is parsed again then
        }
        if (in.getByte(payloadStart + total) != '\r' || in.getByte(payloadStart + total + 1) != '\n') {
            fail(ops, null, "Router parser ERROR: payload not followed by CRLF");
            return false;
        }
        in.readerIndex(payloadStart + total + 2);
        if (lmsg && !leaf && headerLength == 0) {
            headerLength = -1; // LMSG always carries a header size; 0 means none
        }
        ops.onMessage(in, account < 0 ? 0 : argStart[account], account < 0 ? 0 : argEnd[account] - argStart[account],
                argStart[subject], argEnd[subject] - argStart[subject],
                replyArg < 0 ? 0 : argStart[replyArg], replyArg < 0 ? 0 : argEnd[replyArg] - argStart[replyArg],
                headerLength, payloadStart, total);
        queueCount = 0;
        return true;
    }

    private void remoteSub(boolean ls, ByteBuf in, RouteOps ops) {
        if (leaf) {
            // LS+ subject [queue weight]: the leaf connection's account
            int n = args - 1;
            if (n != 1 && n != 3) {
                fail(ops, null, "processLeafSub Parse Error: '" + rest(in, 1, argEnd[args - 1]) + "'");
                return;
            }
            ops.onRemoteSub(null, arg(in, 1), n == 3 ? arg(in, 2) : null, n == 3 ? Math.max(size(in, 3), 0) : 1);
            return;
        }
        int first = ls ? 2 : 1; // LS+ has the origin cluster first
        int n = args - first;
        if (n != 2 && n != 4) {
            fail(ops, null, "processRemoteSub Parse Error: '" + rest(in, 1, argEnd[args - 1]) + "'");
            return;
        }
        String account = arg(in, first);
        String subject = arg(in, first + 1);
        if (n == 2) {
            ops.onRemoteSub(account, subject, null, 1);
        } else {
            int weight = size(in, first + 3);
            ops.onRemoteSub(account, subject, arg(in, first + 2), Math.max(weight, 0));
        }
    }

    private void remoteUnsub(boolean ls, ByteBuf in, RouteOps ops) {
        int n = args - 1;
        if (leaf) {
            if (n != 1 && n != 2) {
                fail(ops, null, "processLeafUnsub Parse Error: '" + rest(in, 1, argEnd[args - 1]) + "'");
                return;
            }
            ops.onRemoteUnsub(null, arg(in, 1), n == 2 ? arg(in, 2) : null);
            return;
        }
        if (n != 2 && n != 3) {
            fail(ops, null, "processRemoteUnsub Parse Error: '" + rest(in, 1, argEnd[args - 1]) + "'");
            return;
        }
        ops.onRemoteUnsub(arg(in, 1), arg(in, 2), n == 3 ? arg(in, 3) : null);
    }

    private void fail(RouteOps ops, String errText, String logDetail) {
        failed = true;
        ops.onProtocolError(errText, logDetail);
    }

    private void split(int from, int to) {
        args = 0;
        int i = from;
        while (i < to) {
            byte b = bytes.get(i);
            if (b == ' ' || b == '\t') {
                i++;
                continue;
            }
            int s = i;
            while (i < to) {
                b = bytes.get(i);
                if (b == ' ' || b == '\t') {
                    break;
                }
                i++;
            }
            if (args == argStart.length) {
                argStart = Arrays.copyOf(argStart, args * 2);
                argEnd = Arrays.copyOf(argEnd, args * 2);
            }
            argStart[args] = s;
            argEnd[args] = i;
            args++;
        }
    }

    private String arg(ByteBuf in, int i) {
        return in.toString(argStart[i], argEnd[i] - argStart[i], StandardCharsets.UTF_8);
    }

    /** The line from {@code from} to {@code lineEnd}, trimmed, as text (INFO/CONNECT JSON, -ERR text). */
    private static String text(ByteBuf in, int from, int lineEnd) {
        return from >= lineEnd ? "" : in.toString(from, lineEnd - from, StandardCharsets.UTF_8).trim();
    }

    /** The line from argument {@code i} to {@code lineEnd}, as text (for error log lines). */
    private String rest(ByteBuf in, int i, int lineEnd) {
        if (i >= args) {
            return "";
        }
        return in.toString(argStart[i], lineEnd - argStart[i], StandardCharsets.UTF_8).trim();
    }

    /** A decimal argument, or -1 if it is not one. */
    private int size(ByteBuf in, int i) {
        int s = argStart[i];
        int e = argEnd[i];
        if (e - s == 0 || e - s > 10) {
            return -1;
        }
        long v = 0;
        for (int k = s; k < e; k++) {
            byte b = bytes.get(k);
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && s.charAt(0) == '\'' && s.charAt(s.length() - 1) == '\'') {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
