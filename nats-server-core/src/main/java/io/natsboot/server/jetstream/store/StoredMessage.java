package io.natsboot.server.jetstream.store;

/**
 * One message as a store holds it. {@code headers} is the raw NATS header block ({@code NATS/1.0\r\n...})
 * or an empty array; {@code timestamp} is nanoseconds since the Unix epoch, as nats-server records it.
 */
public record StoredMessage(String subject, byte[] headers, byte[] data, long seq, long timestamp) {
    private static final byte[] EMPTY = new byte[0];

    public StoredMessage {
        headers = headers == null ? EMPTY : headers;
        data = data == null ? EMPTY : data;
    }
}
