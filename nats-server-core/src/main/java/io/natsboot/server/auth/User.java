package io.natsboot.server.auth;

/**
 * One {@code authorization.users} entry; {@code permissions} null means everything is allowed. An nkey user has a
 * public user nkey ({@code U...}) and an empty name and password: it proves itself by signing the INFO nonce.
 */
public record User(String username, String password, Permissions permissions, String nkey) {

    public User(String username, String password, Permissions permissions) {
        this(username, password, permissions, null);
    }

    /** A user identified by its public nkey. */
    public static User ofNkey(String publicKey, Permissions permissions) {
        return new User("", "", permissions, publicKey);
    }

    public boolean isNkey() {
        return nkey != null;
    }

    /** The same user with other permissions (default_permissions, reload). */
    public User withPermissions(Permissions p) {
        return new User(username, password, p, nkey);
    }
}
