package io.natsboot.server.monitor;

import io.natsboot.server.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A tiny HTTP/1.1 client for the monitoring endpoints in tests. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    record Resp(int status, String contentType, String body) {
        Map<String, Object> json() {
            return Json.parseObject(body);
        }
    }

    private Http() {
    }

    static Resp get(int port, String pathAndQuery) throws Exception {
        return send(port, "GET", pathAndQuery);
    }

    static Resp send(int port, String method, String pathAndQuery) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
        return new Resp(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    }
}
