package dev.ollamachat.store;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.Conversation;
import dev.ollamachat.chat.ConversationStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Conversations in Redis (CONVERSATION_STORE=redis), shared by every replica: the same window, TTL and
 * least-recently-used bound as in memory, and one turn at a time across replicas through a lock with a lease. The
 * replica running a turn renews the lease while the turn runs; a replica that dies leaves the conversation locked
 * for one lease at most. Needs one Redis (or a primary with replicas), not a Redis Cluster: the scripts touch keys
 * of several conversations.
 * <p>
 * Keys: {@code <prefix>index} (sorted set of conversation ids by last use, in ms), {@code <prefix>messages:<id>}
 * (list of LangChain4j message JSON, oldest first) and {@code <prefix>lock:<id>} (the token of the turn holding it).
 */
public final class RedisConversationStore implements ConversationStore {

    private static final Logger LOG = Logger.getLogger(RedisConversationStore.class);
    static final String PREFIX = "ollama-chat:conversation:";
    private static final Duration RETRY = Duration.ofMillis(25);

    /** Forgets what idled past the TTL, evicts beyond capacity, touches this conversation and reads its messages. */
    private static final String OPEN = """
            local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
            local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
            for _, id in ipairs(expired) do redis.call('DEL', ARGV[4] .. id) end
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
            redis.call('ZADD', KEYS[1], now, ARGV[3])
            local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
            if over > 0 then
              local evicted = redis.call('ZPOPMIN', KEYS[1], over)
              for i = 1, #evicted, 2 do redis.call('DEL', ARGV[4] .. evicted[i]) end
            end
            redis.call('PEXPIRE', KEYS[2], ttl)
            return redis.call('LRANGE', KEYS[2], 0, -1)
            """;

    /**
     * Writes the turn and releases the lock. The holder replaces the list with the new window; a turn whose lease
     * was lost (its replica stalled past it) appends its own messages instead, so no other turn's are overwritten.
     */
    private static final String COMMIT = """
            local owner = redis.call('GET', KEYS[2]) == ARGV[2]
            local fresh = tonumber(ARGV[4])
            if owner then
              redis.call('DEL', KEYS[1])
              if #ARGV > 4 then redis.call('RPUSH', KEYS[1], unpack(ARGV, 5)) end
              redis.call('DEL', KEYS[2])
            elseif fresh > 0 then
              redis.call('RPUSH', KEYS[1], unpack(ARGV, #ARGV - fresh + 1))
              redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            if owner then return 1 else return 0 end
            """;

    /**
     * Takes the lock unless this attempt was given up: a turn whose client left while it waited marks its token
     * abandoned before it releases, so a SET still on its way to Redis cannot take the lock after the release.
     */
    private static final String ACQUIRE = """
            if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 else return 0 end
            """;

    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 0
            """;

    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """;

    /** The messages of a conversation not idle past the TTL (touching it), or nil when there is none. */
    private static final String FIND = """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
            if not score or tonumber(score) <= now - ttl then return false end
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('PEXPIRE', KEYS[2], ttl)
            return redis.call('LRANGE', KEYS[2], 0, -1)
            """;

    private static final String REMOVE = """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('DEL', KEYS[2])
            if score and tonumber(score) > tonumber(ARGV[2]) - tonumber(ARGV[3]) then return 1 end
            return 0
            """;

    private final RedisAPI redis;
    private final Vertx vertx;
    private final String where;
    private final int maxConversations;
    private final int maxHistory;
    private final long ttlMillis;
    private final long leaseMillis;
    private final long turnWaitMillis;

    /** The turn's hold on its conversation: the lock token and the timer that renews the lease. */
    private record Lease(String token, long renewalTimer) {
    }

    public RedisConversationStore(RedisAPI redis, Vertx vertx, String redisUrl, int maxConversations, int maxHistory,
            Duration ttl, Duration lease, long turnWaitMillis) {
        this.redis = redis;
        this.vertx = vertx;
        this.where = withoutCredentials(redisUrl);
        this.maxConversations = maxConversations;
        this.maxHistory = maxHistory;
        this.ttlMillis = ttl.toMillis();
        this.leaseMillis = Math.max(300, lease.toMillis());
        this.turnWaitMillis = turnWaitMillis;
    }

    @Override
    public Uni<Conversation> openTurn(String id) {
        String token = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + Duration.ofMillis(turnWaitMillis).toNanos();
        return acquire(id, token, deadline)
                .chain(() -> eval(OPEN, List.of(PREFIX + "index", messagesKey(id)),
                        now(), Long.toString(ttlMillis), id, PREFIX + "messages:", Integer.toString(maxConversations)))
                .map(messages -> new Conversation(id, parse(messages), new Lease(token, renewWhileRunning(id, token))))
                .onFailure().call(failure -> release(id, token))
                .onCancellation().call(() -> abandon(id, token))
                .onFailure(failure -> !(failure instanceof ProblemException)).transform(this::unavailable);
    }

    @Override
    public Uni<Void> endTurn(Conversation conversation, List<ChatMessage> turnMessages) {
        Lease lease = (Lease) conversation.turn();
        vertx.cancelTimer(lease.renewalTimer());
        String id = conversation.id();
        Uni<Response> written;
        if (turnMessages.isEmpty()) {
            written = eval(RELEASE, List.of(lockKey(id)), lease.token());
        } else {
            ChatMemory window = MessageWindowChatMemory.builder().id(id).maxMessages(maxHistory)
                    .chatMemoryStore(new InMemoryChatMemoryStore()).build();
            conversation.history().forEach(window::add);
            turnMessages.forEach(window::add);
            List<String> args = new ArrayList<>(List.of(Long.toString(ttlMillis), lease.token(),
                    Integer.toString(maxHistory), Integer.toString(turnMessages.size())));
            window.messages().forEach(message -> args.add(ChatMessageSerializer.messageToJson(message)));
            written = eval(COMMIT, List.of(messagesKey(id), lockKey(id)), args.toArray(String[]::new))
                    .invoke(owner -> {
                        if (owner != null && owner.toLong() == 0) {
                            LOG.warnf("Conversation %s: this turn outlived its lock lease (CONVERSATION_LOCK_LEASE); "
                                    + "its messages were appended", id);
                        }
                    });
        }
        // the turn is over for the client either way: a failed write is logged, not thrown at it
        return written.replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.warnf("Conversation %s: the turn could not be written to Redis at %s (%s); its lock frees itself "
                    + "within %d ms", id, where, failure.getMessage(), leaseMillis);
            return Uni.createFrom().voidItem();
        });
    }

    @Override
    public Uni<Optional<List<ChatMessage>>> find(String id) {
        return eval(FIND, List.of(PREFIX + "index", messagesKey(id)), id, now(), Long.toString(ttlMillis))
                .map(messages -> messages == null ? Optional.<List<ChatMessage>>empty() : Optional.of(parse(messages)))
                .onFailure().transform(this::unavailable);
    }

    @Override
    public Uni<Boolean> remove(String id) {
        return eval(REMOVE, List.of(PREFIX + "index", messagesKey(id)), id, now(), Long.toString(ttlMillis))
                .map(removed -> removed != null && removed.toLong() == 1)
                .onFailure().transform(this::unavailable);
    }

    @Override
    public Uni<Long> size() {
        return redis.zcount(PREFIX + "index", "(" + (System.currentTimeMillis() - ttlMillis), "+inf")
                .map(Response::toLong)
                .onFailure().transform(this::unavailable);
    }

    /** Redis answers PING: for readiness. */
    public Uni<Void> ping() {
        return redis.ping(List.of()).replaceWithVoid().onFailure().transform(this::unavailable);
    }

    /** Takes the conversation's lock, retrying until the deadline; then it is busy (409). */
    private Uni<Void> acquire(String id, String token, long deadline) {
        return eval(ACQUIRE, List.of(lockKey(id), abandonedKey(token)), token, Long.toString(leaseMillis))
                .chain(answer -> {
                    if (answer != null && answer.toLong() == 1) {
                        return Uni.createFrom().voidItem();
                    }
                    if (System.nanoTime() - deadline > 0) {
                        return Uni.createFrom().failure(new ProblemException(409, "conversation-busy",
                                "Conversation busy", "Conversation " + id
                                        + " is still answering an earlier message; retry later"));
                    }
                    return Uni.createFrom().voidItem().onItem().delayIt().by(RETRY)
                            .chain(() -> acquire(id, token, deadline));
                });
    }

    private long renewWhileRunning(String id, String token) {
        return vertx.setPeriodic(Math.max(100, leaseMillis / 3), timer -> eval(RENEW, List.of(lockKey(id)), token,
                Long.toString(leaseMillis)).subscribe().with(renewed -> {
                    if (renewed == null || renewed.toLong() == 0) {
                        vertx.cancelTimer(timer);
                    }
                }, failure -> LOG.debugf("Conversation %s: lease not renewed: %s", id, failure.getMessage())));
    }

    /**
     * A turn given up while it waited or started: the mark first, then the release. A lock request already sent
     * either ran before the mark (the release frees it) or runs after it (and takes nothing).
     */
    private Uni<Void> abandon(String id, String token) {
        return redis.set(List.of(abandonedKey(token), "1", "PX", Long.toString(Math.max(leaseMillis, turnWaitMillis))))
                .onFailure().recoverWithNull()
                .chain(() -> release(id, token));
    }

    private static String abandonedKey(String token) {
        return PREFIX + "abandoned:" + token;
    }

    private Uni<Void> release(String id, String token) {
        return eval(RELEASE, List.of(lockKey(id)), token).replaceWithVoid()
                .onFailure().recoverWithItem((Void) null);
    }

    private Uni<Response> eval(String script, List<String> keys, String... args) {
        List<String> command = new ArrayList<>(2 + keys.size() + args.length);
        command.add(script);
        command.add(Integer.toString(keys.size()));
        command.addAll(keys);
        command.addAll(List.of(args));
        return redis.eval(command);
    }

    private static List<ChatMessage> parse(Response messages) {
        List<ChatMessage> parsed = new ArrayList<>(messages.size());
        for (Response message : messages) {
            parsed.add(ChatMessageDeserializer.messageFromJson(message.toString()));
        }
        return parsed;
    }

    private ProblemException unavailable(Throwable failure) {
        if (failure instanceof ProblemException problem) {
            return problem;
        }
        LOG.debugf(failure, "Redis at %s failed", where);
        return new ProblemException(503, "redis-unavailable", "Conversation store unavailable",
                "Redis at " + where + " (the conversation store, CONVERSATION_STORE=redis) cannot be reached");
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }

    private static String messagesKey(String id) {
        return PREFIX + "messages:" + id;
    }

    private static String lockKey(String id) {
        return PREFIX + "lock:" + id;
    }

    /** The URL without a user or password, for messages and logs. */
    static String withoutCredentials(String url) {
        try {
            URI uri = URI.create(url.trim());
            if (uri.getHost() == null) {
                return "(a malformed REDIS_URL)";
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (IllegalArgumentException e) {
            return "(a malformed REDIS_URL)";
        }
    }
}
