package io.natsboot.server.connection;

import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.Subjects;
import io.natsboot.server.subject.SubscriptionTrie;
import io.natsboot.server.protocol.FastBytes;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A publisher's own cache of recently published subjects: maps the subject bytes of a PUB to
 * the subject string and its match result, without allocating on a hit. Entries are refreshed
 * when the trie's generation changed. Confined to the connection's event loop, so it needs no
 * locking; direct-mapped, a collision simply replaces the older entry.
 */
public final class SubjectCache {
    private static final int SIZE = 256;

    public static final class Entry {
        final byte[] bytes;
        /** {@link #bytes} as little-endian words (the last one zero-padded), for word-wise comparison. */
        final long[] words;
        final int hash;
        final String subject;
        long generation;
        MatchResult<Subscription> result;

        /** The match result for this subject as of the last lookup. */
        /** The subject as a string. */
        public String subject() {
            return subject;
        }

        public MatchResult<Subscription> result() {
            return result;
        }
        private int validPublish;
        /** The permissions {@link #pubAllowed} was decided with; null = not decided. */
        Object permsOf;
        /** The static publish permission decision for this subject (see ClientConnection.publishAllowed). */
        boolean pubAllowed;

        /** The pedantic publish-subject check, computed once per cached subject. */
        boolean validPublishSubject() {
            if (validPublish == 0) {
                validPublish = validLiteralSubject(subject) ? 1 : -1;
            }
            return validPublish > 0;
        }

        Entry(byte[] bytes, int hash, String subject) {
            this.bytes = bytes;
            this.hash = hash;
            this.subject = subject;
            this.words = new long[(bytes.length + 7) >>> 3];
            for (int i = 0, at = 0; i < words.length; i++, at += 8) {
                words[i] = FastBytes.word(bytes, at, Math.min(8, bytes.length - at));
            }
        }
    }

    /**
     * nats-server's pedantic publish check (IsValidLiteralSubject): no empty token and no {@code *} or
     * {@code >} token. Unlike {@link Subjects#isValidPublishSubject} it does not reject whitespace: a PUB
     * subject can contain CR or form feed (only spaces and tabs separate PUB arguments) and nats-server
     * accepts it without -ERR.
     */
    static boolean validLiteralSubject(String subject) {
        int start = 0;
        for (int i = 0, n = subject.length(); i <= n; i++) {
            if (i == n || subject.charAt(i) == Subjects.SEPARATOR) {
                int len = i - start;
                if (len == 0) {
                    return false;
                }
                if (len == 1) {
                    char c = subject.charAt(start);
                    if (c == Subjects.SINGLE_WILDCARD || c == Subjects.TAIL_WILDCARD) {
                        return false;
                    }
                }
                start = i + 1;
            }
        }
        return true;
    }

    private final Entry[] table = new Entry[SIZE];

    /** {@code fast} must be bound to {@code buf}. */
    public Entry lookup(FastBytes fast, ByteBuf buf, int start, int length, SubscriptionTrie<Subscription> trie) {
        int h = hash(fast, start, length);
        int slot = (h ^ (h >>> 16)) & (SIZE - 1);
        Entry e = table[slot];
        if (e == null || e.hash != h || !sameBytes(e, fast, start, length)) {
            byte[] bytes = new byte[length];
            buf.getBytes(start, bytes);
            e = new Entry(bytes, h, new String(bytes, StandardCharsets.UTF_8));
            e.generation = -1;
            table[slot] = e;
        }
        long gen = trie.generation();
        if (e.generation != gen) {
            // Read the generation before matching: a change during the match forces a refresh next time.
            e.result = oneShot(e.subject) ? trie.matchOnce(e.subject) : trie.match(e.subject);
            e.generation = gen;
        }
        return e;
    }

    /**
     * A JetStream ack ({@code $JS.ACK.<stream>.<consumer>.<counts and sequences>}): every one is a new subject,
     * published once. Matched without entering the account's match cache, which would otherwise take one entry
     * per acknowledged message and be swept every few hundred acks.
     */
    private static boolean oneShot(String subject) {
        return subject.startsWith("$JS.ACK.");
    }

    /** A hash of the subject bytes, read a word (8 bytes) at a time. */
    private static int hash(FastBytes bytes, int start, int length) {
        int h = length;
        for (int at = start, end = start + length; at < end; at += 8) {
            long w = bytes.word(at, Math.min(8, end - at));
            h = 31 * h + (int) (w ^ (w >>> 32));
        }
        return h;
    }

    private static boolean sameBytes(Entry e, FastBytes bytes, int start, int length) {
        if (e.bytes.length != length) {
            return false;
        }
        long[] words = e.words;
        for (int i = 0, at = start; i < words.length; i++, at += 8) {
            if (words[i] != bytes.word(at, Math.min(8, length - (at - start)))) {
                return false;
            }
        }
        return true;
    }
}
