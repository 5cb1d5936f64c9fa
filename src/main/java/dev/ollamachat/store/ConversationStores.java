package dev.ollamachat.store;

import dev.ollamachat.chat.ConversationStore;
import dev.ollamachat.chat.InMemoryConversationStore;
import dev.ollamachat.config.ChatConfig;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.RedisAPI;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

/** The conversation store CONVERSATION_STORE names: memory (the default) or redis (REDIS_URL). */
@ApplicationScoped
class ConversationStores {

    private static final Logger LOG = Logger.getLogger(ConversationStores.class);

    @Produces
    @ApplicationScoped
    ConversationStore conversationStore(ChatConfig config, Instance<RedisAPI> redis, Vertx vertx) {
        ChatConfig.Conversations conversations = config.conversations();
        long turnWaitMillis = config.ollama().timeout().multipliedBy(2).toMillis();
        if (conversations.store() == ChatConfig.StoreKind.REDIS) {
            LOG.infof("Conversations are kept in Redis at %s, shared by every replica",
                    RedisConversationStore.withoutCredentials(conversations.redisUrl()));
            return new RedisConversationStore(redis.get(), vertx, conversations.redisUrl(),
                    conversations.maxConversations(), conversations.maxHistory(), conversations.ttl(),
                    conversations.lockLease(), turnWaitMillis);
        }
        return new InMemoryConversationStore(conversations.maxConversations(), conversations.maxHistory(),
                conversations.ttl().toNanos(), System::nanoTime, turnWaitMillis);
    }
}
