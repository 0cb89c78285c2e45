package io.natsboot.server.auth.jwt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code resolver { type: full|cache, dir: ... }}: account JWTs as {@code <dir>/<account key>.jwt} files, the
 * layout of nats-server's DirJWTStore (not sharded). {@code full} keeps every account it is given; {@code cache}
 * keeps at most {@code limit}, dropping the oldest file. Files are replaced atomically (write then move).
 *
 * <p>For the sync between servers it keeps, as nats-server's store, the SHA-256 of every file and their XOR (the
 * store's hash, sent with {@code $SYS.REQ.CLAIMS.PACK}): two stores with the same JWTs have the same hash.
 */
final class DirResolver implements AccountResolver {
    private final Path dir;
    private final boolean full;
    private final boolean allowDelete;
    private final long limit;
    /** SHA-256 of each stored file's bytes, by account key. */
    private final Map<String, byte[]> hashes = new ConcurrentHashMap<>();

    DirResolver(TrustOptions.Resolver options) {
        this.dir = Path.of(options.dir());
        this.full = options.type() == TrustOptions.ResolverType.FULL;
        this.allowDelete = options.allowDelete();
        this.limit = options.limit();
        try {
            for (Path p : jwtFiles()) {
                String name = p.getFileName().toString();
                hashes.put(name.substring(0, name.length() - 4), sha256(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            // an unreadable directory: lookups will say so
        }
    }

    /** Whether this is the {@code full} store (it answers lookups and pack requests of other servers). */
    boolean full() {
        return full;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The XOR of the SHA-256 of every stored JWT file (32 zero bytes when empty), nats-server's store hash. */
    byte[] hash() {
        byte[] out = new byte[32];
        for (byte[] h : hashes.values()) {
            for (int i = 0; i < out.length; i++) {
                out[i] ^= h[i];
            }
        }
        return out;
    }

    /** Every stored JWT as a pack line, {@code <account key>|<jwt>}, expired ones left out (as nats-server). */
    List<String> packLines() throws IOException {
        List<String> out = new ArrayList<>();
        long now = OperatorMode.now();
        for (Path p : jwtFiles()) {
            String name = p.getFileName().toString();
            String jwt;
            try {
                jwt = Files.readString(p, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                continue; // deleted meanwhile
            }
            try {
                long exp = Jwt.decode(jwt).expires();
                if (exp > 0 && exp < now) {
                    continue;
                }
            } catch (JwtException e) {
                // nats-server packs what it cannot decode as it is
            }
            out.add(name.substring(0, name.length() - 4) + "|" + jwt);
        }
        return out;
    }

    /**
     * nats-server's saveIfNewer: stores {@code jwt} unless the held one has the same {@code jti} or was issued
     * later; returns whether the file changed. The caller has verified the JWT.
     */
    boolean storeIfNewer(String account, Jwt jwt) throws IOException {
        Path target = file(account);
        if (Files.exists(target)) {
            try {
                Jwt held = Jwt.decode(Files.readString(target, StandardCharsets.UTF_8));
                if (held.id() != null && held.id().equals(jwt.id()) || held.issuedAt() > jwt.issuedAt()) {
                    return false;
                }
            } catch (JwtException e) {
                // a held file that does not decode is replaced
            } catch (NoSuchFileException e) {
                // deleted meanwhile
            }
        }
        if (!account.equals(jwt.subject())) {
            throw new IOException("jwt subject nkey and provided nkey do not match");
        }
        byte[] before = hashes.get(account);
        store(account, jwt.token());
        return before == null || !java.util.Arrays.equals(before, hashes.get(account));
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
        hashes.put(account, sha256(jwt.getBytes(StandardCharsets.UTF_8)));
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
            String name = oldest.getFileName().toString();
            hashes.remove(name.substring(0, name.length() - 4));
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
        hashes.remove(account);
    }
}
