package io.natsboot.server.system;

import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.monitor.JsonWriter;

/**
 * One account's traffic as the account events and /accstatz report it: {@code sent} = delivered to its clients,
 * {@code received} = published by them, closed connections included.
 */
record AccountTraffic(long sentMsgs, long sentBytes, long receivedMsgs, long receivedBytes, long slowConsumers) {

    /** Walks the account's live clients (only when an event has a listener). */
    static AccountTraffic of(Account a, Iterable<ClientConnection> members) {
        Account.Traffic closed = a.closedTraffic();
        long sm = closed.outMsgs();
        long sb = closed.outBytes();
        long rm = closed.inMsgs();
        long rb = closed.inBytes();
        for (ClientConnection c : members) {
            if (c.account() == a) { // it may have just moved on (CONNECT accepted into another account)
                sm += c.outMsgs();
                sb += c.outBytes();
                rm += c.inMsgs();
                rb += c.inBytes();
            }
        }
        return new AccountTraffic(sm, sb, rm, rb, a.slowConsumers());
    }

    /** {@code "sent":{...},"received":{...},"slow_consumers":n} inside an open object. */
    void writeJson(JsonWriter w) {
        SystemJson.dataStats(w.name("sent"), sentMsgs, sentBytes);
        SystemJson.dataStats(w.name("received"), receivedMsgs, receivedBytes);
        w.field("slow_consumers", slowConsumers);
    }
}
