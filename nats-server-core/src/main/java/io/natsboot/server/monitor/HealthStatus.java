package io.natsboot.server.monitor;

/** A /healthz answer: {@code {"status":"ok"}}; {@code error} is omitted when empty. */
public record HealthStatus(String status, String error) implements JsonWriter.Writable {
    public static final HealthStatus OK = new HealthStatus("ok", null);

    public boolean healthy() {
        return error == null || error.isEmpty();
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("status", status).fieldOmitEmpty("error", error).endObject();
    }
}
