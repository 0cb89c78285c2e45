package io.natsboot.server.monitor;

import java.time.Instant;
import java.util.List;

/**
 * Snapshots of the endpoints for features this server does not have yet (gateways, leaf nodes,
 * JetStream), plus /accountz and /accstatz: they answer what nats-server 2.9 answers when the feature is
 * not configured, so tools that poll them keep working.
 */
public final class FeatureViews {
    private FeatureViews() {
    }

    /** /gatewayz with gateways off: two empty maps. */
    public record Gatewayz(String serverId, Instant now) implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .field("server_id", serverId)
                    .field("now", now)
                    .name("outbound_gateways").beginObject().endObject()
                    .name("inbound_gateways").beginObject().endObject()
                    .endObject();
        }
    }

    /** /leafz with no leaf nodes: {@code "leafs": null}, as Go writes a nil slice. */
    public record Leafz(String serverId, Instant now) implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .field("server_id", serverId)
                    .field("now", now)
                    .field("leafnodes", 0)
                    .name("leafs").nullValue()
                    .endObject();
        }
    }

    /** /accountz: the account names, or one account's detail with {@code ?acc=}. */
    public record Accountz(String serverId, Instant now, String systemAccount, List<String> accounts,
                           AccountInfo accountDetail) implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .field("server_id", serverId)
                    .field("now", now)
                    .fieldOmitEmpty("system_account", systemAccount)
                    .fieldOmitEmpty("accounts", accounts);
            if (accountDetail != null) {
                w.name("account_detail").value(accountDetail);
            }
            w.endObject();
        }
    }

    /** One account's detail in /accountz. */
    public record AccountInfo(String accountName, Instant updateTime, boolean isSystem, int clientConnections,
                              long subscriptions, SublistStats sublistStats,
                              java.util.SortedMap<String, List<io.natsboot.server.subject.SubjectMappings.Shown>> mappings,
                              List<ExtExport> exports, List<ExtImport> imports, JwtFields jwt)
            implements JsonWriter.Writable {
        public AccountInfo(String accountName, Instant updateTime, boolean isSystem, int clientConnections,
                           long subscriptions, SublistStats sublistStats) {
            this(accountName, updateTime, isSystem, clientConnections, subscriptions, sublistStats,
                    new java.util.TreeMap<>(), List.of(), List.of(), null);
        }

        public AccountInfo(String accountName, Instant updateTime, boolean isSystem, int clientConnections,
                           long subscriptions, SublistStats sublistStats,
                           java.util.SortedMap<String, List<io.natsboot.server.subject.SubjectMappings.Shown>> mappings,
                           List<ExtExport> exports, List<ExtImport> imports) {
            this(accountName, updateTime, isSystem, clientConnections, subscriptions, sublistStats, mappings, exports,
                    imports, null);
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .field("account_name", accountName)
                    .field("update_time", updateTime)
                    .fieldOmitEmpty("is_system", isSystem)
                    .field("expired", jwt != null && jwt.expired())
                    .field("complete", true)
                    .field("jetstream_enabled", false)
                    .field("leafnode_connections", 0)
                    .field("client_connections", clientConnections)
                    .field("subscriptions", subscriptions);
            if (mappings != null && !mappings.isEmpty()) {
                w.name("mappings").beginObject();
                mappings.forEach((source, dests) -> {
                    w.name(source).beginArray();
                    for (io.natsboot.server.subject.SubjectMappings.Shown d : dests) {
                        w.beginObject().field("subject", d.subject()).field("weight", d.weight())
                                .fieldOmitEmpty("cluster", d.cluster() == null ? "" : d.cluster()).endObject();
                    }
                    w.endArray();
                });
                w.endObject();
            }
            if (exports != null && !exports.isEmpty()) {
                w.name("exports").array(exports);
            }
            if (imports != null && !imports.isEmpty()) {
                w.name("imports").array(imports);
            }
            if (jwt != null) {
                jwt.writeFields(w);
            }
            w.name("sublist_stats").value(sublistStats)
                    .endObject();
        }
    }

    /**
     * The fields nats-server adds to an account's /accountz detail when the account comes from a JWT: the JWT,
     * its issuer, name and tags, its claims ({@code decoded_jwt}), the jwt library's validation warnings, and the
     * users it revokes with the time (RFC 3339, UTC).
     */
    public record JwtFields(String jwt, String issuerKey, String nameTag, List<String> tags,
                            java.util.Map<String, Object> decoded, List<String> warnings,
                            java.util.SortedMap<String, Instant> revokedUsers, boolean expired) {
        void writeFields(JsonWriter w) {
            w.fieldOmitEmpty("jwt", jwt)
                    .fieldOmitEmpty("issuer_key", issuerKey)
                    .fieldOmitEmpty("name_tag", nameTag == null ? "" : nameTag)
                    .fieldOmitEmpty("tags", tags == null ? List.of() : tags);
            w.name("decoded_jwt").tree(decoded);
            if (!warnings.isEmpty()) {
                w.name("validation_result_jwt").beginArray();
                for (String d : warnings) {
                    w.beginObject().field("description", d).field("blocking", false).field("time_check", false)
                            .endObject();
                }
                w.endArray();
            }
            if (!revokedUsers.isEmpty()) {
                w.name("revoked_user").beginObject();
                revokedUsers.forEach((k, t) -> w.name(k).value(t));
                w.endObject();
            }
        }
    }

    /** An export in /accountz (nats-server's ExtExport: jwt.Export's fields plus approved accounts). */
    public record ExtExport(String subject, boolean service, boolean tokenRequired, String responseType,
                            List<String> approvedAccounts) implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .field("subject", subject)
                    .field("type", service ? "service" : "stream")
                    .fieldOmitEmpty("token_req", tokenRequired)
                    .fieldOmitEmpty("response_type", responseType == null ? "" : responseType)
                    .fieldOmitEmpty("approved_accounts", approvedAccounts == null ? List.of() : approvedAccounts)
                    .endObject();
        }
    }

    /**
     * An import in /accountz (nats-server's ExtImport): a stream by its exported subject and the local subject it
     * arrives on, a service by its local subject and where it goes ({@code to}).
     */
    public record ExtImport(String subject, String account, String localSubject, String to, boolean service)
            implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .field("subject", subject)
                    .field("account", account)
                    .fieldOmitEmpty("to", to == null ? "" : to)
                    .fieldOmitEmpty("local_subject", localSubject == null ? "" : localSubject)
                    .field("type", service ? "service" : "stream")
                    .field("invalid", false)
                    .field("share", false)
                    .field("tracking", false)
                    .endObject();
        }
    }

    /** /accstatz. */
    public record AccountStatz(String serverId, Instant now, List<AccountStat> accounts)
            implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .field("server_id", serverId)
                    .field("now", now)
                    .name("account_statz").array(accounts)
                    .endObject();
        }
    }

    /** One account's traffic in /accstatz ({@code sent} is what its clients received). */
    public record AccountStat(String acc, int conns, int leafnodes, int totalConns, long sentMsgs, long sentBytes,
                              long receivedMsgs, long receivedBytes, long slowConsumers)
            implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .field("acc", acc)
                    .field("conns", conns)
                    .field("leafnodes", leafnodes)
                    .field("total_conns", totalConns)
                    .name("sent").beginObject().field("msgs", sentMsgs).field("bytes", sentBytes).endObject()
                    .name("received").beginObject().field("msgs", receivedMsgs).field("bytes", receivedBytes)
                    .endObject()
                    .field("slow_consumers", slowConsumers)
                    .endObject();
        }
    }

    /** /jsz with JetStream off. */
    public record Jsz(String serverId, Instant now) implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .field("server_id", serverId)
                    .field("now", now)
                    .field("disabled", true)
                    .name("config").beginObject().field("max_memory", 0).field("max_storage", 0).endObject()
                    .field("memory", 0)
                    .field("storage", 0)
                    .field("reserved_memory", 0)
                    .field("reserved_storage", 0)
                    .field("accounts", 0)
                    .field("ha_assets", 0)
                    .name("api").beginObject().field("total", 0).field("errors", 0).endObject()
                    .field("streams", 0)
                    .field("consumers", 0)
                    .field("messages", 0)
                    .field("bytes", 0)
                    .endObject();
        }
    }
}
