package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import dev.ollamachat.config.ApiKeys;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code Authorization: Bearer <key>} against CHAT_API_KEYS, as a Quarkus HTTP authentication mechanism. A request
 * without the header is anonymous ({@link ApiKeyPolicy} decides whether that is enough); a wrong key fails. The
 * challenge is a 401 problem+json, on every path the policy guards (REST, the SSE route and /mcp alike).
 */
@ApplicationScoped
class ApiKeyAuthentication implements HttpAuthenticationMechanism {

    private static final String BEARER = "bearer ";
    private static final String CHALLENGE = "Bearer realm=\"ollama-chat\"";

    private final ApiKeys keys;

    ApiKeyAuthentication(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviders) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (!keys.enabled() || header == null) {
            return Uni.createFrom().nullItem();
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().failure(new AuthenticationFailedException("not a bearer token"));
        }
        return keys.nameOf(header.substring(BEARER.length()).trim())
                .map(name -> Uni.createFrom().<SecurityIdentity>item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(name)).addRole("user").build()))
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("unknown API key")));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE));
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        HttpServerResponse response = context.response();
        if (!response.headWritten()) {
            Problem.send(response.putHeader("WWW-Authenticate", CHALLENGE), new ProblemException(401,
                    "unauthorized", "Unauthorized",
                    "This service needs an API key: send it as 'Authorization: Bearer <key>' (CHAT_API_KEYS)"));
        }
        return Uni.createFrom().item(true);
    }
}
