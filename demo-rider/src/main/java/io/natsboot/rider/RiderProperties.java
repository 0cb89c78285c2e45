package io.natsboot.rider;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code rider.*}: which components this process runs. */
@ConfigurationProperties("rider")
public class RiderProperties {

    /** Roles to run: {@code api}, {@code manager}, {@code agent}. */
    private List<String> roles = new ArrayList<>(DEFAULT_ROLES);

    static final List<String> DEFAULT_ROLES = List.of("api", "manager", "agent");

    static boolean hasRole(List<String> roles, String role) {
        return roles.stream().anyMatch(r -> r.trim().equalsIgnoreCase(role));
    }

    /** Number of rides-managers (role {@code manager}). */
    private int managers = 2;

    /** Number of driver-agents of type {@code regular} (role {@code agent}). */
    private int regularAgents = 2;

    /** Number of driver-agents of type {@code mini} (role {@code agent}). */
    private int miniAgents = 2;

    /**
     * {@code regular} or {@code mini}: the agent role runs one driver-agent of this type (the book's
     * standalone agent) instead of {@code regular-agents} + {@code mini-agents}.
     */
    private String type;

    /** Upper bound of the random delay before a driver-agent answers. */
    private long agentMaxDelayMillis = 1000;

    /** Lower bound of that delay (0 in the book; tests use it to make agents reliably slow). */
    private long agentMinDelayMillis = 0;

    /** How long the api-server waits for a rides-manager ({@code drivers.find}); the book's 5 s. */
    private java.time.Duration findTimeout = java.time.Duration.ofSeconds(5);

    /** How long a rides-manager gathers driver offers ({@code drivers.rides}); the book's 2 s. */
    private java.time.Duration agentTimeout = java.time.Duration.ofSeconds(2);

    public long getAgentMinDelayMillis() {
        return agentMinDelayMillis;
    }

    public void setAgentMinDelayMillis(long agentMinDelayMillis) {
        this.agentMinDelayMillis = agentMinDelayMillis;
    }

    public java.time.Duration getFindTimeout() {
        return findTimeout;
    }

    public void setFindTimeout(java.time.Duration findTimeout) {
        this.findTimeout = findTimeout;
    }

    public java.time.Duration getAgentTimeout() {
        return agentTimeout;
    }

    public void setAgentTimeout(java.time.Duration agentTimeout) {
        this.agentTimeout = agentTimeout;
    }

    public boolean has(String role) {
        return hasRole(roles, role);
    }

    public List<String> getRoles() {
        return roles;
    }

    public void setRoles(List<String> roles) {
        this.roles = roles;
    }

    public int getManagers() {
        return managers;
    }

    public void setManagers(int managers) {
        this.managers = managers;
    }

    public int getRegularAgents() {
        return regularAgents;
    }

    public void setRegularAgents(int regularAgents) {
        this.regularAgents = regularAgents;
    }

    public int getMiniAgents() {
        return miniAgents;
    }

    public void setMiniAgents(int miniAgents) {
        this.miniAgents = miniAgents;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public long getAgentMaxDelayMillis() {
        return agentMaxDelayMillis;
    }

    public void setAgentMaxDelayMillis(long agentMaxDelayMillis) {
        this.agentMaxDelayMillis = agentMaxDelayMillis;
    }
}
