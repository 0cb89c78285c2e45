package io.natsboot.server.auth.jwt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code resolver { type: full|cache, dir: ... }}: account JWTs as {@code <dir>/<account key>.jwt} files, the
 * layout of nats-server's DirJWTStore (not sharded). {@code full} keeps every account it is given; {@code cache}
 * keeps at most {@code limit}, dropping the oldest file. Files are replaced atomically (write then move).
 */
final class DirResolver implements AccountResolver {
    private final Path dir;
    private final boolean full;
    private final boolean allowDelete;
    private final long limit;

    DirResolver(TrustOptions.Resolver options) {
        this.dir = Path.of(options.dir());
        this.full = options.type() == TrustOptions.ResolverType.FULL;
        this.allowDelete = options.allowDelete();
        this.limit = options.limit();
    }

    @Override
    public String startLine() {
        return "Managing " + (full ? "all" : "some") + " jwt in exclusive directory " + dir;
    }

    private Path file(String account) throws IOException {
        if (account.isEmpty() || account.contains("/") || account.contains("\\") || account.startsWith(".")) {
            throw new IOException("invalid account name");
        }
        return dir.resolve(account + ".jwt");
    }

    @Override
    public String fetch(String account) throws IOException {
        try {
            return Files.readString(file(account), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new IOException("account missing");
        }
    }

    @Override
    public void store(String account, String jwt) throws IOException {
        Files.createDirectories(dir);
        Path target = file(account);
        if (!full && !Files.exists(target)) {
            evictToLimit();
        }
        Path tmp = Files.createTempFile(dir, account, ".tmp");
        Files.writeString(tmp, jwt, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void evictToLimit() throws IOException {
        List<Path> files = jwtFiles();
        while (files.size() >= limit && !files.isEmpty()) {
            Path oldest = files.get(0);
            for (Path p : files) {
                if (Files.getLastModifiedTime(p).compareTo(Files.getLastModifiedTime(oldest)) < 0) {
                    oldest = p;
                }
            }
            Files.deleteIfExists(oldest);
            files.remove(oldest);
        }
    }

    private List<Path> jwtFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jwt")) {
            for (Path p : ds) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public boolean acceptsUpdates() {
        return true;
    }

    @Override
    public List<String> list() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : jwtFiles()) {
            String name = p.getFileName().toString();
            out.add(name.substring(0, name.length() - 4));
        }
        out.sort(null);
        return out;
    }

    @Override
    public boolean allowsDelete() {
        return full && allowDelete;
    }

    @Override
    public void delete(String account) throws IOException {
        if (!allowsDelete()) {
            throw new IOException("delete must be enabled in server config");
        }
        Path f = file(account);
        if (Files.exists(f)) {
            Files.move(f, dir.resolve(account + ".jwt.deleted"), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
