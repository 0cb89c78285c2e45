package io.natsboot.server.log;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.config.ServerOptions;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.TimeZone;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The log of the standalone server, line for line in nats-server's format (protocol reference §6.1):
 *
 * <pre>
 * [&lt;pid&gt;] 2026/11/22 19:23:46.594360 [INF] message      (logtime on, the default)
 * [&lt;pid&gt;] [INF] message                                 (-T=false)
 * </pre>
 *
 * Local time with microseconds. On a terminal the level label is coloured with the same ANSI codes as
 * nats-server (INF green, DBG cyan, WRN bright yellow, ERR/FTL red, TRC yellow); files and pipes get plain
 * labels. Each line is one {@code write} to the underlying stream, under a lock, so lines from several
 * threads never interleave. {@link #debug}/{@link #trace} return at once when their level is off.
 *
 * <p>{@link #fatal} only writes the line: unlike nats-server's logger it does not exit the process, so an
 * embedding application keeps control. The launcher exits after it.
 */
public final class NatsFormatLog implements ServerLog, Closeable {

    /** System property the launcher sets to say whether stderr is a terminal ({@code [ -t 2 ]}). */
    public static final String STDERR_TTY_PROPERTY = "natsboot.stderr.tty";

    private enum Level {
        INF("32"), WRN("0;93"), ERR("31"), FTL("31"), DBG("36"), TRC("33");

        final byte[] plain;
        final byte[] colored;

        Level(String color) {
            plain = ascii("[" + name() + "] ");
            colored = ascii("[\u001b[" + color + "m" + name() + "\u001b[0m] ");
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] pidPrefix;
    // logTime, colors, localOffset and file change only on a configuration reload, under lock.
    private volatile boolean logTime;
    private volatile boolean colors;
    private final Clock clock;
    private LocalOffset localOffset;
    private volatile Path file;
    private OutputStream out;
    /** {@code logfile_size_limit}: rotate a file log once it holds more than this; 0 = never. */
    private long sizeLimit;
    /** {@code syslog} / {@code remote_syslog}: lines go there instead of {@link #out}; null = none. */
    private volatile SyslogSink syslog;
    /** Bytes in the current log file (its size when opened, plus what we wrote); guarded by lock. */
    private long written;

    private volatile boolean debug;
    private volatile boolean trace;

    // Guarded by lock: the line being built and the date/time text of the last second seen.
    private byte[] buf = new byte[256];
    private int len;
    private long cachedSecond = Long.MIN_VALUE;
    private final byte[] cachedDateTime = new byte[20]; // "YYYY/MM/DD HH:MM:SS."

    private NatsFormatLog(OutputStream out, Path file, long pid, boolean logTime, boolean colors,
                          boolean debug, boolean trace, Clock clock, LocalOffset localOffset) {
        this.out = out;
        this.file = file;
        this.pidPrefix = ascii("[" + pid + "] ");
        this.logTime = logTime;
        this.colors = colors;
        this.debug = debug;
        this.trace = trace;
        this.clock = clock;
        this.localOffset = localOffset;
    }

    /** The launcher's log: {@code -l} file if set, else stderr; {@code -T}, {@code -D}, {@code -V} from the options. */
    public static NatsFormatLog forOptions(ServerOptions options) throws IOException {
        if (options.logFile() != null && !options.logFile().isEmpty()) {
            NatsFormatLog log = toFile(Path.of(options.logFile()), options.logTime(), options.debug(),
                    options.trace());
            log.setSizeLimit(options.logSizeLimit());
            return log;
        }
        NatsFormatLog log = toStderr(options.logTime(), options.debug(), options.trace());
        log.syslog = syslogFor(options);
        return log;
    }

    /**
     * The syslog sink the options ask for, as nats-server chooses its logger: a log file wins, then
     * {@code remote_syslog}, then {@code syslog}; null for none (file or stderr).
     */
    public static SyslogSink syslogFor(ServerOptions options) throws SyslogSink.SyslogException {
        if (options.logFile() != null && !options.logFile().isEmpty()) {
            return null;
        }
        String exe = System.getProperty("natsboot.exe", "nats-server");
        String tag = exe.substring(exe.lastIndexOf('/') + 1);
        if (options.remoteSyslog() != null && !options.remoteSyslog().isEmpty()) {
            return SyslogSink.remote(options.remoteSyslog(), tag, pid(), Clock.systemDefaultZone());
        }
        if (options.syslog()) {
            return SyslogSink.local(tag, pid(), Clock.systemDefaultZone());
        }
        return null;
    }

    /** Opens {@code file} for appending (creating it as a log file would be) and closes it again. */
    public static void checkWritable(Path file) throws IOException {
        openAppend(file).close();
    }

    /** Configuration reload of {@code syslog} / {@code remote_syslog}: later lines go to {@code sink} (or not). */
    public void switchSyslog(SyslogSink sink) {
        SyslogSink old;
        lock.lock();
        try {
            old = syslog;
            syslog = sink;
        } finally {
            lock.unlock();
        }
        if (old != null && old != sink) {
            old.close();
        }
    }

    /** True when lines go to a syslog. */
    public boolean isSyslog() {
        return syslog != null;
    }

    /** Logs to the process's stderr (unbuffered, one write per line), coloured when stderr is a terminal. */
    public static NatsFormatLog toStderr(boolean logTime, boolean debug, boolean trace) {
        // Clock.systemUTC(), not systemDefaultZone(): the local offset comes from LocalOffset, cheaply.
        return new NatsFormatLog(new FileOutputStream(FileDescriptor.err), null, pid(), logTime,
                stderrIsTerminal(), debug, trace, Clock.systemUTC(), LocalOffset.system(logTime));
    }

    /**
     * Appends to {@code file}, creating it (mode 0660 before umask, as nats-server) if missing. Plain labels.
     */
    public static NatsFormatLog toFile(Path file, boolean logTime, boolean debug, boolean trace) throws IOException {
        return toFile(file, logTime, debug, trace, Clock.systemUTC());
    }

    /** {@link #toFile(Path, boolean, boolean, boolean)} with a clock (its zone is the one shown); for tests. */
    public static NatsFormatLog toFile(Path file, boolean logTime, boolean debug, boolean trace, Clock clock)
            throws IOException {
        NatsFormatLog log = new NatsFormatLog(openAppend(file), file, pid(), logTime, false, debug, trace,
                clock, clock.getZone().equals(ZoneOffset.UTC) ? LocalOffset.system(logTime)
                        : new LocalOffset.OfZone(clock.getZone().getRules()));
        log.written = sizeOf(file);
        return log;
    }

    /**
     * nats-server's {@code logfile_size_limit} ({@code --log_size_limit}): when a line takes a file log past
     * {@code bytes}, the file is renamed to {@code <file>.YYYY.MM.DD.hh.mm.ss.nnnnnnnnn} (local time,
     * nanoseconds) and a new one started with the line
     * {@code [INF] Rotated log, backup saved as "<backup>"}. 0 or less: never. The size of a file that
     * existed counts.
     */
    public void setSizeLimit(long bytes) {
        lock.lock();
        try {
            sizeLimit = Math.max(0, bytes);
        } finally {
            lock.unlock();
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Logs to any stream; for tests and embedding. The clock's zone is the one the time is shown in. */
    public static NatsFormatLog toStream(OutputStream out, long pid, boolean logTime, boolean colors,
                                         boolean debug, boolean trace, Clock clock) {
        return new NatsFormatLog(out, null, pid, logTime, colors, debug, trace, clock,
                new LocalOffset.OfZone(clock.getZone().getRules()));
    }

    @Override
    public void info(String msg) {
        write(Level.INF, msg);
    }

    @Override
    public void warn(String msg) {
        write(Level.WRN, msg);
    }

    @Override
    public void error(String msg) {
        write(Level.ERR, msg);
    }

    @Override
    public void fatal(String msg) {
        write(Level.FTL, msg);
    }

    @Override
    public void debug(String msg) {
        if (debug) {
            write(Level.DBG, msg);
        }
    }

    @Override
    public void trace(String msg) {
        if (trace) {
            write(Level.TRC, msg);
        }
    }

    @Override
    public boolean isDebug() {
        return debug;
    }

    @Override
    public boolean isTrace() {
        return trace;
    }

    public void setDebug(boolean on) {
        debug = on;
    }

    public void setTrace(boolean on) {
        trace = on;
    }

    /** Configuration reload of {@code logtime}. */
    public void setLogTime(boolean on) {
        lock.lock();
        try {
            if (on && !logTime) {
                localOffset = LocalOffset.system(true);
                cachedSecond = Long.MIN_VALUE;
            }
            logTime = on;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Configuration reload of {@code log_file}: later lines go to {@code newFile} (appended), or to stderr
     * when it is null or empty. On failure the log is left as it was.
     */
    public void switchFile(Path newFile) throws IOException {
        OutputStream next = newFile == null ? new FileOutputStream(FileDescriptor.err) : openAppend(newFile);
        lock.lock();
        try {
            OutputStream old = out;
            Path oldFile = file;
            out = next;
            file = newFile;
            written = newFile == null ? 0 : sizeOf(newFile);
            colors = newFile == null && stderrIsTerminal();
            if (oldFile != null) {
                try {
                    old.close();
                } catch (IOException ignored) {
                    // the new destination is in place
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** True when this log writes to a file ({@code -l}), i.e. {@link #reopen()} does something. */
    public boolean isFileLog() {
        return file != null;
    }

    /**
     * Closes and reopens the log file (SIGUSR1, for log rotation by an external tool). Returns false, doing
     * nothing, when this log does not write to a file.
     */
    public boolean reopen() throws IOException {
        if (file == null) {
            return false;
        }
        lock.lock();
        try {
            OutputStream old = out;
            out = openAppend(file);
            written = sizeOf(file);
            try {
                old.close();
            } catch (IOException ignored) {
                // the new file is in place; a failed close of the old one loses nothing
            }
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** Closes a file log; stderr is left open. */
    @Override
    public void close() throws IOException {
        SyslogSink sink = syslog;
        if (sink != null) {
            sink.close();
        }
        if (file != null) {
            lock.lock();
            try {
                out.close();
            } finally {
                lock.unlock();
            }
        }
    }

    private void write(Level level, String msg) {
        String m = msg == null ? "null" : msg;
        lock.lock();
        try {
            SyslogSink sink = syslog;
            if (sink != null) {
                sink.send(severity(level), m);
                return;
            }
            len = 0;
            append(pidPrefix);
            if (logTime) {
                appendTime();
            }
            append(colors ? level.colored : level.plain);
            appendUtf8(m);
            if (len == 0 || buf[len - 1] != '\n') {
                appendByte((byte) '\n');
            }
            out.write(buf, 0, len);
            if (sizeLimit > 0 && file != null) {
                written += len;
                if (written > sizeLimit) {
                    rotate();
                }
            }
            if (buf.length > 64 * 1024) {
                buf = new byte[256]; // don't keep a huge buffer after one huge trace line
            }
        } catch (IOException e) {
            // Nowhere left to report it; nats-server's logger drops the line as well.
        } finally {
            lock.unlock();
        }
    }

    private static int severity(Level level) {
        switch (level) {
            case DBG: return SyslogSink.DEBUG;
            case WRN: return SyslogSink.WARNING;
            case ERR: return SyslogSink.ERR;
            case FTL: return SyslogSink.CRIT;
            default: return SyslogSink.NOTICE; // INF, TRC
        }
    }

    /** Under lock, after a line took the file past the limit: nats-server's fileLogger.Write rotation. */
    private void rotate() throws IOException {
        Path f = file;
        out.close();
        Instant now = clock.instant();
        LocalDateTime t = LocalDateTime.ofEpochSecond(now.getEpochSecond(), now.getNano(),
                ZoneOffset.ofTotalSeconds((logTime ? localOffset : LocalOffset.system(true)).seconds(now)));
        // String.format would cost its class loading (tens of ms) on the first rotation, often at start-up.
        byte[] stamp = new byte[30]; // .YYYY.MM.DD.hh.mm.ss.nnnnnnnnn
        int i = 0;
        int[][] parts = {{t.getYear(), 4}, {t.getMonthValue(), 2}, {t.getDayOfMonth(), 2}, {t.getHour(), 2},
            {t.getMinute(), 2}, {t.getSecond(), 2}, {t.getNano(), 9}};
        for (int[] part : parts) {
            stamp[i++] = '.';
            i = digits(stamp, i, part[0], part[1]);
        }
        Path bak = Path.of(f + new String(stamp, 0, i, java.nio.charset.StandardCharsets.US_ASCII));
        try {
            Files.move(f, bak);
        } catch (IOException e) {
            // nats-server goes on with the same name: appending to the old file
        }
        out = openAppend(f);
        written = sizeOf(f);
        len = 0;
        append(pidPrefix);
        if (logTime) {
            appendTime();
        }
        append(Level.INF.plain);
        appendUtf8("Rotated log, backup saved as " + GoFormat.quote(bak.toString()) + "\n");
        out.write(buf, 0, len);
        written += len;
    }


    private void appendTime() {
        Instant now = clock.instant();
        long second = now.getEpochSecond();
        if (second != cachedSecond) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0,
                    ZoneOffset.ofTotalSeconds(localOffset.seconds(now)));
            int i = digits(cachedDateTime, 0, t.getYear(), 4);
            cachedDateTime[i++] = '/';
            i = digits(cachedDateTime, i, t.getMonthValue(), 2);
            cachedDateTime[i++] = '/';
            i = digits(cachedDateTime, i, t.getDayOfMonth(), 2);
            cachedDateTime[i++] = ' ';
            i = digits(cachedDateTime, i, t.getHour(), 2);
            cachedDateTime[i++] = ':';
            i = digits(cachedDateTime, i, t.getMinute(), 2);
            cachedDateTime[i++] = ':';
            i = digits(cachedDateTime, i, t.getSecond(), 2);
            cachedDateTime[i] = '.';
            cachedSecond = second;
        }
        append(cachedDateTime);
        ensure(7);
        len = digits(buf, len, now.getNano() / 1000, 6);
        buf[len++] = ' ';
    }

    private static int digits(byte[] dst, int at, int value, int width) {
        for (int p = at + width - 1; p >= at; p--) {
            dst[p] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    private void append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    private void appendByte(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void appendUtf8(String s) {
        int n = s.length();
        ensure(n * 3 + 1);
        byte[] b = buf;
        int p = len;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                b[p++] = '?';
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        len = p;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, len + extra)];
            System.arraycopy(buf, 0, bigger, 0, len);
            buf = bigger;
        }
    }

    private static OutputStream openAppend(Path file) throws IOException {
        return Channels.newOutputStream(Files.newByteChannel(file,
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw----"))));
    }

    /**
     * This process's id, as shown in log lines. Read from {@code /proc/self} where there is one: the first
     * use of {@link ProcessHandle} costs milliseconds of start-up.
     */
    public static long pid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid();
        }
    }

    /**
     * The offset of local time from UTC at an instant. Loading the JDK's time-zone data costs tens of
     * milliseconds at start-up, so a system on UTC (the usual server and container set-up) is recognised
     * from {@code user.timezone}, {@code TZ} or the {@code /etc/localtime} link without loading it.
     */
    abstract static class LocalOffset {
        abstract int seconds(Instant t);

        /** The system's local offset; when {@code needed} is false (no times logged) nothing is looked up. */
        static LocalOffset system(boolean needed) {
            return !needed || systemZoneIsUtc() ? new Fixed(0) : new OfTimeZone(TimeZone.getDefault());
        }

        static boolean systemZoneIsUtc() {
            String prop = System.getProperty("user.timezone");
            if (prop != null && !prop.isEmpty()) {
                return isUtcName(prop);
            }
            String tz = System.getenv("TZ");
            if (tz != null) {
                return isUtcName(tz.startsWith(":") ? tz.substring(1) : tz);
            }
            try {
                return isUtcName(Files.readSymbolicLink(Path.of("/etc/localtime")).toString());
            } catch (IOException | RuntimeException e) {
                return false; // a copied zone file, or no /etc/localtime: let the JDK decide
            }
        }

        /** A zone name or a path ending in one ({@code /usr/share/zoneinfo/Etc/UTC}) that means UTC. */
        static boolean isUtcName(String name) {
            String n = name;
            int i = n.lastIndexOf("zoneinfo/");
            if (i >= 0) {
                n = n.substring(i + "zoneinfo/".length());
            }
            if (n.startsWith("Etc/")) {
                n = n.substring(4);
            }
            switch (n) {
                case "UTC": case "UTC0": case "UCT": case "GMT": case "GMT0": case "GMT+0": case "GMT-0":
                case "Universal": case "Zulu": case "Greenwich":
                    return true;
                default:
                    return false;
            }
        }

        static final class Fixed extends LocalOffset {
            private final int seconds;

            Fixed(int seconds) {
                this.seconds = seconds;
            }

            @Override
            int seconds(Instant t) {
                return seconds;
            }
        }

        static final class OfTimeZone extends LocalOffset {
            private final TimeZone zone;

            OfTimeZone(TimeZone zone) {
                this.zone = zone;
            }

            @Override
            int seconds(Instant t) {
                return zone.getOffset(t.toEpochMilli()) / 1000;
            }
        }

        static final class OfZone extends LocalOffset {
            private final ZoneRules rules;

            OfZone(ZoneRules rules) {
                this.rules = rules;
            }

            @Override
            int seconds(Instant t) {
                return rules.getOffset(t).getTotalSeconds();
            }
        }
    }

    /**
     * Whether fd 2 is a terminal: the launcher's {@value #STDERR_TTY_PROPERTY} property if set, else where
     * {@code /proc/self/fd/2} points (Linux). Anything unknown counts as "not a terminal" (plain labels).
     */
    static boolean stderrIsTerminal() {
        String prop = System.getProperty(STDERR_TTY_PROPERTY);
        if (prop != null) {
            return Boolean.parseBoolean(prop.trim().toLowerCase(Locale.ROOT));
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
