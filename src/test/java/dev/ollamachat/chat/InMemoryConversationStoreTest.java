package dev.ollamachat.chat;

import java.time.Duration;

class InMemoryConversationStoreTest extends ConversationStoreContract {

    @Override
    protected ConversationStore store(int maxConversations, int maxHistory, Duration ttl, long turnWaitMillis) {
        return new InMemoryConversationStore(maxConversations, maxHistory, ttl.toNanos(), System::nanoTime,
                turnWaitMillis);
    }
}
