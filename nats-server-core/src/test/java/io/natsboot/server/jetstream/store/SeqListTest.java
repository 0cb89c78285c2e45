package io.natsboot.server.jetstream.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** SeqList against a plain deque: appends, removals at the front and in the middle, growth after removals. */
class SeqListTest {
    @Test
    void behavesLikeASortedDeque() {
        Random r = new Random(7);
        SeqList l = new SeqList();
        ArrayDeque<Long> model = new ArrayDeque<>();
        long next = 1;
        for (int i = 0; i < 200_000; i++) {
            int op = r.nextInt(10);
            if (op < 6) {
                l.add(next);
                model.add(next);
                next++;
            } else if (op < 9 && !model.isEmpty()) {
                long first = model.pollFirst();
                assertThat(l.remove(first)).isTrue();
            } else if (!model.isEmpty()) {
                Long[] all = model.toArray(new Long[0]);
                long victim = all[r.nextInt(all.length)];
                model.remove(victim);
                assertThat(l.remove(victim)).isTrue();
            }
            assertThat(l.size()).isEqualTo(model.size());
            if (!model.isEmpty()) {
                assertThat(l.first()).isEqualTo(model.peekFirst());
                assertThat(l.last()).isEqualTo(model.peekLast());
            }
            if (model.size() > 64) {
                // keep it small so removals in the middle stay cheap
                while (model.size() > 16) {
                    l.remove(model.pollFirst());
                }
            }
        }
    }
}
