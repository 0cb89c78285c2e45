package io.natsboot.server.subject;

import io.natsboot.server.subject.SubjectTransform.MappingException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An account's subject mappings (nats-server 2.9.10's {@code mappings}): what a client publishes on a mapped
 * subject is delivered on the mapped destination instead, before any subscriber is matched.
 *
 * <p>A mapping has weighted destinations; weights that do not total 100 leave the rest to the source subject
 * itself, unless the source is listed among the destinations (then the rest is dropped). Destinations scoped to a
 * cluster replace the unscoped ones on servers of that cluster. The first mapping (in the order added) whose
 * source matches the published subject decides; adding a source again replaces it. Immutable and thread-safe.
 */
public final class SubjectMappings {
    public static final SubjectMappings NONE = new SubjectMappings(List.of());

    /** One destination as configured: subject, weight 0..100, optional cluster ({@code null} = any). */
    public record Destination(String subject, int weight, String cluster) {
    }

    /** One compiled destination with its cumulative weight. */
    private record Weighted(SubjectTransform transform, int upTo) {
    }

    /** One mapping: its source and the destinations (and those per cluster), weights cumulative. */
    public record Mapping(String source, boolean wildcard, List<Destination> configured, List<Weighted> dests,
            Map<String, List<Weighted>> clusterDests) {
    }

    private final List<Mapping> mappings;

    private SubjectMappings(List<Mapping> mappings) {
        this.mappings = List.copyOf(mappings);
    }

    public boolean isEmpty() {
        return mappings.isEmpty();
    }

    public List<Mapping> mappings() {
        return mappings;
    }

    /**
     * This set plus a mapping of {@code source} to {@code destinations} (replacing one of the same source), with
     * nats-server's checks and texts (AddWeightedMappings).
     */
    public SubjectMappings with(String source, List<Destination> destinations) throws MappingException {
        if (!Subjects.isValidSubscribeSubject(source)) {
            throw new MappingException(SubjectTransform.INVALID_SUBJECT);
        }
        boolean wildcard = Subjects.hasWildcard(source);
        Set<String> seen = new HashSet<>();
        List<Weighted> plain = new ArrayList<>();
        Map<String, List<Weighted>> byCluster = new LinkedHashMap<>();
        int total = 0;
        for (Destination d : destinations) {
            if (!seen.add(d.subject())) {
                throw new MappingException("duplicate entry for " + "\"" + d.subject() + "\"");
            }
            if (d.weight() > 100) {
                throw new MappingException("individual weights need to be <= 100");
            }
            total += d.weight();
            if (total > 100) {
                throw new MappingException("total weight needs to be <= 100");
            }
            SubjectTransform.validateDestination(d.subject());
            Weighted w = new Weighted(SubjectTransform.compile(source, d.subject()), d.weight());
            if (d.cluster() == null || d.cluster().isEmpty()) {
                plain.add(w);
            } else {
                byCluster.computeIfAbsent(d.cluster(), k -> new ArrayList<>()).add(w);
            }
        }
        boolean sourceListed = seen.contains(source);
        List<Weighted> dests = cumulative(source, wildcard, plain, sourceListed);
        Map<String, List<Weighted>> clusterDests = new LinkedHashMap<>();
        for (Map.Entry<String, List<Weighted>> e : byCluster.entrySet()) {
            clusterDests.put(e.getKey(), cumulative(source, wildcard, e.getValue(), sourceListed));
        }
        Mapping m = new Mapping(source, wildcard, List.copyOf(destinations), dests,
                java.util.Collections.unmodifiableMap(clusterDests));
        List<Mapping> next = new ArrayList<>(mappings);
        for (int i = 0; i < next.size(); i++) {
            if (next.get(i).source().equals(source)) {
                next.set(i, m);
                return new SubjectMappings(next);
            }
        }
        next.add(m);
        return new SubjectMappings(next);
    }

    /** This set plus a plain mapping (weight 100). */
    public SubjectMappings with(String source, String destination) throws MappingException {
        return with(source, List.of(new Destination(destination, 100, null)));
    }

    /**
     * The rest up to 100 goes to the source itself (unless it is listed), then weights become cumulative in
     * ascending order, as nats-server arranges them.
     */
    private static List<Weighted> cumulative(String source, boolean wildcard, List<Weighted> in, boolean sourceListed)
            throws MappingException {
        List<Weighted> list = new ArrayList<>(in);
        int sum = 0;
        for (Weighted w : list) {
            sum += w.upTo();
        }
        if (sum != 100 && !sourceListed) {
            String dest = wildcard ? numberWildcards(source) : source;
            list.add(new Weighted(SubjectTransform.compile(source, dest), list.isEmpty() ? 100 : 100 - sum));
        }
        list.sort(Comparator.comparingInt(Weighted::upTo));
        List<Weighted> out = new ArrayList<>(list.size());
        int running = 0;
        for (Weighted w : list) {
            running += w.upTo();
            out.add(new Weighted(w.transform(), running));
        }
        return List.copyOf(out);
    }

    /** {@code foo.*.*} -> {@code foo.$1.$2}: the source as a destination that keeps its wildcard tokens. */
    private static String numberWildcards(String subject) {
        StringBuilder b = new StringBuilder();
        int n = 1;
        for (String t : SubjectTransform.tokens(subject)) {
            if (b.length() > 0) {
                b.append('.');
            }
            b.append(t.equals("*") ? "$" + n++ : t);
        }
        return b.toString();
    }

    /** One destination as nats-server's /accountz shows it: its subject, cumulative weight, cluster or null. */
    public record Shown(String subject, int weight, String cluster) {
    }

    /**
     * The mappings as nats-server's /accountz shows them: by source in sorted order, each the destinations as
     * arranged for picking (the source added for the rest, ascending, weights cumulative), then each cluster's.
     */
    public java.util.SortedMap<String, List<Shown>> shown() {
        java.util.SortedMap<String, List<Shown>> out = new java.util.TreeMap<>();
        for (Mapping m : mappings) {
            List<Shown> list = new ArrayList<>();
            for (Weighted w : m.dests()) {
                list.add(new Shown(w.transform().destination(), w.upTo(), null));
            }
            for (Map.Entry<String, List<Weighted>> e : m.clusterDests().entrySet()) {
                for (Weighted w : e.getValue()) {
                    list.add(new Shown(w.transform().destination(), w.upTo(), e.getKey()));
                }
            }
            out.put(m.source(), List.copyOf(list));
        }
        return out;
    }

    /**
     * The subject a publish on {@code subject} goes to: null when no mapping applies, {@code ""} when the
     * weighted pick chose nothing (the rest of a mapping that lists its source: the message is dropped).
     * {@code cluster} is this server's cluster name (null or empty without one).
     */
    public String map(String subject, String cluster) {
        Mapping m = null;
        for (Mapping x : mappings) {
            if (x.wildcard() ? Subjects.matches(x.source(), subject) : x.source().equals(subject)) {
                m = x;
                break;
            }
        }
        if (m == null) {
            return null;
        }
        List<Weighted> dests = m.dests();
        if (!m.clusterDests().isEmpty() && cluster != null) {
            List<Weighted> scoped = m.clusterDests().get(cluster);
            if (scoped != null) {
                dests = scoped;
            }
        }
        Weighted pick = null;
        if (dests.size() == 1 && dests.get(0).upTo() == 100) {
            pick = dests.get(0);
        } else {
            int r = ThreadLocalRandom.current().nextInt(100);
            for (Weighted w : dests) {
                if (r < w.upTo()) {
                    pick = w;
                    break;
                }
            }
        }
        if (pick == null) {
            return "";
        }
        return pick.transform().apply(subject);
    }
}
