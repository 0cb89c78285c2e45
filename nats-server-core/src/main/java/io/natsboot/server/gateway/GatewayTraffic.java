package io.natsboot.server.gateway;

/**
 * The traffic with one remote gateway (cluster) since start, over its outbound and inbound connections, those open
 * now and those closed (so the figures only grow): the in/out message and byte counts /gatewayz shows per
 * connection.
 */
public record GatewayTraffic(long inMsgs, long inBytes, long outMsgs, long outBytes) {
    static final GatewayTraffic NONE = new GatewayTraffic(0, 0, 0, 0);

    GatewayTraffic plus(GatewayConnection c) {
        return new GatewayTraffic(inMsgs + c.inMsgs(), inBytes + c.inBytes(), outMsgs + c.outboundQueue().outMsgs(),
                outBytes + c.outboundQueue().outBytes());
    }
}
