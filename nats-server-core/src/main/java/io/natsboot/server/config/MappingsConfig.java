package io.natsboot.server.config;

import io.natsboot.server.config.ConfParser.ConfMap;
import io.natsboot.server.config.ConfParser.Entry;
import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.subject.SubjectMappings;
import io.natsboot.server.subject.SubjectTransform.MappingException;
import io.natsboot.server.subject.Subjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code mappings} (or {@code maps}) blocks of a configuration file: the top-level one for the global account
 * and one per account in {@code accounts {}}, with nats-server 2.9.10's checks and texts (parseAccountMappings).
 *
 * <p>An entry is {@code source: destination}, {@code source: {destination, weight, cluster}} or a list of such
 * maps. nats-server builds some of its error texts by a failing type assertion (a weighted mapping it cannot
 * add reports {@code interface conversion: interface {} is []interface {}, not string}); those texts are kept.
 */
final class MappingsConfig {
    private final List<String> errors;
    private final Map<String, SubjectMappings> byAccount = new LinkedHashMap<>();

    MappingsConfig(List<String> errors) {
        this.errors = errors;
    }

    /** The mappings per account name ({@code $G} for the top-level block). */
    Map<String, SubjectMappings> build() {
        return Map.copyOf(byAccount);
    }

    /** One mappings block {@code e} of account {@code account}. */
    void parse(String account, Entry e) {
        if (!(e.value() instanceof ConfMap block)) {
            errors.add(e.pos() + ": interface conversion: interface {} is " + ConfigFileOptions.goType(e.value())
                    + ", not map[string]interface {}");
            return;
        }
        SubjectMappings m = byAccount.getOrDefault(account, SubjectMappings.NONE);
        for (Entry f : block.entries()) {
            String source = f.key();
            if (!Subjects.isValidSubscribeSubject(source)) {
                errors.add(e.pos() + ": Subject " + GoFormat.quote(source) + " is not a valid subject");
                continue;
            }
            Object v = f.value();
            if (v instanceof String dest) {
                try {
                    m = m.with(source, dest);
                } catch (MappingException ex) {
                    errors.add(f.pos() + ": Error adding mapping for " + GoFormat.quote(source) + " to "
                            + GoFormat.quote(dest) + " : " + ex.getMessage());
                }
                continue;
            }
            List<SubjectMappings.Destination> dests = new ArrayList<>();
            Entry last = f;
            String goType;
            if (v instanceof List<?> items) {
                goType = "[]interface {}";
                for (Object o : items) {
                    Entry item = (Entry) o;
                    last = item;
                    SubjectMappings.Destination d = destination(item);
                    if (d != null) {
                        dests.add(d);
                    }
                }
            } else {
                goType = ConfigFileOptions.goType(v);
                SubjectMappings.Destination d = destination(f);
                if (d == null) {
                    continue;
                }
                dests.add(d);
            }
            try {
                m = m.with(source, dests);
            } catch (MappingException ex) {
                // nats-server formats this error with a type assertion to string that fails
                errors.add(last.pos() + ": interface conversion: interface {} is " + goType + ", not string");
            }
        }
        byAccount.put(account, m);
    }

    /** nats-server's parseAccountMapDest; null (error recorded) when the entry is not a usable destination. */
    private SubjectMappings.Destination destination(Entry item) {
        if (!(item.value() instanceof ConfMap map)) {
            errors.add(item.pos() + ": Expected an entry for the mapping destination");
            return null;
        }
        String subject = "";
        String cluster = null;
        Integer weight = null;
        for (Entry f : map.entries()) {
            Object v = f.value();
            switch (f.key().toLowerCase(Locale.ROOT)) {
                case "dest": case "destination":
                    if (!(v instanceof String s)) {
                        errors.add(f.pos() + ": interface conversion: interface {} is " + ConfigFileOptions.goType(v)
                                + ", not string");
                        return null;
                    }
                    subject = s;
                    break;
                case "weight":
                    if (v instanceof String s) {
                        String ws = s.endsWith("%") ? s.substring(0, s.length() - 1) : s;
                        Long n = parseInt(ws);
                        if (n == null) {
                            errors.add(f.pos() + ": Invalid weight " + GoFormat.quote(ws) + " for mapping destination");
                            return null;
                        }
                        if (n > 100 || n < 0) {
                            errors.add(f.pos() + ": Invalid weight " + n + " for mapping destination");
                            return null;
                        }
                        weight = n.intValue();
                    } else if (v instanceof Long n) {
                        if (n > 100 || n < 0) {
                            errors.add(f.pos() + ": Invalid weight " + n + " for mapping destination");
                            return null;
                        }
                        weight = n.intValue();
                    } else {
                        errors.add(f.pos() + ": Unknown entry type for weight of " + v + "\n");
                        return null;
                    }
                    break;
                case "cluster":
                    if (!(v instanceof String s)) {
                        errors.add(f.pos() + ": interface conversion: interface {} is " + ConfigFileOptions.goType(v)
                                + ", not string");
                        return null;
                    }
                    cluster = s;
                    break;
                default:
                    errors.add(f.pos() + ": Unknown field " + GoFormat.quote(f.key()) + " for mapping destination");
                    return null;
            }
        }
        if (weight == null) {
            errors.add(item.pos() + ": Missing weight for mapping destination " + GoFormat.quote(subject));
            return null;
        }
        return new SubjectMappings.Destination(subject, weight, cluster);
    }

    /** Go's strconv.Atoi for a weight: optional sign and digits. */
    private static Long parseInt(String s) {
        if (!s.matches("[+-]?[0-9]{1,18}")) {
            return null;
        }
        return Long.parseLong(s);
    }
}
