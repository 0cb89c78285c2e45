package io.natsboot.client.autoconfigure;

import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import io.natsboot.spring.core.SlowConsumerPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code natsboot.client.*}: how the auto-configured jnats {@link io.nats.client.Connection} connects.
 * Defaults are jnats' own ({@link io.nats.client.Options}).
 */
@ConfigurationProperties(prefix = "natsboot.client")
public class NatsClientProperties {

    /** Server URLs, e.g. nats://localhost:4222. */
    private List<String> servers = new ArrayList<>(List.of("nats://localhost:4222"));
    /** Connection name reported to the server (CONNECT "name"). Defaults to spring.application.name. */
    private String connectionName;
    private String username;
    private String password;
    private String token;
    /** Path to a .creds file (user JWT + NKey seed), for servers in operator (JWT) mode. */
    private String credentialsFile;
    /**
     * The .creds content as a Spring resource ({@code classpath:app.creds}, {@code file:/etc/nats/app.creds}), for
     * servers in operator (JWT) mode; read once at start. Alternative to credentials-file.
     */
    private org.springframework.core.io.Resource credentials;
    /** User NKey seed ("SU..."), for servers with nkey users; prefer nkey-seed-file outside development. */
    private String nkeySeed;
    /** Path to a file holding the user NKey seed. */
    private String nkeySeedFile;
    private Duration connectionTimeout = Duration.ofSeconds(2);
    private Duration pingInterval = Duration.ofMinutes(2);
    /** Reconnect attempts per server; -1 reconnects forever. */
    private int maxReconnects = 60;
    private Duration reconnectWait = Duration.ofSeconds(2);
    private Duration reconnectJitter = Duration.ofMillis(100);
    /** Bytes buffered while reconnecting; 0 disables buffering. */
    private long reconnectBufferSize = 8L * 1024 * 1024;
    private String inboxPrefix = "_INBOX.";
    /** Do not deliver messages this connection published to its own subscriptions. */
    private boolean noEcho;
    /**
     * Messages a subscription of the starter (listener, Flux) may hold unprocessed before jnats drops new
     * ones and reports a slow consumer; 0 for no limit.
     */
    private long pendingMessagesLimit = 512L * 1024;
    /** Bytes a subscription of the starter may hold unprocessed; 0 for no limit. */
    private long pendingBytesLimit = 64L * 1024 * 1024;
    /** How long to drain subscriptions and pending publishes on shutdown. */
    private Duration drainTimeout = Duration.ofSeconds(10);
    /** Default timeout of NatsTemplate / ReactiveNatsTemplate requests. */
    private Duration requestTimeout = Duration.ofSeconds(2);
    /** Micrometer Observations around publish, request and listener handling, with trace context in headers. */
    private boolean observationEnabled;
    private final Reactive reactive = new Reactive();
    private final Ssl ssl = new Ssl();
    private final Health health = new Health();

    public static class Health {
        /**
         * How long before the user JWT (credentials) expires the health details say {@code jwt_expiring: true};
         * once it has expired the client's health is DOWN.
         */
        private Duration jwtExpiryWarning = Duration.ofDays(1);

        public Duration getJwtExpiryWarning() { return jwtExpiryWarning; }
        public void setJwtExpiryWarning(Duration d) { this.jwtExpiryWarning = d; }
    }

    public Health getHealth() { return health; }

    public static class Ssl {
        /** Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) whose key and trust material the client uses. */
        private String bundle;

        public String getBundle() { return bundle; }
        public void setBundle(String bundle) { this.bundle = bundle; }
    }

    public static class Reactive {
        /** Messages buffered per Flux subscription before the slow-consumer policy applies. */
        private int bufferSize = 1024;
        /** What to do when a Flux subscriber falls behind: DROP (counted) or ERROR. */
        private SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.DROP;

        public int getBufferSize() { return bufferSize; }
        public void setBufferSize(int bufferSize) { this.bufferSize = bufferSize; }
        public SlowConsumerPolicy getSlowConsumerPolicy() { return slowConsumerPolicy; }
        public void setSlowConsumerPolicy(SlowConsumerPolicy p) { this.slowConsumerPolicy = p; }
    }

    public List<String> getServers() { return servers; }
    public void setServers(List<String> servers) { this.servers = servers; }
    public String getConnectionName() { return connectionName; }
    public void setConnectionName(String connectionName) { this.connectionName = connectionName; }
    public String getUsername() { return username; }
    public void setUsername(String username) { this.username = username; }
    public String getPassword() { return password; }
    public void setPassword(String password) { this.password = password; }
    public String getToken() { return token; }
    public void setToken(String token) { this.token = token; }
    public org.springframework.core.io.Resource getCredentials() { return credentials; }
    public void setCredentials(org.springframework.core.io.Resource credentials) { this.credentials = credentials; }
    public String getCredentialsFile() { return credentialsFile; }
    public void setCredentialsFile(String credentialsFile) { this.credentialsFile = credentialsFile; }
    public String getNkeySeed() { return nkeySeed; }
    public void setNkeySeed(String nkeySeed) { this.nkeySeed = nkeySeed; }
    public String getNkeySeedFile() { return nkeySeedFile; }
    public void setNkeySeedFile(String nkeySeedFile) { this.nkeySeedFile = nkeySeedFile; }
    public Ssl getSsl() { return ssl; }
    public Duration getConnectionTimeout() { return connectionTimeout; }
    public void setConnectionTimeout(Duration connectionTimeout) { this.connectionTimeout = connectionTimeout; }
    public Duration getPingInterval() { return pingInterval; }
    public void setPingInterval(Duration pingInterval) { this.pingInterval = pingInterval; }
    public int getMaxReconnects() { return maxReconnects; }
    public void setMaxReconnects(int maxReconnects) { this.maxReconnects = maxReconnects; }
    public Duration getReconnectWait() { return reconnectWait; }
    public void setReconnectWait(Duration reconnectWait) { this.reconnectWait = reconnectWait; }
    public Duration getReconnectJitter() { return reconnectJitter; }
    public void setReconnectJitter(Duration reconnectJitter) { this.reconnectJitter = reconnectJitter; }
    public long getReconnectBufferSize() { return reconnectBufferSize; }
    public void setReconnectBufferSize(long reconnectBufferSize) { this.reconnectBufferSize = reconnectBufferSize; }
    public String getInboxPrefix() { return inboxPrefix; }
    public void setInboxPrefix(String inboxPrefix) { this.inboxPrefix = inboxPrefix; }
    public boolean isNoEcho() { return noEcho; }
    public void setNoEcho(boolean noEcho) { this.noEcho = noEcho; }
    public long getPendingMessagesLimit() { return pendingMessagesLimit; }
    public void setPendingMessagesLimit(long pendingMessagesLimit) { this.pendingMessagesLimit = pendingMessagesLimit; }
    public long getPendingBytesLimit() { return pendingBytesLimit; }
    public void setPendingBytesLimit(long pendingBytesLimit) { this.pendingBytesLimit = pendingBytesLimit; }
    public Duration getDrainTimeout() { return drainTimeout; }
    public void setDrainTimeout(Duration drainTimeout) { this.drainTimeout = drainTimeout; }
    public Duration getRequestTimeout() { return requestTimeout; }
    public void setRequestTimeout(Duration requestTimeout) { this.requestTimeout = requestTimeout; }
    public boolean isObservationEnabled() { return observationEnabled; }
    public void setObservationEnabled(boolean observationEnabled) { this.observationEnabled = observationEnabled; }
    public Reactive getReactive() { return reactive; }
}
