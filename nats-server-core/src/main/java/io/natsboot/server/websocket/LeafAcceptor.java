package io.natsboot.server.websocket;

import io.netty.channel.ChannelPipeline;

/**
 * Takes a WebSocket connection upgraded on {@code /leafnode} as a leaf connection (nats-server's LEAF over
 * WebSocket): installs its handlers in {@code pipeline} before {@code before}, behind the frame codec. The server
 * supplies it when it has a leafnodes block, so this package does not know the leaf nodes.
 */
@FunctionalInterface
public interface LeafAcceptor {
    void accept(ChannelPipeline pipeline, String before);
}
