package io.natsboot.server.config;

import java.util.List;

/**
 * One account of the {@code accounts {}} block: the user names that belong to it (the users themselves are
 * in {@link ServerOptions#users()}), its exports and its imports.
 */
public record AccountOptions(String name, List<String> users, List<Export> exports, List<Import> imports,
        Limits limits) {

    public AccountOptions {
        users = List.copyOf(users);
        exports = List.copyOf(exports);
        imports = List.copyOf(imports);
        limits = limits == null ? Limits.NONE : limits;
    }

    public AccountOptions(String name, List<String> users, List<Export> exports, List<Import> imports) {
        this(name, users, exports, imports, Limits.NONE);
    }

    /**
     * The account's {@code limits {}}: max connections, subscriptions (per connection), payload and leaf nodes;
     * -1 is no limit of the account's own.
     */
    public record Limits(long maxConnections, long maxSubscriptions, long maxPayload, long maxLeafNodes) {
        public static final Limits NONE = new Limits(-1, -1, -1, -1);
    }

    /**
     * {@code {stream: subject}} or {@code {service: subject}}, optionally only to {@code accounts}. A service has
     * a {@code responseType} (Singleton, Streamed or Chunked, as /accountz names them) and a response threshold
     * (null: nats-server's default of 2 minutes).
     */
    public record Export(String subject, boolean service, List<String> accounts, String responseType,
            java.time.Duration responseThreshold) {
        public Export {
            accounts = accounts == null ? List.of() : List.copyOf(accounts);
            responseType = responseType == null ? "Singleton" : responseType;
        }

        public Export(String subject, boolean service, List<String> accounts) {
            this(subject, service, accounts, null, null);
        }

        /** Stream and Chunked services may answer a request more than once. */
        public boolean multipleResponses() {
            return !"Singleton".equals(responseType);
        }
    }

    /**
     * {@code {stream: {account, subject}, prefix}} or {@code {service: {account, subject}, to}}: for a stream,
     * {@code to} holds the prefix; for a service, the local subject (null = the same subject).
     */
    public record Import(String account, String subject, boolean service, String to) {
    }
}
