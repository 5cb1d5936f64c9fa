package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import dev.ollamachat.config.ChatConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * RATE_LIMIT ({@code N/duration}, for example {@code 60/1m}): each API key, or each client address while
 * authentication is off, may make N requests to /api/* per duration (Bucket4j token buckets, refilled gradually).
 * Past that, a 429 problem+json with Retry-After. Off when unset.
 */
@ApplicationScoped
class RateLimits {

    /** Buckets kept at most; the least recently used client's bucket goes first. */
    private static final int MAX_CLIENTS = 10_000;

    private final Optional<Bandwidth> limit;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    RateLimits(ChatConfig config) {
        this.limit = config.rateLimit().filter(s -> !s.isBlank()).map(RateLimits::parse);
    }

    void register(@Observes Router router) {
        if (limit.isPresent()) {
            // before the API's own routes; authentication (a filter) has already run
            router.route("/api/*").order(-10).handler(this::check);
        }
    }

    private void check(RoutingContext context) {
        ConsumptionProbe probe = bucketOf(clientOf(context)).tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            context.next();
            return;
        }
        long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
        Problem.send(context.response().putHeader("Retry-After", Long.toString(retryAfter)),
                new ProblemException(429, "rate-limited", "Too many requests",
                        "More than RATE_LIMIT allows; retry in " + retryAfter + " s"));
    }

    private synchronized Bucket bucketOf(String client) {
        return buckets.computeIfAbsent(client, c -> Bucket.builder().addLimit(limit.orElseThrow()).build());
    }

    /** The API key's name when one was presented, else the client's address. */
    private static String clientOf(RoutingContext context) {
        if (context.user() instanceof QuarkusHttpUser user && !user.getSecurityIdentity().isAnonymous()) {
            return "key " + user.getSecurityIdentity().getPrincipal().getName();
        }
        return "address " + context.request().remoteAddress().host();
    }

    /** {@code N/duration}; anything else stops the service, naming RATE_LIMIT. */
    static Bandwidth parse(String setting) {
        String[] parts = setting.trim().split("/");
        try {
            if (parts.length == 2) {
                long requests = Long.parseLong(parts[0].trim());
                Duration per = DurationConverter.parseDuration(parts[1].trim());
                if (requests > 0 && per != null && !per.isZero() && !per.isNegative()) {
                    return Bandwidth.builder().capacity(requests).refillGreedy(requests, per).build();
                }
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("RATE_LIMIT '" + setting + "' is not of the form requests/duration, "
                + "for example 60/1m");
    }
}
