package io.natsboot.server.config;

import java.util.List;

/**
 * One account of the {@code accounts {}} block: the user names that belong to it (the users themselves are
 * in {@link ServerOptions#users()}), its exports and its imports.
 */
public record AccountOptions(String name, List<String> users, List<Export> exports, List<Import> imports) {

    public AccountOptions {
        users = List.copyOf(users);
        exports = List.copyOf(exports);
        imports = List.copyOf(imports);
    }

    /** {@code {stream: subject}} or {@code {service: subject}}, optionally only to {@code accounts}. */
    public record Export(String subject, boolean service, List<String> accounts) {
        public Export {
            accounts = accounts == null ? List.of() : List.copyOf(accounts);
        }
    }

    /**
     * {@code {stream: {account, subject}, prefix}} or {@code {service: {account, subject}, to}}: for a stream,
     * {@code to} holds the prefix; for a service, the local subject (null = the same subject).
     */
    public record Import(String account, String subject, boolean service, String to) {
    }
}
