package io.natsboot.server.support;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The check behind {@link RequiresBinary}: before a class or method that needs external programs, each one
 * is looked up; a missing one fails the test with the Debian package that provides it. Also where tests find
 * the programs ({@link #path}).
 */
public final class RequiredBinaries implements BeforeAllCallback, BeforeEachCallback {

    /** A program tests run: how it is found and which Debian package provides it. */
    private record Program(String name, String envVariable, List<String> fixedPaths, List<String> commands,
            String debianPackage, String versionLine) {
    }

    private static final Map<String, Program> PROGRAMS = Map.of(
            "nats-server", new Program("nats-server", null, List.of("/usr/sbin/nats-server"), List.of(),
                    "nats-server", "nats-server: v2.9.10"),
            "chromium", new Program("chromium", "CHROMIUM", List.of(),
                    List.of("chromium", "chromium-browser", "google-chrome"), "chromium", null),
            "prometheus", new Program("prometheus", "PROMETHEUS", List.of(), List.of("prometheus"), "prometheus",
                    null),
            "node", new Program("node", null, List.of(), List.of("node"), "nodejs", null),
            "go", new Program("go", null, List.of(), List.of("go"), "golang-go", null));

    /** Checked once per JVM: an empty string when present and right, else what is wrong. */
    private static final Map<String, String> PROBLEMS = new ConcurrentHashMap<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        check(context.getRequiredTestClass());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context.getRequiredTestMethod());
    }

    private static void check(AnnotatedElement element) {
        Optional<RequiresBinary> required = AnnotationSupport.findAnnotation(element, RequiresBinary.class);
        if (required.isEmpty()) {
            return;
        }
        for (String name : required.get().value()) {
            String problem = PROBLEMS.computeIfAbsent(name, n -> problem(n, System::getenv));
            if (!problem.isEmpty()) {
                throw new AssertionError(problem); // a failure, never an aborted (skipped) test
            }
        }
    }

    /**
     * Where the program is: $ENV, a fixed path, or a command on the PATH. Fails (never skips) with the Debian
     * package to install when it is not there.
     */
    public static Path path(String name) {
        Program p = program(name);
        return find(p, System::getenv).orElseThrow(() -> new AssertionError(missing(p)));
    }

    private static Program program(String name) {
        Program p = PROGRAMS.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown external program \"" + name + "\"; known: "
                    + PROGRAMS.keySet());
        }
        return p;
    }

    private static Optional<Path> find(Program p, Function<String, String> environment) {
        if (p.envVariable() != null) {
            String env = environment.apply(p.envVariable());
            if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
                return Optional.of(Path.of(env));
            }
        }
        for (String fixed : p.fixedPaths()) {
            if (Files.isExecutable(Path.of(fixed))) {
                return Optional.of(Path.of(fixed));
            }
        }
        String path = environment.apply("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            for (String command : p.commands()) {
                Path candidate = Path.of(dir, command);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static String missing(Program p) {
        String where = !p.fixedPaths().isEmpty() ? String.join(" or ", p.fixedPaths())
                : String.join(", ", p.commands()) + " on the PATH";
        if (p.envVariable() != null) {
            where += " (or $" + p.envVariable() + ")";
        }
        return "This test runs the external program " + p.name() + ", not found at " + where
                + ": install the Debian package " + p.debianPackage() + " (apt-get install -y " + p.debianPackage()
                + "; .ci/run does this). Tests tagged '" + RequiresBinary.TAG + "' need it; they fail, never skip.";
    }

    /** What is wrong with {@code name} in this environment (PATH, $CHROMIUM...), or "" when it is usable. */
    static String problem(String name, Function<String, String> environment) {
        Program p = program(name);
        Optional<Path> found = find(p, environment);
        if (found.isEmpty()) {
            return missing(p);
        }
        if (p.versionLine() == null) {
            return "";
        }
        try {
            Process v = new ProcessBuilder(found.get().toString(), "--version").redirectErrorStream(true).start();
            String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            v.waitFor(10, TimeUnit.SECONDS);
            return out.equals(p.versionLine()) ? "" : "This test compares with " + p.versionLine() + " but "
                    + found.get() + " --version says \"" + out + "\": install the Debian package "
                    + p.debianPackage() + " of that version";
        } catch (IOException e) {
            return found.get() + " does not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted checking " + found.get();
        }
    }
}
