package dev.ollamachat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.Conversation;
import dev.ollamachat.chat.ConversationStore;
import dev.ollamachat.chat.ConversationStoreContract;
import dev.ollamachat.support.ClosedPort;
import dev.ollamachat.support.RedisServer;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store contract against a real redis-server, plus what only a shared store has to do: replicas. */
class RedisConversationStoreTest extends ConversationStoreContract {

    private static final RedisServer REDIS = new RedisServer();
    private static Vertx vertx;
    private static RedisAPI redis;

    @BeforeAll
    static void startRedis() {
        REDIS.start();
        vertx = Vertx.vertx();
        redis = RedisAPI.api(Redis.createClient(vertx, REDIS.url()));
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
        vertx.closeAndAwait();
        REDIS.stop();
    }

    @BeforeEach
    void emptyRedis() {
        redis.flushall(List.of()).await().atMost(Duration.ofSeconds(5));
    }

    @Override
    protected ConversationStore store(int maxConversations, int maxHistory, Duration ttl, long turnWaitMillis) {
        return replica(vertx, maxConversations, maxHistory, ttl, turnWaitMillis, Duration.ofSeconds(15));
    }

    private static RedisConversationStore replica(Vertx vertx, int maxConversations, int maxHistory, Duration ttl,
            long turnWaitMillis, Duration lease) {
        return new RedisConversationStore(RedisAPI.api(Redis.createClient(vertx, REDIS.url())), vertx, REDIS.url(),
                maxConversations, maxHistory, ttl, lease, turnWaitMillis);
    }

    @Test
    void aConversationBegunOnOneReplicaGoesOnOnAnother() {
        ConversationStore first = store();
        ConversationStore second = store();
        turn(first, "shared", UserMessage.from("hi"), AiMessage.from("hello"));
        Conversation onSecond = second.openTurn("shared", null).await().atMost(Duration.ofSeconds(5));
        assertEquals(List.of(UserMessage.from("hi"), AiMessage.from("hello")), onSecond.history());
        assertThrows(ProblemException.class, () -> first.openTurn("shared", null).await().atMost(Duration.ofSeconds(5)),
                "one turn at a time across replicas");
        second.endTurn(onSecond, List.of(UserMessage.from("again"))).await().atMost(Duration.ofSeconds(5));
        assertEquals(3, find(first, "shared").orElseThrow().size());
    }

    @Test
    void aReplicaThatDiesMidTurnHoldsTheConversationForOneLeaseAtMost() {
        Vertx doomed = Vertx.vertx();
        ConversationStore dying = replica(doomed, 10, 10, Duration.ofHours(1), 300, Duration.ofMillis(600));
        Conversation abandoned = dying.openTurn("orphan", null).await().atMost(Duration.ofSeconds(5));
        assertEquals("orphan", abandoned.id());
        doomed.closeAndAwait(); // the replica is gone: nothing renews its lease or ends its turn
        ConversationStore survivor = replica(vertx, 10, 10, Duration.ofHours(1), 3_000, Duration.ofMillis(600));
        long started = System.nanoTime();
        Conversation taken = survivor.openTurn("orphan", null).await().atMost(Duration.ofSeconds(5));
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(waitedMillis <= 1_500, "freed after the 600 ms lease, waited " + waitedMillis + " ms");
        survivor.endTurn(taken, List.of()).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void aRunningTurnKeepsItsLeaseBeyondTheLeaseTime() throws InterruptedException {
        ConversationStore replica = replica(vertx, 10, 10, Duration.ofHours(1), 300, Duration.ofMillis(600));
        Conversation running = replica.openTurn("long", null).await().atMost(Duration.ofSeconds(5));
        Thread.sleep(1_500);
        ConversationStore other = replica(vertx, 10, 10, Duration.ofHours(1), 300, Duration.ofMillis(600));
        ProblemException busy = assertThrows(ProblemException.class,
                () -> other.openTurn("long", null).await().atMost(Duration.ofSeconds(5)));
        assertEquals(409, busy.status(), "the lease was renewed while the turn ran");
        replica.endTurn(running, List.of()).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void redisDownIs503NamingRedisWithoutItsPassword() {
        Vertx own = Vertx.vertx();
        try {
            String url = ClosedPort.URL.replace("http://", "redis://:s3cret@");
            ConversationStore unreachable = new RedisConversationStore(RedisAPI.api(Redis.createClient(own, url)),
                    own, url, 10, 10, Duration.ofHours(1), Duration.ofSeconds(15), 300);
            ProblemException down = assertThrows(ProblemException.class,
                    () -> unreachable.openTurn("x", null).await().atMost(Duration.ofSeconds(10)));
            assertEquals(503, down.status());
            assertTrue(down.detail().contains("Redis at redis://127.0.0.1:1"), down.detail());
            assertTrue(!down.detail().contains("s3cret"), down.detail());
            ProblemException alsoDown = assertThrows(ProblemException.class,
                    () -> unreachable.find("x", null).await().atMost(Duration.ofSeconds(10)));
            assertEquals(503, alsoDown.status());
        } finally {
            own.closeAndAwait();
        }
    }
}
