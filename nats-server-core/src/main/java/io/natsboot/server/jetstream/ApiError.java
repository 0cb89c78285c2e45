package io.natsboot.server.jetstream;

import java.util.Map;

/**
 * One error of nats-server's JetStream error table ({@code server/errors.json} at v2.9.10): HTTP-like code,
 * JetStream error code and description. Descriptions with placeholders are made by the {@code with} factories.
 */
public record ApiError(int code, int errCode, String description) {

    public static final ApiError BAD_REQUEST = new ApiError(400, 10003, "bad request");
    public static final ApiError INVALID_JSON = new ApiError(400, 10025, "invalid JSON");
    public static final ApiError NOT_EMPTY_REQUEST = new ApiError(400, 10038, "expected an empty request payload");
    public static final ApiError NOT_ENABLED_FOR_ACCOUNT = new ApiError(503, 10039, "JetStream not enabled for account");
    public static final ApiError NOT_ENABLED = new ApiError(503, 10076, "JetStream not enabled");
    public static final ApiError NO_MESSAGE_FOUND = new ApiError(404, 10037, "no message found");
    public static final ApiError MAXIMUM_STREAMS = new ApiError(400, 10027, "maximum number of streams reached");
    public static final ApiError MEMORY_RESOURCES_EXCEEDED = new ApiError(500, 10028,
            "insufficient memory resources available");
    public static final ApiError STORAGE_RESOURCES_EXCEEDED = new ApiError(500, 10047,
            "insufficient storage resources available");
    public static final ApiError ACCOUNT_RESOURCES_EXCEEDED = new ApiError(400, 10002,
            "resource limits exceeded for account");
    public static final ApiError STREAM_MAX_STREAM_BYTES_EXCEEDED = new ApiError(400, 10122,
            "stream max bytes exceeds account limit max stream bytes");
    public static final ApiError INSUFFICIENT_RESOURCES = new ApiError(503, 10023, "insufficient resources");
    public static final ApiError NO_LIMITS = new ApiError(400, 10120,
            "no JetStream default or applicable tiered limit present");
    public static final ApiError CLUSTER_REQUIRED = new ApiError(503, 10010, "JetStream clustering support required");
    public static final ApiError MAXIMUM_CONSUMERS = new ApiError(400, 10026, "maximum consumers limit reached");
    public static final ApiError MIRROR_WITH_SUBJECTS = new ApiError(400, 10034, "stream mirrors can not contain subjects");
    public static final ApiError MIRROR_WITH_SOURCES = new ApiError(400, 10031, "stream mirrors can not also contain other sources");
    public static final ApiError MIRROR_WITH_START_SEQ_AND_TIME = new ApiError(400, 10032,
            "stream mirrors can not have both start seq and start time configured");
    public static final ApiError MIRROR_WITH_SUBJECT_FILTERS = new ApiError(400, 10033,
            "stream mirrors can not contain filtered subjects");
    public static final ApiError MIRROR_MAX_MESSAGE_SIZE = new ApiError(400, 10030,
            "stream mirror must have max message size >= source");
    public static final ApiError SOURCE_MAX_MESSAGE_SIZE = new ApiError(400, 10046,
            "stream source must have max message size >= target");
    public static final ApiError STREAM_MIRROR_NOT_UPDATABLE = new ApiError(400, 10055,
            "stream mirror configuration can not be updated");
    public static final ApiError STREAM_NAME_EXIST = new ApiError(400, 10058,
            "stream name already in use with a different configuration");
    public static final ApiError STREAM_MISMATCH = new ApiError(400, 10056, "stream name in subject does not match request");
    public static final ApiError STREAM_NOT_FOUND = new ApiError(404, 10059, "stream not found");
    public static final ApiError STREAM_NOT_MATCH = new ApiError(400, 10060, "expected stream does not match");
    public static final ApiError STREAM_SUBJECT_OVERLAP = new ApiError(400, 10065, "subjects overlap with an existing stream");
    public static final ApiError STREAM_MESSAGE_EXCEEDS_MAXIMUM = new ApiError(400, 10054, "message size exceeds maximum allowed");
    public static final ApiError STREAM_HEADER_EXCEEDS_MAXIMUM = new ApiError(400, 10097, "header size exceeds maximum allowed of 64k");
    public static final ApiError STREAM_REPLICAS_NOT_SUPPORTED = new ApiError(500, 10074,
            "replicas > 1 not supported in non-clustered mode");
    public static final ApiError REPLICAS_NEGATIVE = new ApiError(400, 10133, "replicas count cannot be negative");
    public static final ApiError STREAM_NAME_PATH_SEPARATORS = new ApiError(400, 10128,
            "Stream name can not contain path separators");
    public static final ApiError STREAM_SEALED = new ApiError(400, 10109, "invalid operation on sealed stream");
    public static final ApiError STREAM_MAX_BYTES_REQUIRED = new ApiError(400, 10113,
            "account requires a stream config to have max bytes set");
    public static final ApiError CONSUMER_NOT_FOUND = new ApiError(404, 10014, "consumer not found");
    public static final ApiError CONSUMER_NAME_EXIST = new ApiError(400, 10013, "consumer name already in use");
    public static final ApiError CONSUMER_EXISTING_ACTIVE = new ApiError(400, 10105, "consumer already exists and is still active");
    public static final ApiError CONSUMER_REPLACEMENT_DIFFERENT_NAME = new ApiError(400, 10106,
            "consumer replacement durable config not the same");
    public static final ApiError CONSUMER_CONFIG_REQUIRED = new ApiError(400, 10078, "consumer config required");
    public static final ApiError CONSUMER_DELIVER_TO_WILDCARDS = new ApiError(400, 10079, "consumer deliver subject has wildcards");
    public static final ApiError CONSUMER_PUSH_MAX_WAITING = new ApiError(400, 10080, "consumer in push mode can not set max waiting");
    public static final ApiError CONSUMER_DELIVER_CYCLE = new ApiError(400, 10081, "consumer deliver subject forms a cycle");
    public static final ApiError CONSUMER_MAX_PENDING_ACK_POLICY = new ApiError(400, 10082,
            "consumer requires ack policy for max ack pending");
    public static final ApiError CONSUMER_SMALL_HEARTBEAT = new ApiError(400, 10083, "consumer idle heartbeat needs to be >= 100ms");
    public static final ApiError CONSUMER_PULL_REQUIRES_ACK = new ApiError(400, 10084,
            "consumer in pull mode requires explicit ack policy on workqueue stream");
    public static final ApiError CONSUMER_PULL_NOT_DURABLE = new ApiError(400, 10085, "consumer in pull mode requires a durable name");
    public static final ApiError CONSUMER_PULL_WITH_RATE_LIMIT = new ApiError(400, 10086,
            "consumer in pull mode can not have rate limit set");
    public static final ApiError CONSUMER_MAX_WAITING_NEGATIVE = new ApiError(400, 10087, "consumer max waiting needs to be positive");
    public static final ApiError CONSUMER_HB_REQUIRES_PUSH = new ApiError(400, 10088,
            "consumer idle heartbeat requires a push based consumer");
    public static final ApiError CONSUMER_FC_REQUIRES_PUSH = new ApiError(400, 10089,
            "consumer flow control requires a push based consumer");
    public static final ApiError CONSUMER_DIRECT_REQUIRES_PUSH = new ApiError(400, 10090, "consumer direct requires a push based consumer");
    public static final ApiError CONSUMER_FILTER_NOT_SUBSET = new ApiError(400, 10093,
            "consumer filter subject is not a valid subset of the interest subjects");
    public static final ApiError CONSUMER_WQ_REQUIRES_EXPLICIT_ACK = new ApiError(400, 10098, "workqueue stream requires explicit ack");
    public static final ApiError CONSUMER_WQ_MULTIPLE_UNFILTERED = new ApiError(400, 10099,
            "multiple non-filtered consumers not allowed on workqueue stream");
    public static final ApiError CONSUMER_WQ_NOT_UNIQUE = new ApiError(400, 10100, "filtered consumer not unique on workqueue stream");
    public static final ApiError CONSUMER_WQ_NOT_DELIVER_ALL = new ApiError(400, 10101, "consumer must be deliver all on workqueue stream");
    public static final ApiError CONSUMER_BAD_DURABLE_NAME = new ApiError(400, 10103, "durable name can not contain '.', '*', '>'");
    public static final ApiError CONSUMER_FC_NEEDS_HEARTBEATS = new ApiError(400, 10108, "consumer with flow control also needs heartbeats");
    public static final ApiError CONSUMER_INVALID_DELIVER_SUBJECT = new ApiError(400, 10112, "invalid push consumer deliver subject");
    public static final ApiError CONSUMER_MAX_REQUEST_BATCH_NEGATIVE = new ApiError(400, 10114, "consumer max request batch needs to be > 0");
    public static final ApiError CONSUMER_MAX_REQUEST_EXPIRES_TOO_SMALL = new ApiError(400, 10115,
            "consumer max request expires needs to be >= 1ms");
    public static final ApiError CONSUMER_MAX_DELIVER_BACKOFF = new ApiError(400, 10116,
            "max deliver is required to be > length of backoff values");
    public static final ApiError CONSUMER_NAME_PATH_SEPARATORS = new ApiError(400, 10127, "Consumer name can not contain path separators");
    public static final ApiError CONSUMER_EPHEMERAL_WITH_DURABLE_IN_SUBJECT = new ApiError(400, 10019,
            "consumer expected to be ephemeral but detected a durable name set in subject");
    public static final ApiError CONSUMER_EPHEMERAL_WITH_DURABLE_NAME = new ApiError(400, 10020,
            "consumer expected to be ephemeral but a durable name was set in request");
    public static final ApiError CONSUMER_DURABLE_NAME_NOT_IN_SUBJECT = new ApiError(400, 10016,
            "consumer expected to be durable but no durable name set in subject");
    public static final ApiError CONSUMER_DURABLE_NAME_NOT_MATCH_SUBJECT = new ApiError(400, 10017,
            "consumer name in subject does not match durable name in request");
    public static final ApiError CONSUMER_DURABLE_NAME_NOT_SET = new ApiError(400, 10018,
            "consumer expected to be durable but a durable name was not set");
    public static final ApiError CONSUMER_CREATE_FILTER_MISMATCH = new ApiError(400, 10131,
            "Consumer create request did not match filtered subject from create subject");
    public static final ApiError CONSUMER_CREATE_DURABLE_AND_NAME_MISMATCH = new ApiError(400, 10132,
            "Consumer Durable and Name have to be equal if both are provided");

    public static final ApiError SNAPSHOT_DELIVER_SUBJECT_INVALID = new ApiError(400, 10015,
            "deliver subject not valid");
    public static final ApiError STREAM_NAME_EXIST_RESTORE_FAILED = new ApiError(400, 10130,
            "stream name already in use, cannot restore");

    public static ApiError streamSnapshot(String err) {
        return new ApiError(500, 10064, "snapshot failed: " + err);
    }

    public static ApiError streamRestore(String err) {
        return new ApiError(500, 10062, "restore failed: " + err);
    }

    public static ApiError streamInvalidConfig(String err) {
        return new ApiError(500, 10052, err);
    }

    public static ApiError streamCreate(String err) {
        return new ApiError(500, 10049, err);
    }

    public static ApiError streamUpdate(String err) {
        return new ApiError(500, 10069, err);
    }

    public static ApiError streamStoreFailed(String err) {
        return new ApiError(503, 10077, err);
    }

    public static ApiError streamMsgDeleteFailed(String err) {
        return new ApiError(500, 10057, err);
    }

    public static ApiError streamPurgeFailed(String err) {
        return new ApiError(500, 10110, err);
    }

    public static ApiError streamRollupFailed(String err) {
        return new ApiError(500, 10111, err);
    }

    public static ApiError streamGeneral(String err) {
        return new ApiError(500, 10051, err);
    }

    public static ApiError streamWrongLastSequence(long seq) {
        return new ApiError(400, 10071, "wrong last sequence: " + seq);
    }

    public static ApiError streamWrongLastMsgId(String id) {
        return new ApiError(400, 10070, "wrong last msg ID: " + id);
    }

    public static ApiError sequenceNotFound(long seq) {
        return new ApiError(400, 10043, "sequence " + seq + " not found");
    }

    public static ApiError consumerCreate(String err) {
        return new ApiError(500, 10012, err);
    }

    public static ApiError consumerInvalidPolicy(String err) {
        return new ApiError(400, 10094, err);
    }

    public static ApiError consumerNameTooLong(int max) {
        return new ApiError(400, 10102, "consumer name is too long, maximum allowed is " + max);
    }

    public static ApiError consumerDescriptionTooLong(int max) {
        return new ApiError(400, 10107, "consumer description is too long, maximum allowed is " + max);
    }

    public static ApiError consumerMaxRequestBatchExceeded(int limit) {
        return new ApiError(400, 10125, "consumer max request batch exceeds server limit of " + limit);
    }

    public static ApiError consumerMaxPendingAckExcess(int limit) {
        return new ApiError(400, 10121, "consumer max ack pending exceeds system limit of " + limit);
    }

    /** The {@code error} object of a response. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = JsonOut.obj();
        m.put("code", code);
        m.put("err_code", errCode);
        m.put("description", description);
        return m;
    }

    /** Thrown inside request handling; the API turns it into the response's error. */
    public static final class Failure extends RuntimeException {
        private final ApiError error;

        public Failure(ApiError error) {
            super(error.description(), null, false, false);
            this.error = error;
        }

        public ApiError error() {
            return error;
        }
    }

    public Failure fail() {
        return new Failure(this);
    }
}
