package io.natsboot.server.cluster;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes the route protocol (reference §4) from a cumulation buffer, in place: a control line per op,
 * then for RMSG/HMSG/LMSG the payload and CRLF. A read may end anywhere; incomplete ops stay unread.
 * Routes carry far fewer distinct op shapes than clients and no per-op limits, so this is a plain
 * line splitter rather than the client parser's byte state machine; message arguments are still
 * passed as index ranges, and nothing is allocated per message without queue names.
 */
final class RouteProtocolParser {
    /** Longest control line accepted (an RMSG with many queue names, a big INFO). */
    static final int MAX_LINE = 1 << 20;

    private int[] argStart = new int[8];
    private int[] argEnd = new int[8];
    private int args;
    private ByteBuf current;
    private int queueFirst;
    private int queueCount;
    private boolean failed;
    /** Bytes from the reader index that the message waiting for its payload needs in all; 0 if not waiting. */
    private int needBytes;

    boolean failed() {
        return failed;
    }

    /** Bytes (from the reader index) the op cut at the end of the buffer needs; 0 if unknown (a cut line). */
    int bytesNeeded() {
        return needBytes;
    }

    /** Number of queue names of the message being delivered. */
    int queueCount() {
        return queueCount;
    }

    /** Queue name {@code i} of the message being delivered (allocates a String). */
    String queue(int i) {
        int a = queueFirst + i;
        return current.toString(argStart[a], argEnd[a] - argStart[a], StandardCharsets.UTF_8);
    }

    /** True if queue name {@code i} equals {@code name}, without allocating. */
    boolean queueEquals(int i, String name) {
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

    void parse(ByteBuf in, RouteOps ops) {
        current = in;
        bytes.bind(in);
        needBytes = 0;
        while (!failed && in.isReadable()) {
            int start = in.readerIndex();
            int end = in.writerIndex();
            int lf = in.indexOf(start, end, (byte) '\n');
            if (lf < 0) {
                if (end - start > MAX_LINE) {
                    fail(ops, "maximum control line exceeded", "route control line too long");
                }
                return;
            }
            int lineEnd = lf > start && bytes.get(lf - 1) == '\r' ? lf - 1 : lf;
            split(in, start, lineEnd);
            if (args == 0) { // an empty line: nats-server would not get here; skip it
                in.readerIndex(lf + 1);
                continue;
            }
            String op = opName(in);
            switch (op) {
                case "RMSG":
                case "HMSG":
                case "LMSG":
                    if (!message(op, in, lf, ops)) {
                        return;
                    }
                    break;
                case "RS+":
                case "LS+":
                    in.readerIndex(lf + 1);
                    remoteSub(op.charAt(0) == 'L', in, ops);
                    break;
                case "RS-":
                case "LS-":
                    in.readerIndex(lf + 1);
                    remoteUnsub(in, ops);
                    break;
                case "PING":
                    in.readerIndex(lf + 1);
                    ops.onPing();
                    break;
                case "PONG":
                    in.readerIndex(lf + 1);
                    ops.onPong();
                    break;
                case "+OK":
                    in.readerIndex(lf + 1);
                    break;
                case "-ERR":
                    in.readerIndex(lf + 1);
                    ops.onErr(unquote(rest(in, 1, lineEnd)));
                    break;
                case "INFO":
                    in.readerIndex(lf + 1);
                    ops.onInfo(rest(in, 1, lineEnd));
                    break;
                case "CONNECT":
                    in.readerIndex(lf + 1);
                    ops.onConnect(rest(in, 1, lineEnd));
                    break;
                default:
                    fail(ops, "Unknown Protocol Operation", "Router parser ERROR, state=0, i=0: proto='"
                            + in.toString(start, Math.min(lineEnd - start, 32), StandardCharsets.UTF_8) + "...'");
                    return;
            }
        }
    }

    private static final String[] OPS = {"RMSG", "HMSG", "LMSG", "RS+", "RS-", "LS+", "LS-", "PING", "PONG",
        "+OK", "-ERR", "INFO", "CONNECT"};

    /** The op of the current line as one of {@link #OPS} (case-insensitive, no allocation), else its text. */
    private String opName(ByteBuf in) {
        int s = argStart[0];
        int len = argEnd[0] - s;
        for (String op : OPS) {
            if (op.length() == len && sameIgnoringCase(s, op)) {
                return op;
            }
        }
        return in.toString(s, len, StandardCharsets.US_ASCII);
    }

    private boolean sameIgnoringCase(int at, String op) {
        for (int i = 0; i < op.length(); i++) {
            int b = bytes.get(at + i);
            if (b >= 'a' && b <= 'z') {
                b -= 'a' - 'A';
            }
            if (b != op.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean message(String op, ByteBuf in, int lf, RouteOps ops) {
        boolean lmsg = op.charAt(0) == 'L';
        boolean headers = op.charAt(0) != 'R';
        int first = lmsg ? 2 : 1; // LMSG has the origin cluster before the account
        // account subject [reply | + reply q... | | q...] [hdr] size
        int sizes = headers ? 2 : 1;
        int n = args - first;
        if (n < 2 + sizes) {
            fail(ops, null, "processRoutedMsgArgs Parse Error: '" + rest(in, 1, argEnd[args - 1]) + "'");
            return false;
        }
        int account = first;
        int subject = first + 1;
        int replyArg = -1;
        queueFirst = 0;
        queueCount = 0;
        int middle = n - 2 - sizes; // arguments between subject and the sizes
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
        if (lmsg && headerLength == 0) {
            headerLength = -1; // LMSG always carries a header size; 0 means none
        }
        ops.onMessage(in, argStart[account], argEnd[account] - argStart[account],
                argStart[subject], argEnd[subject] - argStart[subject],
                replyArg < 0 ? 0 : argStart[replyArg], replyArg < 0 ? 0 : argEnd[replyArg] - argStart[replyArg],
                headerLength, payloadStart, total);
        queueCount = 0;
        return true;
    }

    private void remoteSub(boolean leaf, ByteBuf in, RouteOps ops) {
        int first = leaf ? 2 : 1; // LS+ has the origin cluster first
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

    private void remoteUnsub(ByteBuf in, RouteOps ops) {
        int n = args - 1;
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

    private void split(ByteBuf in, int from, int to) {
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

    /** The line from argument {@code i} to {@code lineEnd}, as text (INFO/CONNECT JSON, -ERR text). */
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
