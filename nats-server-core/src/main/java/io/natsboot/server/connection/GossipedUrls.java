package io.natsboot.server.connection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * URLs that route peers advertise for one kind of listener (their leafnode or websocket URLs, nats-server's
 * refCountedUrlSet): counted per URL, as two peers may advertise the same one, in the order they arrived. The
 * listeners of this server (leaf connections, websocket clients) are told when the set changes, to send their
 * peers an updated INFO.
 */
public final class GossipedUrls {
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** A peer has advertised URLs at some point (nats-server starts listing them then, and keeps its own after). */
    private volatile boolean everAdded;

    /** A peer with {@code urls} registered ({@code added}) or left. */
    public void update(List<String> urls, boolean added) {
        if (urls.isEmpty()) {
            return;
        }
        boolean changed = false;
        if (added) {
            everAdded = true;
        }
        synchronized (counts) {
            for (String u : urls) {
                if (added) {
                    changed |= counts.merge(u, 1, Integer::sum) == 1;
                } else {
                    Integer n = counts.get(u);
                    if (n == null) {
                        continue;
                    }
                    if (n <= 1) {
                        counts.remove(u);
                        changed = true;
                    } else {
                        counts.put(u, n - 1);
                    }
                }
            }
        }
        if (changed) {
            for (Runnable r : listeners) {
                r.run();
            }
        }
    }

    /** The URLs, in the order they first came. */
    public List<String> urls() {
        synchronized (counts) {
            return List.copyOf(new ArrayList<>(counts.keySet()));
        }
    }

    /** True once a peer advertised URLs of this kind. */
    public boolean everAdded() {
        return everAdded;
    }

    /** {@code r} runs (on the thread that changed the set) after each change. */
    public void onChange(Runnable r) {
        listeners.add(r);
    }
}
