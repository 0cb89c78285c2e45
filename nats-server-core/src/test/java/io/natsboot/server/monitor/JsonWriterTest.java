package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON text as Go's encoding/json writes it (MarshalIndent with two spaces, and Marshal). */
class JsonWriterTest {

    @Test
    void indentsLikeMarshalIndent() {
        JsonWriter w = new JsonWriter(true);
        w.beginObject()
                .field("a", 1)
                .name("empty_obj").beginObject().endObject()
                .name("empty_arr").beginArray().endArray()
                .name("list").stringArray(List.of("x", "y"))
                .name("objs").beginArray().beginObject().field("k", true).endObject().endArray()
                .name("nil").stringArray(null)
                .field("f", 0.5)
                .endObject();
        assertThat(w.toString()).isEqualTo("{\n"
                + "  \"a\": 1,\n"
                + "  \"empty_obj\": {},\n"
                + "  \"empty_arr\": [],\n"
                + "  \"list\": [\n"
                + "    \"x\",\n"
                + "    \"y\"\n"
                + "  ],\n"
                + "  \"objs\": [\n"
                + "    {\n"
                + "      \"k\": true\n"
                + "    }\n"
                + "  ],\n"
                + "  \"nil\": null,\n"
                + "  \"f\": 0.5\n"
                + "}");
    }

    @Test
    void compactLikeMarshal() {
        assertThat(HealthStatus.OK.toJson(false)).isEqualTo("{\"status\":\"ok\"}");
        assertThat(new HealthStatus("error", "x").toJson(false)).isEqualTo("{\"status\":\"error\",\"error\":\"x\"}");
    }

    @Test
    void escapesLikeGo() {
        JsonWriter w = new JsonWriter(false);
        w.value("<a&b>\"\\\n\r\t\u0001\b\f\u2028\u2029µ😀\ud800");
        assertThat(w.toString()).isEqualTo(
                "\"\\u003ca\\u0026b\\u003e\\\"\\\\\\n\\r\\t\\u0001\\u0008\\u000c\\u2028\\u2029µ😀\\ufffd\"");
    }

    @Test
    void goTypes() {
        JsonWriter w = new JsonWriter(false);
        w.beginObject()
                .name("d").value(Duration.ofMinutes(2))
                .name("t").value(Instant.parse("2026-11-22T19:24:48.042271672Z"))
                .name("u").unsignedValue(-1L)
                .name("m").countMap(Map.of("/varz", 2L, "/connz", 1L, "/", 3L))
                .fieldOmitEmpty("omitted", "")
                .fieldOmitEmpty("zero", 0L)
                .fieldOmitEmpty("no", false)
                .fieldOmitEmpty("none", List.of())
                .endObject();
        assertThat(w.toString()).isEqualTo("{\"d\":120000000000,\"t\":\"2026-11-22T19:24:48.042271672Z\","
                + "\"u\":18446744073709551615,\"m\":{\"/\":3,\"/connz\":1,\"/varz\":2}}");
    }
}
