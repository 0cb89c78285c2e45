package io.natsboot.server.jetstream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The ack reply subject parser: the 2.9 form, the 2.10+ form with domain and account hash, and bad input. */
class ConsumerAckInfoTest {
    @Test
    void twoNineForm() {
        Consumer.AckInfo a = Consumer.AckInfo.parse("$JS.ACK.ORDERS.worker.3.1024.77.1700000000123456789.12");
        assertEquals(new Consumer.AckInfo("ORDERS", "worker", 3, 1024, 77, 1700000000123456789L, 12), a);
    }

    @Test
    void twoTenFormWithDomainHashAndRandomToken() {
        Consumer.AckInfo a = Consumer.AckInfo.parse("$JS.ACK.hub.ACCHASH.S.C.1.2.3.4.5.rnd");
        assertEquals(new Consumer.AckInfo("S", "C", 1, 2, 3, 4, 5), a);
        assertEquals(new Consumer.AckInfo("S", "C", 1, 2, 3, 4, 5),
                Consumer.AckInfo.parse("$JS.ACK.hub.ACCHASH.S.C.1.2.3.4.5"));
    }

    @Test
    void trailingDotsDoNotCountAsTokens() {
        assertEquals(new Consumer.AckInfo("S", "C", 1, 2, 3, 4, 5), Consumer.AckInfo.parse("$JS.ACK.S.C.1.2.3.4.5.."));
    }

    @Test
    void malformedSubjectsAreIgnored() {
        assertNull(Consumer.AckInfo.parse("$JS.ACK.S.C.1.2.3.4"));
        assertNull(Consumer.AckInfo.parse("$JS.ACK.S.C.1.2.3.4.5.6"));
        assertNull(Consumer.AckInfo.parse("$JS.ACK.S.C.x.2.3.4.5"));
        assertNull(Consumer.AckInfo.parse("$JS.ACK.S.C.1..3.4.5"));
        assertNull(Consumer.AckInfo.parse("$JS.ACK.S.C.1.2.3.4.-"));
        assertNull(Consumer.AckInfo.parse(""));
        assertNull(Consumer.AckInfo.parse("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r"));
    }
}
