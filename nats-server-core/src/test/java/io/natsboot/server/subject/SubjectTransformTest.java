package io.natsboot.server.subject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natsboot.server.subject.SubjectTransform.MappingException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Subject transforms, each row observed on nats-server 2.9.10 (a {@code mappings} entry, a publish, the MSG
 * subject a {@code >} subscriber got; {@code -} = nothing delivered because the result is not a valid subject).
 */
class SubjectTransformTest {

    @ParameterizedTest(name = "{0} -> {1}: {2} => {3}")
    @CsvSource(delimiter = '|', value = {
        "foo.*|bar.{{splitfromleft(1,3)}}|foo.abcdef|bar.abc.def",
        "foo.*|bar.{{splitfromleft(1,3)}}|foo.ab|bar.ab",
        "foo.*|bar.{{splitfromleft(1,3)}}|foo.abc|bar.abc",
        "foo.*|bar.{{splitfromright(1,3)}}|foo.abcdefg|bar.abcd.efg",
        "foo.*|bar.{{splitfromright(1,3)}}|foo.ab|bar.ab",
        "foo.*|bar.{{splitfromright(1,3)}}|foo.abc|bar.abc",
        "foo.*|bar.{{slicefromleft(1,3)}}|foo.abcdefgh|bar.abc.def.gh",
        "foo.*|bar.{{slicefromleft(1,3)}}|foo.ab|bar.ab",
        "foo.*|bar.{{slicefromleft(1,3)}}|foo.abcdef|bar.abc.def",
        "foo.*|bar.{{slicefromleft(1,3)}}|foo.abc|bar.abc",
        "foo.*|bar.{{slicefromright(1,3)}}|foo.abcdefgh|bar.ab.cde.fgh",
        "foo.*|bar.{{slicefromright(1,3)}}|foo.ab|bar.ab",
        "foo.*|bar.{{slicefromright(1,3)}}|foo.abcdef|bar.abc.def",
        "foo.*|bar.{{SliceFromRight(1,3)}}|foo.abc|bar.abc",
        "foo.*|bar.{{split(1,-)}}|foo.a-b-c|bar.a.b.c",
        "foo.*|bar.{{split(1,-)}}|foo.-a--b-|bar.a.b",
        "foo.*|bar.{{split(1,-)}}|foo.---|-",
        "foo.*|bar.{{split(1,-)}}|foo.abc|bar.abc",
        "foo.*|bar.{{split(1,-)}}|foo.-|-",
        "foo.*|bar.{{split(1,ab)}}|foo.xabyabz|bar.x.y.z",
        "foo.*|bar.{{split(1,ab)}}|foo.abab|-",
        "foo.*.*|bar.{{partition(5,1,2)}}.$2.$1|foo.a.b|bar.1.b.a",
        "foo.*.*|bar.{{partition(5,1,2)}}.$2.$1|foo.x.y|bar.2.y.x",
        "foo.*.*|bar.{{partition(5,1,2)}}.$2.$1|foo.hello.world|bar.2.world.hello",
        "foo.*.*|bar.{{partition(5,1,2)}}.$2.$1|foo.1.2|bar.0.2.1",
        "foo.*|bar.{{partition(10,1)}}|foo.a|bar.0",
        "foo.*|bar.{{partition(10,1)}}|foo.b|bar.7",
        "foo.*|bar.{{partition(10,1)}}|foo.c|bar.8",
        "foo.*|bar.{{partition(10,1)}}|foo.order123|bar.1",
        "foo.>|bar.>|foo.a|bar.a",
        "foo.>|bar.>|foo.a.b.c|bar.a.b.c",
        "foo.*.>|bar.$1.>|foo.a.b|bar.a.b",
        "foo.*.>|bar.$1.>|foo.a.b.c|bar.a.b.c",
        "foo.*.*|bar.{{ Wildcard( 2 ) }}.{{wildcard(1)}}|foo.a.b|bar.b.a",
        "foo|bar.$1|foo|bar.$1",
        "foo|bar.$x|foo|bar.$x",
        "foo.*|bar.$1.$1|foo.a|bar.a.a",
        "foo.*|{{wildcard(1)}}|foo.a|a",
        "*|x.$1|a|x.a",
    })
    void transformsAsNatsServer(String src, String dest, String published, String expected) throws Exception {
        SubjectTransform.validateDestination(dest);
        String out = SubjectTransform.compile(src, dest).apply(published);
        if (expected.equals("-")) {
            assertThat(Subjects.isValidPublishSubject(out)).as(out).isFalse();
        } else {
            assertThat(out).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "foo.*|bar|invalid mapping destination: not using all of the token wildcard(s) in bar",
        "foo.*.*|bar.$2|invalid mapping destination: not using all of the token wildcard(s) in bar.$2",
        "foo.*|bar.$2|invalid mapping destination: wildcard index out of range in $2: [2]",
        "foo.*|bar.{{wildcard()}}|invalid mapping destination: not enough arguments passed to the function in {{wildcard()}}",
        "foo.*|bar.{{wildcard(1,2)}}|invalid mapping destination: too many arguments passed to the function in {{wildcard(1,2)}}",
        "foo.*|bar.{{wildcard(x)}}|invalid mapping destination: function argument is invalid or in the wrong format in {{wildcard(x)}}",
        "foo.*|bar.{{nope(1)}}|invalid mapping destination: unknown function in {{nope(1)}}",
        "foo.*|bar.{{partition(3)}}.$1|invalid mapping destination: not enough arguments passed to the function in {{partition(3)}}",
        "foo.*|bar.{{split(1,a b)}}|invalid mapping destination: function argument is invalid or in the wrong format in {{split(1,a b)}}",
        "foo.*|bar.{{splitfromleft(1)}}|invalid mapping destination: not enough arguments passed to the function in {{splitfromleft(1)}}",
        "foo.*|bar.{{slicefromright(1,2,3)}}|invalid mapping destination: too many arguments passed to the function in {{slicefromright(1,2,3)}}",
        "foo.>|bar|invalid subject",
        "foo|bar.>|invalid subject",
        "foo|bar.*|invalid subject",
        "foo.*.>|bar.>.$1|invalid mapping destination: invalid subject in $1",
        "foo.>|bar.{{wildcard(1)}}|invalid subject",
    })
    void refusesAsNatsServer(String src, String dest, String message) {
        assertThatThrownBy(() -> SubjectMappings.NONE.with(src, dest)).isInstanceOf(MappingException.class)
                .hasMessage(message);
    }

    @Test
    void emptyOrDoubleDotDestinationsNameTheEmptyToken() {
        assertThatThrownBy(() -> SubjectMappings.NONE.with("foo", "")).hasMessage(
                "invalid mapping destination: invalid subject in ");
        assertThatThrownBy(() -> SubjectMappings.NONE.with("foo", "bar..x")).hasMessage(
                "invalid mapping destination: invalid subject in ");
    }

    @Test
    void weightsAreCheckedAsNatsServer() {
        assertThatThrownBy(() -> SubjectMappings.NONE.with("foo", List.of(d("a", 60), d("b", 50))))
                .hasMessage("total weight needs to be <= 100");
        assertThatThrownBy(() -> SubjectMappings.NONE.with("foo", List.of(d("a", 10), d("a", 10))))
                .hasMessage("duplicate entry for \"a\"");
        assertThatThrownBy(() -> SubjectMappings.NONE.with("foo", List.of(d("a", 101))))
                .hasMessage("individual weights need to be <= 100");
    }

    @Test
    void plainMappingAndFirstMatchWins() throws Exception {
        SubjectMappings m = SubjectMappings.NONE.with("foo", "bar").with("a.*", "b.$1").with("a.x", "never");
        assertThat(m.map("foo", null)).isEqualTo("bar");
        assertThat(m.map("a.x", null)).isEqualTo("b.x");
        assertThat(m.map("other", null)).isNull();
        assertThat(m.with("foo", "baz").map("foo", null)).isEqualTo("baz"); // same source replaces
    }

    @Test
    void weightsBelowHundredLeaveTheRestToTheSource() throws Exception {
        SubjectMappings m = SubjectMappings.NONE.with("foo.*", List.of(d("a.$1", 30)));
        Map<String, Integer> seen = count(m, "foo.x", 10_000, null);
        assertThat(seen.keySet()).containsExactlyInAnyOrder("a.x", "foo.x");
        assertThat(seen.get("a.x")).isBetween(2_600, 3_400);
    }

    @Test
    void aListedSourceMeansTheRestIsDropped() throws Exception {
        SubjectMappings m = SubjectMappings.NONE.with("foo", List.of(d("foo", 20), d("bar", 30)));
        Map<String, Integer> seen = count(m, "foo", 10_000, null);
        assertThat(seen.keySet()).containsExactlyInAnyOrder("foo", "bar", "");
        assertThat(seen.get("")).isBetween(4_500, 5_500);
    }

    @Test
    void clusterScopedDestinationsReplaceTheOthersInThatCluster() throws Exception {
        // nats-server counts every destination, scoped or not, against the 100
        assertThatThrownBy(() -> SubjectMappings.NONE.with("foo", List.of(d("plain", 100),
                new SubjectMappings.Destination("east", 100, "c1")))).hasMessage("total weight needs to be <= 100");
        SubjectMappings m = SubjectMappings.NONE.with("foo", List.of(d("plain", 50),
                new SubjectMappings.Destination("east", 50, "c1")));
        assertThat(count(m, "foo", 2_000, "c1").keySet()).containsExactlyInAnyOrder("east", "foo");
        assertThat(count(m, "foo", 2_000, "c2").keySet()).containsExactlyInAnyOrder("plain", "foo");
        assertThat(count(m, "foo", 2_000, null).keySet()).containsExactlyInAnyOrder("plain", "foo");
        SubjectMappings onlyScoped = SubjectMappings.NONE.with("foo", List.of(
                new SubjectMappings.Destination("east", 100, "c1")));
        assertThat(onlyScoped.map("foo", null)).isEqualTo("foo");
        assertThat(onlyScoped.map("foo", "c1")).isEqualTo("east");
    }

    private static SubjectMappings.Destination d(String s, int w) {
        return new SubjectMappings.Destination(s, w, null);
    }

    private static Map<String, Integer> count(SubjectMappings m, String subject, int n, String cluster) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            seen.merge(m.map(subject, cluster), 1, Integer::sum);
        }
        return seen;
    }
}
