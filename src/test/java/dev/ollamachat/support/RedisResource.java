package dev.ollamachat.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/** A real redis-server as the conversation store (CONVERSATION_STORE=redis), injectable to stop it mid-test. */
public class RedisResource implements QuarkusTestResourceLifecycleManager {

    private RedisServer redis;

    @Override
    public Map<String, String> start() {
        redis = new RedisServer().start();
        return Map.of("ollama-chat.conversations.store", "redis", "ollama-chat.conversations.redis-url", redis.url());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(redis, new TestInjector.AnnotatedAndMatchesType(InjectRedis.class,
                RedisServer.class));
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.stop();
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectRedis {
    }
}
