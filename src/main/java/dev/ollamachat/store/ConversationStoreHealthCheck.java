package dev.ollamachat.store;

import dev.ollamachat.chat.ConversationStore;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the conversation store answers: always in memory; Redis must answer PING within 2 s. */
@Readiness
@ApplicationScoped
class ConversationStoreHealthCheck implements AsyncHealthCheck {

    private final ConversationStore store;

    ConversationStoreHealthCheck(ConversationStore store) {
        this.store = store;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return store.size()
                .onItem().transformToUni(size -> (store instanceof RedisConversationStore redis ? redis.ping()
                        : Uni.createFrom().voidItem()).replaceWith(size))
                .ifNoItem().after(Duration.ofSeconds(2)).fail()
                .map(size -> HealthCheckResponse.named("conversation-store").up()
                        .withData("conversations", size).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("conversation-store").down()
                        .withData("error", failure.getMessage() == null ? "no answer within 2 s"
                                : failure.getMessage()).build());
    }
}
