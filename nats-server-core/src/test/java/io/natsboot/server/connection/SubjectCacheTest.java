package io.natsboot.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.protocol.FastBytes;
import io.natsboot.server.subject.SubscriptionTrie;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The publisher's subject cache compares and hashes subjects a word at a time: a subject must find its own
 * entry, whatever its length and wherever it sits in the read buffer, and never another subject's.
 */
class SubjectCacheTest {
    private final SubscriptionTrie<Subscription> trie = new SubscriptionTrie<>();

    private static List<String> subjects() {
        List<String> all = new ArrayList<>();
        for (int len = 1; len <= 40; len++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < len; i++) {
                b.append((char) ('a' + (i * 7 + len) % 26));
            }
            all.add(b.toString());
            // Same length, differs in the last byte only (a zero-padded tail must still tell them apart).
            all.add(b.substring(0, len - 1) + "Z");
        }
        all.add("foo.bar");
        all.add("foo.baz");
        all.add("bench.subject");
        all.add("bench.subjecu");
        return all;
    }

    private SubjectCache.Entry lookup(SubjectCache cache, ByteBuf buf, String subject, int offset) {
        buf.clear();
        for (int i = 0; i < offset; i++) {
            buf.writeByte('#');
        }
        buf.writeBytes(subject.getBytes(StandardCharsets.US_ASCII));
        FastBytes fast = new FastBytes();
        fast.bind(buf);
        return cache.lookup(fast, buf, offset, subject.length(), trie);
    }

    private void findsEachSubjectItself(ByteBuf buf) {
        try {
            SubjectCache cache = new SubjectCache();
            for (int offset : new int[] {0, 1, 5, 8}) {
                for (String s : subjects()) {
                    SubjectCache.Entry first = lookup(cache, buf, s, offset);
                    assertThat(first.subject).isEqualTo(s);
                    // Again, at another offset and with the subject at the very end of the buffer's capacity.
                    SubjectCache.Entry again = lookup(cache, buf, s, offset + 3);
                    assertThat(again.subject).isEqualTo(s);
                }
            }
        } finally {
            buf.release();
        }
    }

    @Test
    void directBuffersReadWords() {
        findsEachSubjectItself(PooledByteBufAllocator.DEFAULT.directBuffer(64, 64));
    }

    @Test
    void heapBuffersGiveTheSameAnswers() {
        findsEachSubjectItself(Unpooled.buffer(64, 64));
    }

    @Test
    void wordsAreTheSameFromBuffersAndArrays() {
        byte[] bytes = "abcdefghijklmnopq".getBytes(StandardCharsets.US_ASCII);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length, bytes.length).writeBytes(bytes);
        try {
            FastBytes fast = new FastBytes();
            fast.bind(direct);
            for (int at = 0; at < bytes.length; at++) {
                for (int n = 1; n <= 8 && at + n <= bytes.length; n++) {
                    assertThat(fast.word(at, n)).as("at %d, %d bytes", at, n).isEqualTo(FastBytes.word(bytes, at, n));
                }
            }
        } finally {
            direct.release();
        }
    }
}
