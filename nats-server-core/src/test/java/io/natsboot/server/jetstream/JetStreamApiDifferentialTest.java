package io.natsboot.server.jetstream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same $JS.API requests (and publishes to stream subjects) to nats-server 2.9.10 and to our JetStream; every
 * reply must match after volatile fields (times, api counters, ephemeral names) are masked.
 */
class JetStreamApiDifferentialTest {
    @TempDir
    Path tmp;
    JetStreamPair p;

    @BeforeEach
    void start() throws Exception {
        p = new JetStreamPair(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        JetStreamPair.EXTRA_VOLATILE.clear();
        if (p != null) {
            p.close();
        }
    }

    private static Map<String, String> h(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private void assertNoDiffs() {
        assertThat(p.diffs).as(String.join("\n", p.transcript)).isEmpty();
    }

    @Test
    void streamCreateValidation() throws Exception {
        p.step("$JS.API.INFO", "");
        p.step("$JS.API.STREAM.CREATE.S1", "{\"name\":\"S1\",\"subjects\":[\"s1.>\"]}");
        p.step("$JS.API.STREAM.CREATE.S1", "{\"name\":\"S1\",\"subjects\":[\"s1.>\"]}");
        p.step("$JS.API.STREAM.CREATE.S1", "{\"name\":\"S1\",\"subjects\":[\"s1.x\"]}");
        p.step("$JS.API.STREAM.CREATE.S2", "{\"name\":\"S1\"}");
        p.step("$JS.API.STREAM.CREATE.S3", "{}");
        p.step("$JS.API.STREAM.CREATE.S3", "");
        p.step("$JS.API.STREAM.CREATE.S3", "{bad");
        p.step("$JS.API.STREAM.CREATE.S3", "null");
        p.step("$JS.API.STREAM.CREATE.S3", "[]");
        p.step("$JS.API.STREAM.CREATE.bad/name", "{\"name\":\"bad/name\"}");
        p.step("$JS.API.STREAM.CREATE.S*7", "{\"name\":\"S*7\"}");
        p.step(0, null, "$JS.API.STREAM.CREATE.S.7", "{\"name\":\"S.7\"}");
        p.step("$JS.API.STREAM.CREATE.S4", "{\"name\":\"S4\",\"subjects\":[\"s1.a\"]}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"retention\":\"bogus\"}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"storage\":\"bogus\"}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"discard\":\"bogus\"}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"num_replicas\":3}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"num_replicas\":-1}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"subjects\":[\"a b\"]}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"subjects\":[\"a.*.>\",\"a.b.c\"]}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"subjects\":[\"$JS.API.>\"]}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"subjects\":[\"x\",\"x\"]}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"max_age\":1000000000,\"duplicate_window\":100000000000}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"max_age\":50000000}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"sealed\":true}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"discard_new_per_subject\":true}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"discard\":\"new\",\"discard_new_per_subject\":true}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"deny_purge\":true,\"allow_rollup_hdrs\":true}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"mirror\":{\"name\":\"S1\"},\"subjects\":[\"x\"]}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"max_consumers\":5.5}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"sealed\":\"true\"}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"subjects\":\"x\"}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"mirror_direct\":true}");
        p.step("$JS.API.STREAM.CREATE.S6", "{\"name\":\"S6\",\"max_age\":-1}");
        p.step("$JS.API.STREAM.CREATE.S7", "{\"name\":\"S7\",\"subjects\":[\"s7\"],\"republish\":{\"src\":\"foo\",\"dest\":\"bar\"}}");
        p.step("$JS.API.STREAM.CREATE.S7", "{\"name\":\"S7\",\"subjects\":[\"s7\"],\"republish\":{\"src\":\">\",\"dest\":\"s7\"}}");
        p.step("$JS.API.STREAM.CREATE.S8", "{\"name\":\"S8\",\"max_msgs\":-5,\"max_bytes\":-3,\"max_msg_size\":-7,"
                + "\"max_consumers\":-9,\"max_msgs_per_subject\":-4,\"unknown_field\":1,\"description\":\"d\"}");
        p.step("$JS.API.STREAM.CREATE.S9", "{\"name\":\"S9\",\"subjects\":[\"s9.*\"],\"storage\":\"memory\",\"retention\":\"workqueue\","
                + "\"discard\":\"new\",\"max_msgs_per_subject\":3,\"discard_new_per_subject\":true,\"allow_direct\":true,"
                + "\"allow_rollup_hdrs\":true,\"deny_delete\":true,\"no_ack\":true,\"placement\":{},\"max_age\":5000000000,"
                + "\"republish\":{\"src\":\"s9.a\",\"dest\":\"rp.a\",\"headers_only\":true}}");
        p.step("$JS.API.STREAM.CREATE.M1", "{\"name\":\"M1\",\"mirror\":{\"name\":\"S1\"}}");
        p.step("$JS.API.STREAM.CREATE.SRC", "{\"name\":\"SRC\",\"sources\":[{\"name\":\"S1\",\"opt_start_seq\":5,"
                + "\"filter_subject\":\"s1.x\"},{\"name\":\"ZZ\",\"opt_start_time\":\"2020-01-01T00:00:00Z\"}]}");
        p.step("$JS.API.STREAM.NAMES", "");
        p.step("$JS.API.STREAM.NAMES", "{\"subject\":\"s1.*\"}");
        p.step("$JS.API.STREAM.NAMES", "{\"subject\":\"nothing\"}");
        p.step("$JS.API.STREAM.NAMES", "{\"offset\":2}");
        p.step("$JS.API.STREAM.NAMES", "{bad");
        p.step("$JS.API.STREAM.LIST", "");
        p.step("$JS.API.STREAM.LIST", "{\"offset\":20}");
        p.step("$JS.API.STREAM.INFO.S1", "");
        p.step("$JS.API.STREAM.INFO.NOPE", "");
        p.step("$JS.API.INFO", "");
        p.step(0, null, "$JS.API.FOO", "");
        assertNoDiffs();
    }

    @Test
    void streamUpdateAndDelete() throws Exception {
        p.step("$JS.API.STREAM.CREATE.A5", "{\"name\":\"A5\",\"retention\":\"interest\"}");
        p.step("$JS.API.STREAM.CREATE.B", "{\"name\":\"B\",\"subjects\":[\"b.>\"]}");
        p.step("$JS.API.STREAM.UPDATE.A5", "{\"name\":\"A5\",\"retention\":\"limits\"}");
        p.step("$JS.API.STREAM.UPDATE.A5", "{\"name\":\"A5\",\"retention\":\"interest\",\"storage\":\"memory\"}");
        p.step("$JS.API.STREAM.UPDATE.A5", "{\"name\":\"A5\",\"retention\":\"interest\",\"max_consumers\":4}");
        p.step("$JS.API.STREAM.UPDATE.A5", "{\"name\":\"A5\",\"retention\":\"interest\",\"subjects\":[\"b.x\"]}");
        p.step("$JS.API.STREAM.UPDATE.A5", "{\"name\":\"A5\",\"retention\":\"interest\",\"subjects\":[\"q.1\"],\"max_msgs\":10}");
        p.step("$JS.API.STREAM.UPDATE.A6", "{\"name\":\"A6\"}");
        p.step("$JS.API.STREAM.UPDATE.A6", "{\"name\":\"A5\"}");
        p.step("$JS.API.STREAM.UPDATE.A6", "{bad");
        p.step("$JS.API.STREAM.UPDATE.A5", "{\"name\":\"A5\",\"retention\":\"interest\",\"subjects\":[\"q.1\"],\"deny_delete\":true}");
        p.step("$JS.API.STREAM.UPDATE.A5", "{\"name\":\"A5\",\"retention\":\"interest\",\"subjects\":[\"q.1\"]}");
        p.step("$JS.API.STREAM.UPDATE.A5", "{\"name\":\"A5\",\"retention\":\"interest\",\"subjects\":[\"q.1\"],\"deny_delete\":true,\"sealed\":true}");
        p.step("$JS.API.STREAM.UPDATE.A5", "{\"name\":\"A5\",\"retention\":\"interest\",\"subjects\":[\"q.1\"],\"deny_delete\":true}");
        p.step("$JS.API.STREAM.UPDATE.B", "{\"name\":\"B\",\"subjects\":[\"b.>\"],\"republish\":{\"dest\":\"x.>\"}}");
        p.step("$JS.API.STREAM.DELETE.B", "{\"x\":1}");
        p.step("$JS.API.STREAM.DELETE.B", "");
        p.step("$JS.API.STREAM.DELETE.B", "");
        p.step("$JS.API.STREAM.INFO.B", "");
        p.step("$JS.API.INFO", "");
        assertNoDiffs();
    }

    @Test
    void publishPathHeadersAndLimits() throws Exception {
        p.step("$JS.API.STREAM.CREATE.P", "{\"name\":\"P\",\"subjects\":[\"p.>\"],\"max_msgs_per_subject\":2,"
                + "\"allow_rollup_hdrs\":true,\"max_msg_size\":80,\"duplicate_window\":10000000000}");
        p.step("p.a", "1");
        p.step(1, h("Nats-Msg-Id", "m1"), "p.a", "2");
        p.step(1, h("Nats-Msg-Id", "m1"), "p.a", "3");
        p.step(1, h("Nats-Expected-Stream", "Q"), "p.b", "4");
        p.step(1, h("Nats-Expected-Stream", "P"), "p.b", "4");
        p.step(1, h("Nats-Expected-Last-Sequence", "7"), "p.b", "4");
        p.step(1, h("Nats-Expected-Last-Sequence", "3"), "p.b", "4");
        p.step(1, h("Nats-Expected-Last-Subject-Sequence", "7"), "p.b", "4");
        p.step(1, h("Nats-Expected-Last-Subject-Sequence", "4"), "p.b", "4");
        p.step(1, h("Nats-Expected-Last-Msg-Id", "zz"), "p.b", "4");
        p.step(1, h("Nats-Expected-Last-Msg-Id", "m1"), "p.b", "5");
        p.step("p.c", "x".repeat(90));
        p.step("p.a", "a3");
        p.step("p.a", "a4");
        p.step("$JS.API.STREAM.INFO.P", "{\"subjects_filter\":\">\",\"deleted_details\":true}");
        p.step(0, h("Nats-Rollup", "bogus"), "p.c", "5");
        p.step(1, h("Nats-Rollup", "sub"), "p.a", "6");
        p.step("$JS.API.STREAM.INFO.P", "{\"subjects_filter\":\"p.*\"}");
        p.step(1, h("Nats-Rollup", "all"), "p.c", "7");
        p.step("$JS.API.STREAM.INFO.P", "{\"subjects_filter\":\">\",\"deleted_details\":true}");
        p.step("$JS.API.STREAM.CREATE.N", "{\"name\":\"N\",\"subjects\":[\"n.>\"],\"no_ack\":true}");
        p.step(0, null, "n.a", "1");
        p.step("$JS.API.STREAM.CREATE.D", "{\"name\":\"D\",\"subjects\":[\"d.>\"],\"max_msgs\":1,\"discard\":\"new\","
                + "\"deny_delete\":true,\"deny_purge\":true}");
        p.step("d.a", "1");
        p.step("d.a", "2");
        p.step("$JS.API.STREAM.CREATE.E", "{\"name\":\"E\",\"subjects\":[\"e.>\"],\"max_bytes\":100,\"discard\":\"new\"}");
        p.step("e.a", "x".repeat(40));
        p.step("e.a", "x".repeat(40));
        p.step("$JS.API.STREAM.CREATE.F", "{\"name\":\"F\",\"subjects\":[\"f.>\"],\"max_msgs_per_subject\":1,"
                + "\"discard\":\"new\",\"discard_new_per_subject\":true}");
        p.step("f.a", "1");
        p.step("f.a", "2");
        p.step("f.b", "3");
        p.step("$JS.API.STREAM.CREATE.G", "{\"name\":\"G\",\"subjects\":[\"g.>\"],\"max_msgs\":2}");
        p.step("g.1", "1");
        p.step("g.2", "2");
        p.step("g.3", "3");
        p.step("$JS.API.STREAM.INFO.G", "");
        p.step(1, h("Nats-Rollup", "all"), "g.1", "4");
        p.step("$JS.API.STREAM.UPDATE.D", "{\"name\":\"D\",\"subjects\":[\"d.>\"],\"max_msgs\":1,\"discard\":\"new\","
                + "\"deny_delete\":true,\"deny_purge\":true,\"sealed\":true}");
        p.step("d.b", "1");
        for (String s : new String[] {"P", "N", "D", "E", "F", "G"}) {
            p.step("$JS.API.STREAM.INFO." + s, "");
        }
        // No account INFO here: nats-server 2.9.10's account storage keeps counting a message a per-subject
        // rollup removed (35 bytes too many), a bookkeeping slip not worth copying.
        assertNoDiffs();
    }

    @Test
    void messageGetDeleteAndPurge() throws Exception {
        p.step("$JS.API.STREAM.CREATE.P", "{\"name\":\"P\",\"subjects\":[\"p.>\"]}");
        for (int i = 0; i < 6; i++) {
            p.step(1, i % 2 == 0 ? h("K", "v" + i) : null, "p." + (char) ('a' + i % 3), "m" + i);
        }
        p.step("$JS.API.STREAM.MSG.GET.P", "{\"seq\":2}");
        p.step("$JS.API.STREAM.MSG.GET.P", "{\"seq\":1}");
        p.step("$JS.API.STREAM.MSG.GET.P", "{\"seq\":40}");
        p.step("$JS.API.STREAM.MSG.GET.P", "{\"last_by_subj\":\"p.a\"}");
        p.step("$JS.API.STREAM.MSG.GET.P", "{\"last_by_subj\":\"p.*\"}");
        p.step("$JS.API.STREAM.MSG.GET.P", "{\"next_by_subj\":\"p.b\",\"seq\":3}");
        p.step("$JS.API.STREAM.MSG.GET.P", "{\"next_by_subj\":\"p.b\"}");
        p.step("$JS.API.STREAM.MSG.GET.P", "{}");
        p.step("$JS.API.STREAM.MSG.GET.P", "");
        p.step("$JS.API.STREAM.MSG.GET.P", "{\"seq\":1,\"last_by_subj\":\"p.a\"}");
        p.step("$JS.API.STREAM.MSG.GET.P", "{\"seq\":\"x\"}");
        p.step("$JS.API.STREAM.MSG.GET.NOPE", "{\"seq\":1}");
        p.step("$JS.API.STREAM.MSG.DELETE.P", "{\"seq\":4,\"no_erase\":true}");
        p.step("$JS.API.STREAM.MSG.DELETE.P", "{\"seq\":4}");
        p.step("$JS.API.STREAM.MSG.DELETE.P", "");
        p.step("$JS.API.STREAM.MSG.DELETE.NOPE", "{\"seq\":4}");
        p.step("$JS.API.STREAM.INFO.P", "{\"deleted_details\":true}");
        p.step("$JS.API.STREAM.PURGE.P", "{\"filter\":\"p.a\",\"keep\":1}");
        p.step("$JS.API.STREAM.PURGE.P", "{\"seq\":3,\"keep\":1}");
        p.step("$JS.API.STREAM.PURGE.P", "{\"filter\":\"p.zzz\"}");
        p.step("$JS.API.STREAM.PURGE.P", "{\"seq\":3}");
        p.step("$JS.API.STREAM.INFO.P", "{\"deleted_details\":true,\"subjects_filter\":\">\"}");
        p.step("$JS.API.STREAM.PURGE.P", "");
        p.step("$JS.API.STREAM.INFO.P", "");
        p.step("$JS.API.STREAM.PURGE.NOPE", "");
        p.step("$JS.API.STREAM.PURGE.P", "{bad");
        p.step("$JS.API.STREAM.CREATE.D", "{\"name\":\"D\",\"subjects\":[\"d.>\"],\"deny_delete\":true,\"deny_purge\":true,"
                + "\"allow_direct\":true}");
        p.step("d.a", "1");
        p.step(1, h("X", "y"), "d.b", "2");
        p.step("$JS.API.STREAM.MSG.DELETE.D", "{\"seq\":1}");
        p.step("$JS.API.STREAM.PURGE.D", "");
        p.step("$JS.API.DIRECT.GET.D", "{\"seq\":2}");
        p.step("$JS.API.DIRECT.GET.D", "{\"seq\":9}");
        p.step("$JS.API.DIRECT.GET.D", "{\"last_by_subj\":\"d.a\"}");
        p.step("$JS.API.DIRECT.GET.D.d.b", "");
        p.step(0, null, "$JS.API.DIRECT.GET.P", "{\"seq\":2}");
        assertNoDiffs();
    }

    @Test
    void consumerAdministration() throws Exception {
        p.step("$JS.API.STREAM.CREATE.C", "{\"name\":\"C\",\"subjects\":[\"c.>\"]}");
        for (int i = 0; i < 3; i++) {
            p.step("c." + i, "x" + i);
        }
        String d1 = "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"D1\",\"ack_policy\":\"explicit\"}}";
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.D1", d1);
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.D1", d1);
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.D1", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"D1\",\"ack_policy\":\"none\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.D1", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"D1\",\"ack_policy\":\"explicit\",\"max_deliver\":5}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.D2", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"D3\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.D2", "{\"stream_name\":\"C\",\"config\":{}}");
        p.step("$JS.API.CONSUMER.CREATE.C.N1", "{\"stream_name\":\"C\",\"config\":{\"name\":\"N1\",\"ack_policy\":\"explicit\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C.N2.c.2", "{\"stream_name\":\"C\",\"config\":{\"name\":\"N2\",\"ack_policy\":\"explicit\",\"filter_subject\":\"c.2\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C.N3.c.2", "{\"stream_name\":\"C\",\"config\":{\"name\":\"N3\",\"filter_subject\":\"c.1\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C.N4", "{\"stream_name\":\"C\",\"config\":{\"name\":\"N4\",\"durable_name\":\"N5\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C.N4", "{\"stream_name\":\"C\",\"config\":{\"name\":\"N9\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"X\",\"config\":{\"ack_policy\":\"explicit\"}}");
        p.step("$JS.API.CONSUMER.CREATE.X", "{\"stream_name\":\"X\",\"config\":{\"ack_policy\":\"explicit\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{bad");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"deliver_subject\":\"c.x\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"deliver_subject\":\"dx\",\"filter_subject\":\"zz\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"deliver_subject\":\"dx\",\"ack_policy\":\"bogus\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"deliver_subject\":\"dx\",\"deliver_policy\":\"by_start_sequence\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"deliver_subject\":\"dx\",\"deliver_policy\":\"by_start_time\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"deliver_subject\":\"dx\",\"opt_start_seq\":3}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"deliver_subject\":\"dx\",\"idle_heartbeat\":1000}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"deliver_subject\":\"dx\",\"flow_control\":true}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"deliver_subject\":\"d.*\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"max_waiting\":5,\"deliver_subject\":\"dx\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"a.b\"}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"idle_heartbeat\":1000000000}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"max_ack_pending\":10}}");
        p.step("$JS.API.CONSUMER.CREATE.C", "{\"stream_name\":\"C\",\"config\":{\"ack_policy\":\"explicit\",\"backoff\":[1000000000,2000000000],\"max_deliver\":2}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.a.b", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"a.b\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.BO", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"BO\",\"ack_policy\":\"explicit\",\"backoff\":[1000000000,2000000000],\"max_deliver\":3,\"deliver_policy\":\"last\",\"filter_subject\":\"c.1\",\"max_batch\":10,\"max_expires\":5000000000,\"description\":\"bo\",\"headers_only\":true}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.LPS", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"LPS\",\"deliver_policy\":\"last_per_subject\",\"ack_policy\":\"all\",\"replay_policy\":\"original\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.NEW", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"NEW\",\"deliver_policy\":\"new\",\"ack_policy\":\"explicit\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.SEQ", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"SEQ\",\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":2,\"ack_policy\":\"explicit\"}}");
        p.step("$JS.API.CONSUMER.INFO.C.D1", "");
        p.step("$JS.API.CONSUMER.INFO.C.D1", "{\"x\":1}");
        p.step("$JS.API.CONSUMER.INFO.C.NOPE", "");
        p.step("$JS.API.CONSUMER.INFO.NOPE.D1", "");
        p.step("$JS.API.CONSUMER.NAMES.C", "");
        p.step("$JS.API.CONSUMER.NAMES.C", "{\"offset\":3}");
        p.step("$JS.API.CONSUMER.NAMES.NOPE", "");
        p.step("$JS.API.CONSUMER.LIST.C", "");
        p.step("$JS.API.CONSUMER.LIST.NOPE", "");
        p.step("$JS.API.STREAM.INFO.C", "");
        p.step("$JS.API.CONSUMER.DELETE.C.D1", "");
        p.step("$JS.API.CONSUMER.DELETE.C.D1", "");
        p.step("$JS.API.CONSUMER.DELETE.NOPE.D1", "");
        p.step("$JS.API.INFO", "");
        assertNoDiffs();
    }

    @Test
    void pullRequestsAndAcks() throws Exception {
        p.step("$JS.API.STREAM.CREATE.C", "{\"name\":\"C\",\"subjects\":[\"c.>\"]}");
        for (int i = 0; i < 3; i++) {
            p.step("c." + i, "x" + i);
        }
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.D1", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"D1\",\"ack_policy\":\"explicit\",\"max_batch\":5,\"max_expires\":2000000000}}");
        p.step(2, null, "$JS.API.CONSUMER.MSG.NEXT.C.D1", "{\"batch\":2}");
        p.ack(0, 0, "+ACK");
        p.step("$JS.API.CONSUMER.INFO.C.D1", "");
        p.ack(1, 0, "-NAK");
        p.step(2, null, "$JS.API.CONSUMER.MSG.NEXT.C.D1", "{\"batch\":3,\"no_wait\":true}");
        p.step(2, null, "$JS.API.CONSUMER.MSG.NEXT.C.D1", "{\"batch\":3,\"no_wait\":true}");
        p.step("$JS.API.CONSUMER.INFO.C.D1", "");
        p.ack(0, 1, "+ACK");
        p.ack(1, 0, "+TERM");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.D1", "{\"batch\":1,\"no_wait\":true}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.D1", "{\"batch\":1,\"expires\":200000000}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.D1", "{\"batch\":10}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.D1", "{\"batch\":1,\"expires\":3000000000}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.D1", "1");
        p.step(0, null, "$JS.API.CONSUMER.MSG.NEXT.C.NOPE", "{\"batch\":1}");
        p.step(0, null, "$JS.API.CONSUMER.MSG.NEXT.NOPE.D1", "{\"batch\":1}");
        p.step("$JS.API.CONSUMER.INFO.C.D1", "");
        p.step("c.3", "x3");
        p.step("$JS.API.CONSUMER.INFO.C.D1", "");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.ALL", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"ALL\",\"ack_policy\":\"all\"}}");
        p.step(3, null, "$JS.API.CONSUMER.MSG.NEXT.C.ALL", "{\"batch\":3}");
        p.ack(2, 0, "");
        p.step("$JS.API.CONSUMER.INFO.C.ALL", "");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.NONE", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"NONE\",\"filter_subject\":\"c.2\"}}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.NONE", "{\"batch\":1}");
        p.step("$JS.API.CONSUMER.INFO.C.NONE", "");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.HO", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"HO\",\"ack_policy\":\"explicit\",\"headers_only\":true,\"deliver_policy\":\"last\"}}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.HO", "");
        assertNoDiffs();
    }

    @Test
    void pushConsumerDelivers() throws Exception {
        p.step("$JS.API.STREAM.CREATE.C", "{\"name\":\"C\",\"subjects\":[\"c.>\"]}");
        for (int i = 0; i < 3; i++) {
            p.step(1, i == 1 ? h("A", "b") : null, "c." + i, "x" + i);
        }
        try (JetStreamPair.Listener l = p.listen("deliver.d1")) {
            p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.P1", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"P1\",\"deliver_subject\":\"deliver.d1\",\"ack_policy\":\"explicit\",\"ack_wait\":500000000}}");
            l.take(3, "initial");
            p.ack(0, 0, "+ACK");
            p.ack(2, 0, "+ACK");
            l.take(1, "redelivered after ack wait");
            p.ack(0, 0, "+ACK");
            p.step("c.9", "x9");
            l.take(1, "new message");
            p.step("$JS.API.CONSUMER.INFO.C.P1", "");
        }
        try (JetStreamPair.Listener l = p.listen("deliver.hb")) {
            p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.HB", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"HB\","
                    + "\"deliver_subject\":\"deliver.hb\",\"flow_control\":true,\"idle_heartbeat\":300000000,"
                    + "\"deliver_policy\":\"last\"}}");
            l.take(1, "last message");
            l.take(1, "idle heartbeat");
        }
        assertNoDiffs();
    }

    @Test
    void retentionPolicies() throws Exception {
        p.step("$JS.API.STREAM.CREATE.WQ", "{\"name\":\"WQ\",\"subjects\":[\"wq.>\"],\"retention\":\"workqueue\"}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.WQ.A", "{\"stream_name\":\"WQ\",\"config\":{\"durable_name\":\"A\",\"ack_policy\":\"none\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.WQ.A", "{\"stream_name\":\"WQ\",\"config\":{\"durable_name\":\"A\",\"ack_policy\":\"explicit\",\"deliver_policy\":\"last\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.WQ.A", "{\"stream_name\":\"WQ\",\"config\":{\"durable_name\":\"A\",\"ack_policy\":\"explicit\",\"filter_subject\":\"wq.a\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.WQ.B", "{\"stream_name\":\"WQ\",\"config\":{\"durable_name\":\"B\",\"ack_policy\":\"explicit\",\"filter_subject\":\"wq.a\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.WQ.B", "{\"stream_name\":\"WQ\",\"config\":{\"durable_name\":\"B\",\"ack_policy\":\"explicit\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.WQ.B", "{\"stream_name\":\"WQ\",\"config\":{\"durable_name\":\"B\",\"ack_policy\":\"explicit\",\"filter_subject\":\"wq.b\"}}");
        for (int i = 0; i < 4; i++) {
            p.step("wq." + (i % 2 == 0 ? "a" : "b"), "w" + i);
        }
        p.step(2, null, "$JS.API.CONSUMER.MSG.NEXT.WQ.A", "{\"batch\":2}");
        p.ack(0, 0, "+ACK");
        p.step("$JS.API.STREAM.INFO.WQ", "");
        p.ack(1, 1, "+ACK");
        p.step("$JS.API.STREAM.INFO.WQ", "");
        p.step("$JS.API.CONSUMER.INFO.WQ.A", "");
        p.step("$JS.API.STREAM.CREATE.IN", "{\"name\":\"IN\",\"subjects\":[\"in.>\"],\"retention\":\"interest\"}");
        p.step("in.a", "before any consumer");
        p.step("$JS.API.STREAM.INFO.IN", "");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.IN.X", "{\"stream_name\":\"IN\",\"config\":{\"durable_name\":\"X\",\"ack_policy\":\"explicit\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.IN.Y", "{\"stream_name\":\"IN\",\"config\":{\"durable_name\":\"Y\",\"ack_policy\":\"explicit\"}}");
        p.step("in.a", "one");
        p.step("in.b", "two");
        p.step(2, null, "$JS.API.CONSUMER.MSG.NEXT.IN.X", "{\"batch\":2}");
        p.ack(0, 0, "+ACK");
        p.ack(1, 0, "+ACK");
        p.step("$JS.API.STREAM.INFO.IN", "");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.IN.Y", "{\"batch\":1}");
        p.ack(0, 1, "+ACK");
        p.step("$JS.API.STREAM.INFO.IN", "");
        p.step("$JS.API.CONSUMER.DELETE.IN.Y", "");
        p.step("$JS.API.STREAM.INFO.IN", "");
        assertNoDiffs();
    }

    @Test
    void localMirrorsAndSources() throws Exception {
        p.step("$JS.API.STREAM.CREATE.O", "{\"name\":\"O\",\"subjects\":[\"o.>\"]}");
        for (int i = 0; i < 4; i++) {
            p.step(1, i == 2 ? h("Nats-Msg-Id", "id2") : null, "o." + (i % 2), "v" + i);
        }
        // nats-server's create answer may or may not already show its first copies (it races its own copy
        // consumer), so the state of these two answers is not compared; the INFO steps below compare it.
        JetStreamPair.EXTRA_VOLATILE.add("state");
        p.step("$JS.API.STREAM.CREATE.M", "{\"name\":\"M\",\"mirror\":{\"name\":\"O\"}}");
        p.step("$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s.>\"],\"sources\":[{\"name\":\"O\",\"filter_subject\":\"o.1\"}]}");
        JetStreamPair.EXTRA_VOLATILE.clear();
        p.step("o.1", "v4");
        p.step("s.x", "own");
        awaitCopies();
        p.step("$JS.API.STREAM.MSG.GET.M", "{\"seq\":3}");
        p.step("$JS.API.STREAM.MSG.GET.S", "{\"seq\":1}");
        p.step("$JS.API.STREAM.MSG.GET.S", "{\"last_by_subj\":\"s.x\"}");
        p.step("$JS.API.STREAM.INFO.M", "");
        p.step("$JS.API.STREAM.INFO.S", "");
        p.step("$JS.API.STREAM.UPDATE.M", "{\"name\":\"M\",\"mirror\":{\"name\":\"S\"}}");
        JetStreamPair.EXTRA_VOLATILE.add("state");
        p.step("$JS.API.STREAM.CREATE.M2", "{\"name\":\"M2\",\"mirror\":{\"name\":\"O\",\"filter_subject\":\"o.1\"}}");
        p.step("$JS.API.STREAM.CREATE.M3", "{\"name\":\"M3\",\"mirror\":{\"name\":\"O\"},\"sources\":[{\"name\":\"O\"}]}");
        JetStreamPair.EXTRA_VOLATILE.clear();
        assertNoDiffs();
    }

    /** nats-server copies into mirrors and sources asynchronously; wait until its copies are there. */
    private void awaitCopies() throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            var r = p.nc.request("$JS.API.STREAM.INFO.S", new byte[0], java.time.Duration.ofSeconds(2));
            var m = p.nc.request("$JS.API.STREAM.INFO.M", new byte[0], java.time.Duration.ofSeconds(2));
            String rs = new String(r.getData());
            String ms = new String(m.getData());
            Stream ourS = p.js.account("$G").stream("S");
            Stream ourM = p.js.account("$G").stream("M");
            if (rs.contains("\"messages\":4") && ms.contains("\"messages\":5") && ourS.store.state().msgs() == 4
                    && ourM.store.state().msgs() == 5) {
                return;
            }
            p.nc.flush(java.time.Duration.ofSeconds(1));
        }
    }

    /** What the clients' Key-Value API sends: a KV_ stream, puts, create/update guards, deletes, purges, gets, a watch. */
    @Test
    void keyValueBucketTraffic() throws Exception {
        p.step("$JS.API.STREAM.CREATE.KV_b", "{\"name\":\"KV_b\",\"subjects\":[\"$KV.b.>\"],\"retention\":\"limits\","
                + "\"max_consumers\":-1,\"max_msgs\":-1,\"max_bytes\":-1,\"max_age\":0,\"max_msgs_per_subject\":3,"
                + "\"max_msg_size\":-1,\"storage\":\"file\",\"discard\":\"new\",\"num_replicas\":1,"
                + "\"duplicate_window\":120000000000,\"allow_rollup_hdrs\":true,\"deny_delete\":true,"
                + "\"deny_purge\":false,\"allow_direct\":true,\"mirror_direct\":false}");
        p.step("$KV.b.k1", "v1");
        p.step("$KV.b.k1", "v2");
        p.step(1, h("Nats-Expected-Last-Subject-Sequence", "0"), "$KV.b.k1", "create-again");
        p.step(1, h("Nats-Expected-Last-Subject-Sequence", "0"), "$KV.b.k2", "created");
        p.step(1, h("Nats-Expected-Last-Subject-Sequence", "2"), "$KV.b.k1", "v3");
        p.step(1, h("Nats-Expected-Last-Subject-Sequence", "2"), "$KV.b.k1", "stale");
        p.step("$KV.b.k1", "v4");
        p.step("$JS.API.DIRECT.GET.KV_b.$KV.b.k1", "");
        p.step("$JS.API.DIRECT.GET.KV_b.$KV.b.nope", "");
        p.step("$JS.API.DIRECT.GET.KV_b", "{\"last_by_subj\":\"$KV.b.k2\"}");
        p.step("$JS.API.DIRECT.GET.KV_b", "");
        p.step("$JS.API.DIRECT.GET.KV_b", "{bad");
        p.step("$JS.API.STREAM.MSG.GET.KV_b", "{\"last_by_subj\":\"$KV.b.k1\"}");
        p.step(1, h("KV-Operation", "DEL"), "$KV.b.k2", "");
        p.step(1, h("KV-Operation", "PURGE", "Nats-Rollup", "sub"), "$KV.b.k1", "");
        p.step("$JS.API.STREAM.INFO.KV_b", "{\"subjects_filter\":\">\"}");
        try (JetStreamPair.Listener l = p.listen("watch.in")) {
            p.step("$JS.API.CONSUMER.CREATE.KV_b", "{\"stream_name\":\"KV_b\",\"config\":{\"deliver_policy\":"
                    + "\"last_per_subject\",\"ack_policy\":\"none\",\"max_deliver\":1,\"filter_subject\":\"$KV.b.>\","
                    + "\"replay_policy\":\"instant\",\"flow_control\":true,\"idle_heartbeat\":5000000000,"
                    + "\"deliver_subject\":\"watch.in\",\"mem_storage\":true,\"num_replicas\":1}}");
            l.take(2, "initial values");
            p.step("$KV.b.k3", "v");
            l.take(1, "update");
        }
        p.step("$JS.API.STREAM.PURGE.KV_b", "{\"filter\":\"$KV.b.k3\",\"keep\":1}");
        assertNoDiffs();
    }

    @Test
    void pullRequestLimits() throws Exception {
        p.step("$JS.API.STREAM.CREATE.C", "{\"name\":\"C\",\"subjects\":[\"c.>\"]}");
        for (int i = 0; i < 3; i++) {
            p.step("c." + i, "x".repeat(10 * (i + 1)));
        }
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.L", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"L\","
                + "\"ack_policy\":\"explicit\",\"max_batch\":2,\"max_expires\":1000000000,\"max_bytes\":100,"
                + "\"max_waiting\":1}}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.L", "{\"batch\":3}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.L", "{\"batch\":1,\"expires\":2000000000}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.L", "{\"batch\":1,\"max_bytes\":200}");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.L", "{\"batch\":2,\"max_bytes\":5,\"no_wait\":true}");
        p.step(2, null, "$JS.API.CONSUMER.MSG.NEXT.C.L", "{\"batch\":2,\"max_bytes\":30,\"no_wait\":true}");
        p.step("$JS.API.CONSUMER.INFO.C.L", "");
        assertNoDiffs();
    }

    @Test
    void purgeMovesConsumers() throws Exception {
        p.step("$JS.API.STREAM.CREATE.C", "{\"name\":\"C\",\"subjects\":[\"c.>\"]}");
        for (int i = 0; i < 5; i++) {
            p.step("c." + (i % 2), "x" + i);
        }
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.D", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}}");
        p.step("$JS.API.CONSUMER.DURABLE.CREATE.C.F", "{\"stream_name\":\"C\",\"config\":{\"durable_name\":\"F\",\"ack_policy\":\"explicit\",\"filter_subject\":\"c.1\"}}");
        p.step(2, null, "$JS.API.CONSUMER.MSG.NEXT.C.D", "{\"batch\":2}");
        p.step("$JS.API.STREAM.PURGE.C", "{\"filter\":\"c.0\"}");
        p.step("$JS.API.CONSUMER.INFO.C.D", "");
        p.step("$JS.API.CONSUMER.INFO.C.F", "");
        p.step("$JS.API.STREAM.PURGE.C", "");
        p.step("$JS.API.CONSUMER.INFO.C.D", "");
        p.step("$JS.API.CONSUMER.INFO.C.F", "");
        p.step("c.1", "after");
        p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.C.D", "{\"batch\":1}");
        p.step("$JS.API.CONSUMER.INFO.C.D", "");
        assertNoDiffs();
    }

    @Test
    void advisories() throws Exception {
        try (JetStreamPair.Listener streams = p.listen("$JS.EVENT.ADVISORY.STREAM.>");
             JetStreamPair.Listener consumers = p.listen("$JS.EVENT.ADVISORY.CONSUMER.>")) {
            p.step("$JS.API.STREAM.CREATE.A", "{\"name\":\"A\",\"subjects\":[\"a.>\"]}");
            streams.take(1, "stream created");
            p.step("$JS.API.STREAM.CREATE.A", "{\"name\":\"A\",\"subjects\":[\"a.>\"]}");
            streams.take(0, "no advisory for the same config again");
            p.step("$JS.API.STREAM.UPDATE.A", "{\"name\":\"A\",\"subjects\":[\"a.>\"],\"max_msgs\":5}");
            streams.take(1, "stream updated");
            p.step("a.1", "x");
            p.step("$JS.API.CONSUMER.DURABLE.CREATE.A.D", "{\"stream_name\":\"A\",\"config\":{\"durable_name\":\"D\","
                    + "\"ack_policy\":\"explicit\",\"max_deliver\":2,\"ack_wait\":200000000}}");
            consumers.take(1, "consumer created");
            p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.A.D", "{\"batch\":1}");
            p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.A.D", "{\"batch\":1,\"expires\":1000000000}");
            p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.A.D", "{\"batch\":1,\"expires\":1000000000}");
            consumers.take(1, "max deliveries");
            p.step("a.2", "y");
            p.step(1, null, "$JS.API.CONSUMER.MSG.NEXT.A.D", "{\"batch\":1,\"no_wait\":true}");
            p.ack(0, 0, "+TERM");
            consumers.take(1, "terminated");
            p.step("$JS.API.CONSUMER.DELETE.A.D", "");
            consumers.take(1, "consumer deleted");
            p.step("$JS.API.STREAM.DELETE.A", "");
            streams.take(1, "stream deleted");
        }
        assertNoDiffs();
    }
}
