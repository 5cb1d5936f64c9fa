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
import io.vertx.redis.client.ResponseType;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
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
 * (list of LangChain4j message JSON, oldest first), {@code <prefix>lock:<id>} (the token of the turn holding it),
 * {@code <prefix>owner:<id>} (the API key name that owns it, "" with keys off) and {@code <prefix>owned:<owner>}
 * (sorted set of that owner's conversation ids by last use).
 */
public final class RedisConversationStore implements ConversationStore {

    private static final Logger LOG = Logger.getLogger(RedisConversationStore.class);
    static final String PREFIX = "ollama-chat:conversation:";
    private static final Duration RETRY = Duration.ofMillis(25);

    /**
     * Forgets what idled past the TTL, evicts beyond capacity, then (unless another owner has the conversation: -1)
     * touches this conversation, records its owner and reads its messages.
     */
    private static final String OPEN = """
            local now, ttl, prefix, id, owner = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[4], ARGV[3], ARGV[6]
            local function forget(gone)
              redis.call('DEL', prefix .. 'messages:' .. gone)
              local had = redis.call('GET', prefix .. 'owner:' .. gone)
              if had then redis.call('ZREM', prefix .. 'owned:' .. had, gone) end
              redis.call('DEL', prefix .. 'owner:' .. gone)
            end
            local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
            for _, gone in ipairs(expired) do forget(gone) end
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
            if redis.call('ZSCORE', KEYS[1], id) and (redis.call('GET', KEYS[3]) or '') ~= owner then return -1 end
            redis.call('ZADD', KEYS[1], now, id)
            redis.call('SET', KEYS[3], owner, 'PX', ttl)
            redis.call('ZADD', prefix .. 'owned:' .. owner, now, id)
            redis.call('PEXPIRE', prefix .. 'owned:' .. owner, ttl)
            local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
            if over > 0 then
              local evicted = redis.call('ZPOPMIN', KEYS[1], over)
              for i = 1, #evicted, 2 do forget(evicted[i]) end
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
            redis.call('PEXPIRE', KEYS[3], ARGV[1])
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

    /** The messages of this owner's conversation not idle past the TTL (touching it), or nil when it has none. */
    private static final String FIND = """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
            if not score or tonumber(score) <= now - ttl then return false end
            if (redis.call('GET', KEYS[3]) or '') ~= ARGV[4] then return false end
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('ZADD', ARGV[5] .. 'owned:' .. ARGV[4], now, ARGV[1])
            redis.call('PEXPIRE', KEYS[2], ttl)
            redis.call('PEXPIRE', KEYS[3], ttl)
            return redis.call('LRANGE', KEYS[2], 0, -1)
            """;

    /** Forgets this owner's conversation; 1 when there was one, not idle past the TTL. */
    private static final String REMOVE = """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not score then return 0 end
            if (redis.call('GET', KEYS[3]) or '') ~= ARGV[4] then return 0 end
            redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('ZREM', ARGV[5] .. 'owned:' .. ARGV[4], ARGV[1])
            redis.call('DEL', KEYS[2], KEYS[3])
            if tonumber(score) > tonumber(ARGV[2]) - tonumber(ARGV[3]) then return 1 end
            return 0
            """;

    /**
     * This owner's conversations, most recently used first: for each, its id, last use (ms), message count and first
     * ten messages.
     */
    private static final String LIST = """
            local now, ttl, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[4]
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ttl)
            local ids = redis.call('ZREVRANGE', KEYS[2], 0, tonumber(ARGV[3]) - 1)
            local found = {}
            for _, id in ipairs(ids) do
              local score = redis.call('ZSCORE', KEYS[1], id)
              if score and tonumber(score) > now - ttl then
                local messages = prefix .. 'messages:' .. id
                table.insert(found, {id, score, redis.call('LLEN', messages), redis.call('LRANGE', messages, 0, 9)})
              end
            end
            return found
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
    public Uni<Conversation> openTurn(String id, String owner) {
        String token = UUID.randomUUID().toString();
        String ownerKey = ConversationStore.ownerKey(owner);
        long deadline = System.nanoTime() + Duration.ofMillis(turnWaitMillis).toNanos();
        // another owner's conversation is refused before its lock is taken (OPEN checks again, under the lock)
        return redis.get(ownerKeyOf(id)).onFailure().transform(this::unavailable)
                .invoke(stored -> {
                    if (stored != null && !stored.toString().equals(ownerKey)) {
                        throw ConversationStore.notFound(id);
                    }
                })
                .chain(() -> acquire(id, token, deadline))
                .chain(() -> eval(OPEN, List.of(PREFIX + "index", messagesKey(id), ownerKeyOf(id)),
                        now(), Long.toString(ttlMillis), id, PREFIX, Integer.toString(maxConversations), ownerKey))
                .map(messages -> {
                    if (messages.type() == ResponseType.NUMBER) {
                        throw ConversationStore.notFound(id);
                    }
                    return new Conversation(id, parse(messages), new Lease(token, renewWhileRunning(id, token)));
                })
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
            written = eval(COMMIT, List.of(messagesKey(id), lockKey(id), ownerKeyOf(id)), args.toArray(String[]::new))
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
    public Uni<Optional<List<ChatMessage>>> find(String id, String owner) {
        return eval(FIND, List.of(PREFIX + "index", messagesKey(id), ownerKeyOf(id)), id, now(),
                Long.toString(ttlMillis), ConversationStore.ownerKey(owner), PREFIX)
                .map(messages -> messages == null ? Optional.<List<ChatMessage>>empty() : Optional.of(parse(messages)))
                .onFailure().transform(this::unavailable);
    }

    @Override
    public Uni<Boolean> remove(String id, String owner) {
        return eval(REMOVE, List.of(PREFIX + "index", messagesKey(id), ownerKeyOf(id)), id, now(),
                Long.toString(ttlMillis), ConversationStore.ownerKey(owner), PREFIX)
                .map(removed -> removed != null && removed.toLong() == 1)
                .onFailure().transform(this::unavailable);
    }

    @Override
    public Uni<List<Summary>> list(String owner, int limit) {
        return eval(LIST, List.of(PREFIX + "index", PREFIX + "owned:" + ConversationStore.ownerKey(owner)), now(),
                Long.toString(ttlMillis), Integer.toString(limit), PREFIX)
                .map(found -> {
                    List<Summary> summaries = new ArrayList<>(found.size());
                    for (Response entry : found) {
                        summaries.add(new Summary(entry.get(0).toString(), Summary.of("", parse(entry.get(3)),
                                null).firstMessage(), entry.get(2).toInteger(),
                                Instant.ofEpochMilli(Long.parseLong(entry.get(1).toString()))));
                    }
                    return summaries;
                })
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

    private static String ownerKeyOf(String id) {
        return PREFIX + "owner:" + id;
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
