package io.natsboot.rider;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** JSON messages exchanged between the components (the book's field names). */
final class Messages {

    private Messages() {
    }

    static final String DRIVERS_FIND = "drivers.find";
    static final String DRIVERS_RIDES = "drivers.rides";
    static final String DISCOVERY = "_NATS_RIDER.discovery";

    static String statusSubject(String id) {
        return "_NATS_RIDER." + id + ".status";
    }

    record Location(@JsonProperty("lat") double lat, @JsonProperty("lng") double lng) {
    }

    /** api-server to rides-manager, and rides-manager to driver-agents. */
    record DriverAgentRequest(@JsonProperty("type") String type, @JsonProperty("location") Location location,
            @JsonProperty("request_id") String requestId) {
    }

    /** driver-agent to rides-manager. */
    record DriverOffer(@JsonProperty("driver_id") String driverId, @JsonProperty("type") String type) {
    }

    /** rides-manager to api-server: a driver, or an error. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record DriverAgentResponse(@JsonProperty("driver_id") String driverId, @JsonProperty("error") String error) {
    }
}
