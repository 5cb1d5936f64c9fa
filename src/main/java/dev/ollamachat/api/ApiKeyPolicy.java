package dev.ollamachat.api;

import dev.ollamachat.config.ApiKeys;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The policy of /api/* and /mcp (application.properties, {@code quarkus.http.auth.permission.chat-api}): open while
 * no API key is configured, else only for a request that presented one.
 */
@ApplicationScoped
class ApiKeyPolicy implements HttpSecurityPolicy {

    static final String NAME = "api-key";

    private final ApiKeys keys;

    ApiKeyPolicy(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
            AuthorizationRequestContext requestContext) {
        if (!keys.enabled()) {
            return Uni.createFrom().item(CheckResult.PERMIT);
        }
        return identity.map(id -> id.isAnonymous() ? CheckResult.DENY : CheckResult.PERMIT);
    }

    @Override
    public String name() {
        return NAME;
    }
}
