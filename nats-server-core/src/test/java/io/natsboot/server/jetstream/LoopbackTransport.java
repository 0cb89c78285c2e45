package io.natsboot.server.jetstream;

import io.natsboot.server.subject.Subjects;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-process bus for tests: a publish calls every matching subscription's handler on the caller's thread. */
final class LoopbackTransport implements JetStreamTransport {
    private record Sub(String account, String subject, Handler handler) {
    }

    private final List<Sub> subs = new CopyOnWriteArrayList<>();

    @Override
    public Subscription subscribe(String account, String subject, Handler handler) {
        Sub s = new Sub(account, subject, handler);
        subs.add(s);
        return () -> subs.remove(s);
    }

    @Override
    public void publish(String account, String subject, String reply, byte[] headers, byte[] payload) {
        for (Sub s : subs) {
            if (s.account.equals(account) && Subjects.matches(s.subject, subject)) {
                s.handler.onMessage(subject, reply, headers, payload == null ? new byte[0] : payload);
            }
        }
    }

    @Override
    public void deliver(String account, String deliverSubject, String subject, String reply, byte[] headers,
                        byte[] payload) {
        for (Sub s : subs) {
            if (s.account.equals(account) && Subjects.matches(s.subject, deliverSubject)) {
                s.handler.onMessage(subject, reply, headers, payload == null ? new byte[0] : payload);
            }
        }
    }

    @Override
    public boolean hasInterest(String account, String subject) {
        for (Sub s : subs) {
            if (s.account.equals(account) && Subjects.matches(s.subject, subject)) {
                return true;
            }
        }
        return false;
    }
}
