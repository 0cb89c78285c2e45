package io.natsboot.server.auth;

import java.util.Set;

/**
 * One {@code authorization.users} entry; {@code permissions} null means everything is allowed. An nkey user has a
 * public user nkey ({@code U...}) and an empty name and password: it proves itself by signing the INFO nonce.
 * {@code allowedConnectionTypes} (nats-server's {@code allowed_connection_types}: STANDARD, WEBSOCKET, LEAFNODE,
 * LEAFNODE_WS, MQTT, MQTT_WS) limits how the user may connect; empty means any way.
 */
public record User(String username, String password, Permissions permissions, String nkey,
        Set<String> allowedConnectionTypes) {

    public User {
        allowedConnectionTypes = allowedConnectionTypes == null ? Set.of() : Set.copyOf(allowedConnectionTypes);
    }

    public User(String username, String password, Permissions permissions) {
        this(username, password, permissions, null, Set.of());
    }

    public User(String username, String password, Permissions permissions, String nkey) {
        this(username, password, permissions, nkey, Set.of());
    }

    /** A user identified by its public nkey. */
    public static User ofNkey(String publicKey, Permissions permissions) {
        return new User("", "", permissions, publicKey, Set.of());
    }

    public boolean isNkey() {
        return nkey != null;
    }

    /** The same user with other permissions (default_permissions, reload). */
    public User withPermissions(Permissions p) {
        return new User(username, password, p, nkey, allowedConnectionTypes);
    }

    /** The same user limited to these connection types (empty: any). */
    public User withAllowedConnectionTypes(Set<String> types) {
        return new User(username, password, permissions, nkey, types);
    }

    /**
     * nats-server's connection type check: a user with no list may connect any way; else {@code type} (as
     * {@link io.natsboot.server.connection.ClientVariant#jwtConnectionType()} names it) must be listed.
     */
    public boolean allowsConnectionType(String type) {
        return allowedConnectionTypes.isEmpty() || allowedConnectionTypes.contains(type);
    }
}
