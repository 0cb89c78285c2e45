package io.natsboot.server.system;

import io.natsboot.server.monitor.JsonWriter;
import java.nio.charset.StandardCharsets;

/**
 * The answer to a {@code $SYS} request, written as nats-server 2.9 writes its ServerAPIResponse: the sending
 * server's {@code server} object first, then {@code data} and/or {@code error} (or {@code statsz} for the statsz
 * requests). {@link #raw} is for answers with a shape of their own.
 */
public final class ApiResponse {
    private enum Kind { DATA, STATSZ, ERROR, DATA_NULL_ERROR, RAW, EVENT }

    private final Kind kind;
    private final JsonWriter.Writable body;
    private final int code;
    private final String description;
    private final byte[] raw;
    private java.util.function.Function<ServerInfo, JsonWriter.Writable> event;

    private ApiResponse(Kind kind, JsonWriter.Writable body, int code, String description, byte[] raw) {
        this.kind = kind;
        this.body = body;
        this.code = code;
        this.description = description;
        this.raw = raw;
    }

    /** {@code {"server":{...},"data":<data>}}. */
    public static ApiResponse data(JsonWriter.Writable data) {
        return new ApiResponse(Kind.DATA, data, 0, null, null);
    }

    /** {@code {"server":{...},"statsz":<statsz>}} (the PING / STATSZ answer). */
    static ApiResponse statsz(JsonWriter.Writable statsz) {
        return new ApiResponse(Kind.STATSZ, statsz, 0, null, null);
    }

    /** {@code {"server":{...},"error":{"code":c,"description":d}}}: a request nats-server could not read. */
    public static ApiResponse error(int code, String description) {
        return new ApiResponse(Kind.ERROR, null, code, description, null);
    }

    /**
     * {@code {"server":{...},"data":null,"error":{...}}}: nats-server's answer when the endpoint itself failed
     * (its typed nil data is not omitted).
     */
    public static ApiResponse failed(int code, String description) {
        return new ApiResponse(Kind.DATA_NULL_ERROR, null, code, description, null);
    }

    /** These bytes as they are, without the server envelope. */
    public static ApiResponse raw(byte[] payload) {
        return new ApiResponse(Kind.RAW, null, 0, null, payload.clone());
    }

    /** An event-shaped answer (e.g. the account connections event) that places the server object itself. */
    static ApiResponse event(java.util.function.Function<ServerInfo, JsonWriter.Writable> event) {
        ApiResponse r = new ApiResponse(Kind.EVENT, null, 0, null, null);
        r.event = event;
        return r;
    }

    byte[] toBytes(ServerInfo server) {
        if (kind == Kind.RAW) {
            return raw;
        }
        if (kind == Kind.EVENT) {
            return event.apply(server).toJson(false).getBytes(StandardCharsets.UTF_8);
        }
        JsonWriter w = new JsonWriter(false);
        w.beginObject().name("server").value(server);
        switch (kind) {
            case DATA -> w.name("data").value(body);
            case STATSZ -> w.name("statsz").value(body);
            case DATA_NULL_ERROR -> {
                w.name("data").nullValue();
                writeError(w);
            }
            default -> writeError(w);
        }
        return w.endObject().toString().getBytes(StandardCharsets.UTF_8);
    }

    private void writeError(JsonWriter w) {
        w.name("error").beginObject().field("code", code).field("description", description).endObject();
    }
}
