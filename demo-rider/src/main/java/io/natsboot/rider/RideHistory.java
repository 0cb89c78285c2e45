package io.natsboot.rider;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.PublishOptions;
import io.natsboot.spring.jetstream.JetStreamAdmin;
import io.natsboot.spring.jetstream.JetStreamTemplate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The durable flow: every ride that got a driver is written to the {@code RIDES} stream (file storage, subject
 * {@code rides.completed}), and {@code GET /rides/history} reads the latest ones back from the stream, so the
 * history outlives a restart of the whole demo (and of the NATS server). Active when the server the client
 * connects to has JetStream: the embedded server has it by default ({@code natsboot.server.jetstream.*} in
 * application.properties), or {@code natsboot.client.servers} points to {@code nats-server -js}; without it the
 * history is off and says so.
 */
@Component
@ConditionalOnRiderRole("api")
public class RideHistory {

    static final String STREAM = "RIDES";
    static final String SUBJECT = "rides.completed";
    private static final Logger log = LoggerFactory.getLogger("rider.history");

    /** One completed ride as stored in the stream. */
    public record CompletedRide(String requestId, String type, Messages.Location location, String driverId,
            Instant assignedAt) { }

    private final Connection connection;
    private final JetStreamTemplate jetStream;
    private final boolean active;

    public RideHistory(Connection connection, ObjectProvider<JetStreamTemplate> jetStream) {
        this.connection = connection;
        this.jetStream = jetStream.getIfAvailable();
        this.active = this.jetStream != null && connection.getServerInfo().isJetStreamAvailable();
        if (active) {
            new JetStreamAdmin(connection).stream(StreamConfiguration.builder().name(STREAM).subjects(SUBJECT)
                    .storageType(StorageType.File).maxMessages(100_000).build()).declare();
            log.info("Ride history on stream {} ({})", STREAM, connection.getConnectedUrl());
        } else {
            log.info("Ride history off: the NATS server at {} has no JetStream", connection.getConnectedUrl());
        }
    }

    boolean isActive() {
        return active;
    }

    /** Stores the ride; its request id deduplicates a retried write. Failures are logged, not passed to the rider. */
    void completed(CompletedRide ride) {
        if (!active) {
            return;
        }
        // not waited for: the rider has the answer already; the ack (or the failure) comes later
        jetStream.publishAsync(SUBJECT, ride, null, PublishOptions.builder().messageId(ride.requestId()).build())
                .whenComplete((ack, e) -> {
                    if (e != null) {
                        log.warn("[{}] ride not written to {}: {}", ride.requestId(), STREAM, e.getMessage());
                    } else {
                        log.debug("[{}] ride stored as {} #{}", ride.requestId(), STREAM, ack.getSeqno());
                    }
                });
    }

    /** The latest {@code limit} rides, newest first. */
    List<CompletedRide> latest(int limit) {
        List<CompletedRide> rides = new ArrayList<>();
        try {
            JetStreamManagement jsm = connection.jetStreamManagement();
            StreamInfo info = jsm.getStreamInfo(STREAM);
            long first = info.getStreamState().getFirstSequence();
            for (long seq = info.getStreamState().getLastSequence(); seq >= first && seq > 0 && rides.size() < limit; seq--) {
                MessageInfo m;
                try {
                    m = jsm.getMessage(STREAM, seq);
                } catch (JetStreamApiException e) {
                    continue; // deleted
                }
                rides.add(jetStream.getConverter().fromMessage(
                        io.nats.client.impl.NatsMessage.builder().subject(m.getSubject()).data(m.getData()).build(),
                        CompletedRide.class));
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read stream " + STREAM + ": " + e.getMessage(), e);
        }
        return rides;
    }
}
