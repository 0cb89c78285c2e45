package io.natsboot.server.auth;

/** One {@code authorization.users} entry; {@code permissions} null means everything is allowed. */
public record User(String username, String password, Permissions permissions) {
}
