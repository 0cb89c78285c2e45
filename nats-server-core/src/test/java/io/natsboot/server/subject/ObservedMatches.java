package io.natsboot.server.subject;

import java.util.List;

/**
 * Matching table observed on nats-server v2.9.10 (non-pedantic): one connection subscribed to every pattern in
 * {@link #PATTERNS} (one SID each), then published to each subject below and recorded which SIDs got a MSG.
 */
final class ObservedMatches {

    private ObservedMatches() {
    }

    static final List<String> PATTERNS = List.of(
            "foo", "foo.bar", "foo.*", "foo.>", "*", "*.*", ">", "*.>", "foo.*.baz", "foo.*.>", "foo*",
            "foo.bar>", "*.bar", "foo.bar.baz", "a.b.c.d", "a.*.c.>", "ü.*", "foo.**");

    record Row(String published, List<String> delivered) {
        @Override
        public String toString() {
            return "PUB " + published;
        }
    }

    static final List<Row> ROWS = List.of(
            new Row("foo", List.of("*", ">", "foo")),
            new Row("foo.bar", List.of("*.*", "*.>", "*.bar", ">", "foo.*", "foo.>", "foo.bar")),
            new Row("foo.baz", List.of("*.*", "*.>", ">", "foo.*", "foo.>")),
            new Row("foo.bar.baz", List.of("*.>", ">", "foo.*.>", "foo.*.baz", "foo.>", "foo.bar.baz")),
            new Row("foo.x.baz", List.of("*.>", ">", "foo.*.>", "foo.*.baz", "foo.>")),
            new Row("foo.x.y", List.of("*.>", ">", "foo.*.>", "foo.>")),
            new Row("foo.x.baz.q", List.of("*.>", ">", "foo.*.>", "foo.>")),
            // Tokens that merely contain wildcard characters are literal.
            new Row("foo*", List.of("*", ">", "foo*")),
            new Row("foo.bar>", List.of("*.*", "*.>", ">", "foo.*", "foo.>", "foo.bar>")),
            new Row("foo.**", List.of("*.*", "*.>", ">", "foo.*", "foo.**", "foo.>")),
            // Published wildcard tokens are matched as literal tokens.
            new Row("foo.*", List.of("*.*", "*.>", ">", "foo.*", "foo.>")),
            new Row("foo.>", List.of("*.*", "*.>", ">", "foo.*", "foo.>")),
            new Row("*", List.of("*", ">")),
            new Row(">", List.of("*", ">")),
            new Row("*.*", List.of("*.*", "*.>", ">")),
            // Empty tokens match nothing, not even '>'.
            new Row("foo..bar", List.of()),
            new Row("foo.", List.of()),
            new Row(".foo", List.of()),
            new Row(".", List.of()),
            new Row("bar", List.of("*", ">")),
            new Row("x.bar", List.of("*.*", "*.>", "*.bar", ">")),
            new Row("a.b.c.d", List.of("*.>", ">", "a.*.c.>", "a.b.c.d")),
            new Row("a.x.c.d", List.of("*.>", ">", "a.*.c.>")),
            new Row("a.x.c", List.of("*.>", ">")),
            new Row("a.b.c.d.e", List.of("*.>", ">", "a.*.c.>")),
            new Row("ü.x", List.of("*.*", "*.>", ">", "ü.*")),
            new Row("ü", List.of("*", ">")));
}
