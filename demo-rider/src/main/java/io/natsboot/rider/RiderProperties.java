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
