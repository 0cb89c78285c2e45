package io.natsboot.server.autoconfigure;

import java.util.List;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

/**
 * Adds the {@code nats} health contributor to the {@code readiness} health group, whichever way that
 * group exists: the one Spring Boot creates with {@code management.endpoint.health.probes.enabled=true}
 * (or on Kubernetes), or one the application defines under
 * {@code management.endpoint.health.group.readiness.*}. The {@code liveness} group is left alone, so a
 * server in lame-duck mode makes the application not ready but keeps it alive. Without a readiness group
 * nothing changes. {@code natsboot.server.health.readiness=false} switches this off (then list
 * {@code nats} in {@code management.endpoint.health.group.readiness.include} yourself).
 *
 * <p>Spring Boot has no declarative way for a contributor to join a group, so this uses the
 * {@link HealthEndpointGroupsPostProcessor} hook, the one Spring Boot's own availability probes use;
 * the auto-configuration runs after theirs so the probe groups already exist here.
 */
public class NatsReadinessGroupPostProcessor implements HealthEndpointGroupsPostProcessor {
    static final String READINESS = "readiness";
    private final String contributorName;

    public NatsReadinessGroupPostProcessor(String contributorName) {
        this.contributorName = contributorName;
    }

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        if (groups.get(READINESS) == null) {
            return groups;
        }
        return new ReadinessWithNats(groups);
    }

    /**
     * The groups with {@code nats} in readiness. Also an {@link AdditionalPathsMapper}, as Boot's own groups
     * are: the bean is found by that type (Spring Security's EndpointRequest matchers look up the health
     * groups' additional paths that way), so a wrapper without it breaks every secured request.
     */
    private final class ReadinessWithNats implements HealthEndpointGroups, AdditionalPathsMapper {
        private final HealthEndpointGroups groups;

        ReadinessWithNats(HealthEndpointGroups groups) {
            this.groups = groups;
        }

        @Override
        public HealthEndpointGroup getPrimary() {
            return groups.getPrimary();
        }

        @Override
        public Set<String> getNames() {
            return groups.getNames();
        }

        @Override
        public HealthEndpointGroup get(String name) {
            HealthEndpointGroup group = groups.get(name);
            return group != null && READINESS.equals(name) ? new WithMember(group, contributorName) : group;
        }

        @Override
        public List<String> getAdditionalPaths(EndpointId endpointId, WebServerNamespace namespace) {
            if (groups instanceof AdditionalPathsMapper mapper) {
                return mapper.getAdditionalPaths(endpointId, namespace);
            }
            // Membership does not change paths, so the delegate's groups tell them.
            return HealthEndpoint.ID.equals(endpointId)
                    ? getAllWithAdditionalPath(namespace).stream()
                            .map(g -> g.getAdditionalPath().getValue()).distinct().toList()
                    : List.of();
        }
    }

    /** A group that also has one more member. */
    private record WithMember(HealthEndpointGroup delegate, String member) implements HealthEndpointGroup {
        @Override
        public boolean isMember(String name) {
            return member.equals(name) || delegate.isMember(name);
        }

        @Override
        public boolean showComponents(SecurityContext securityContext) {
            return delegate.showComponents(securityContext);
        }

        @Override
        public boolean showDetails(SecurityContext securityContext) {
            return delegate.showDetails(securityContext);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return delegate.getStatusAggregator();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return delegate.getHttpCodeStatusMapper();
        }

        @Override
        public AdditionalHealthEndpointPath getAdditionalPath() {
            return delegate.getAdditionalPath();
        }
    }
}
