package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.ConnState;
import io.natsboot.server.monitor.ConnzOptions;
import io.natsboot.server.monitor.JsonWriter;
import io.natsboot.server.monitor.MonitorException;
import io.natsboot.server.monitor.SubszOptions;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.util.MimeTypeUtils;

/** Query decoding shared by the nats Actuator endpoints, with nats-server's monitor error texts. */
final class NatsEndpoints {

    private NatsEndpoints() {
    }

    /** {@code subs}: {@code detail} (any case) or a boolean; returns {subs, detail}. */
    static boolean[] subs(String subs) {
        if (subs == null || subs.isEmpty()) {
            return new boolean[] {false, false};
        }
        if (subs.toLowerCase(Locale.ROOT).equals("detail")) {
            return new boolean[] {false, true};
        }
        return new boolean[] {bool("subs", subs), false};
    }

    /** Go's strconv.ParseBool, as nats-server's decodeBool. */
    static boolean bool(String key, String value) {
        switch (value) {
            case "1": case "t": case "T": case "true": case "TRUE": case "True":
                return true;
            case "0": case "f": case "F": case "false": case "FALSE": case "False":
                return false;
            default:
                throw invalid("Error decoding boolean for '" + key + "': strconv.ParseBool: parsing \""
                        + value + "\": invalid syntax");
        }
    }

    /** nats-server's decodeState: open (default), closed, any/all, case-insensitive. */
    static ConnState state(String state) {
        if (state == null || state.isEmpty()) {
            return ConnState.OPEN;
        }
        switch (state.toLowerCase(Locale.ROOT)) {
            case "open":
                return ConnState.OPEN;
            case "closed":
                return ConnState.CLOSED;
            case "any":
            case "all":
                return ConnState.ALL;
            default:
                throw invalid("Error decoding state for " + state);
        }
    }

    static ConnzOptions connzOptions(String sort, Boolean auth, String subs, Long offset, Long limit, Long cid,
            String state, String user, String acc) {
        boolean[] s = subs(subs);
        return new ConnzOptions(sort, auth != null && auth, s[0], s[1], zero(offset), zero(limit), zero(cid),
                state(state), user, acc, "", "");
    }

    static SubszOptions subszOptions(Boolean subs, Long offset, Long limit, String acc, String test) {
        return new SubszOptions(subs != null && subs, zero(offset), zero(limit), acc, test);
    }

    private static long zero(Long v) {
        return v == null ? 0 : v;
    }

    static InvalidEndpointRequestException invalid(String message) {
        return new InvalidEndpointRequestException(message, message);
    }

    /** A snapshot from the monitor; nats-server's 400 for a bad query. */
    static <T> T snapshot(Callable<T> call) {
        try {
            return call.call();
        } catch (MonitorException e) {
            throw invalid(e.getMessage());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The snapshot as the JSON the 8222 endpoint serves (nats-server's field names and formats). */
    static WebEndpointResponse<String> json(JsonWriter.Writable body) {
        return new WebEndpointResponse<>(body.toJson(true), WebEndpointResponse.STATUS_OK,
                MimeTypeUtils.APPLICATION_JSON);
    }
}
