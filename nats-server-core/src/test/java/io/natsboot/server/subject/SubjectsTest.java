package io.natsboot.server.subject;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SubjectsTest {

    @ParameterizedTest(name = "[{0}] subscribe={1} publish={2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            // subject      | valid SUB | valid pedantic PUB
            "foo            | true  | true",
            "foo.bar        | true  | true",
            "foo.bar.baz    | true  | true",
            "*              | true  | false",
            ">              | true  | false",
            "foo.*          | true  | false",
            "foo.>          | true  | false",
            "*.*.>          | true  | false",
            "foo.*.bar      | true  | false",
            "foo*           | true  | true",
            "a.b>           | true  | true",
            "foo.**         | true  | true",
            "$SYS.>         | true  | false",
            "_INBOX.abc.*   | true  | false",
            "ü.日本.x        | true  | true",
            "a-b_c:d/e      | true  | true",
            "''             | false | false",
            ".              | false | false",
            "foo.           | false | false",
            ".foo           | false | false",
            "foo..bar       | false | false",
            "..             | false | false",
            "foo.>.bar      | false | false",
            ">.foo          | false | false",
            ">.>            | false | false",
            "'foo bar'      | false | false",
            "'foo\tbar'     | false | false",
            "' foo'         | false | false",
            "'foo.bar '     | false | false",
    })
    void validation(String subject, boolean subscribe, boolean publish) {
        assertThat(Subjects.isValidSubscribeSubject(subject)).isEqualTo(subscribe);
        assertThat(Subjects.isValidPublishSubject(subject)).isEqualTo(publish);
    }

    @Test
    void controlCharactersAndNullAreInvalid() {
        assertThat(Subjects.isValidSubscribeSubject(null)).isFalse();
        assertThat(Subjects.isValidPublishSubject(null)).isFalse();
        for (String ws : new String[] {"\r", "\n", "\f", "\t", " "}) {
            assertThat(Subjects.isValidSubscribeSubject("a" + ws + "b")).as("%s", ws.codePointAt(0)).isFalse();
            assertThat(Subjects.isValidSubscribeSubject(ws)).isFalse();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "foo         | true  | 1",
            "foo.bar     | true  | 2",
            "foo*        | true  | 1",
            "a.b>        | true  | 2",
            "foo..bar    | true  | 3",
            "''          | true  | 0",
            "foo.        | true  | 2",
            "*           | false | 1",
            ">           | false | 1",
            "foo.*       | false | 2",
            "*.foo       | false | 2",
            "foo.>       | false | 2",
            "a.*.b.>     | false | 4",
    })
    void literalAndTokenCount(String subject, boolean literal, int tokens) {
        assertThat(Subjects.isLiteral(subject)).isEqualTo(literal);
        assertThat(Subjects.hasWildcard(subject)).isEqualTo(!literal);
        assertThat(Subjects.tokenCount(subject)).isEqualTo(tokens);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "q         | true",
            "q.*.>     | true",
            "workers-1 | true",
            "ü         | true",
            "''        | false",
            "'a b'     | false",
            "'a\tb'    | false",
    })
    void queueNames(String queue, boolean valid) {
        assertThat(Subjects.isValidQueueName(queue)).isEqualTo(valid);
    }

    @Test
    void nullQueueNameIsInvalid() {
        assertThat(Subjects.isValidQueueName(null)).isFalse();
    }

    static Stream<Arguments> observed() {
        return ObservedMatches.ROWS.stream().flatMap(row -> ObservedMatches.PATTERNS.stream()
                .map(p -> Arguments.of(p, row.published(), row.delivered().contains(p))));
    }

    /** {@link Subjects#matches} agrees with nats-server on every (pattern, subject) pair of the observed table. */
    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @MethodSource("observed")
    void matchesAgreesWithNatsServer(String pattern, String subject, boolean expected) {
        assertThat(Subjects.matches(pattern, subject)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "foo.>        | foo           | false",
            "foo.>        | foo.a.b.c     | true",
            "foo.*        | foo.a.b       | false",
            "*.*.*        | a.b.c         | true",
            "*.*.*        | a.b           | false",
            "foo.bar      | foo.ba        | false",
            "foo.ba       | foo.bar       | false",
            "foo.bar      | foo.bar.baz   | false",
            "foo.bar.baz  | foo.bar       | false",
            ">            | a.b..c        | false",
            ">            | a.b.          | false",
            "foo.>        | foo.a..b      | false",
            "*            | ''            | false",
            "''           | foo           | false",
            // Invalid patterns match nothing.
            "foo..bar     | foo..bar      | false",
            "foo.>.bar    | foo.x.bar     | false",
            "foo.         | foo.          | false",
    })
    void matchesEdgeCases(String pattern, String subject, boolean expected) {
        assertThat(Subjects.matches(pattern, subject)).isEqualTo(expected);
    }

    @Test
    void tokenize() {
        assertThat(Subjects.tokenize("a.b.c")).containsExactly("a", "b", "c");
        assertThat(Subjects.tokenize("ü")).containsExactly("ü");
        assertThat(Subjects.tokenize("a.*.>")).containsExactly("a", "*", ">");
        assertThat(Subjects.tokenize("")).isNull();
        assertThat(Subjects.tokenize("a..b")).isNull();
        assertThat(Subjects.tokenize("a.")).isNull();
        assertThat(Subjects.tokenize(".a")).isNull();
    }
}
