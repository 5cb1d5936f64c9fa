package dev.ollamachat.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * OLLAMA_HOST may be written as Ollama's own server takes it, {@code host:port} without a scheme
 * ({@code OLLAMA_HOST=0.0.0.0:11434}); the service then calls {@code http://host:port}. Sits between the expression
 * interceptor and {@link EnvironmentNames}, so the REST clients' {@code ${ollama-chat.ollama.host}} gets the URL too.
 */
@Priority(Priorities.LIBRARY + 290)
public class OllamaHostUrl implements ConfigSourceInterceptor {

    static final String NAME = "ollama-chat.ollama.host";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!NAME.equals(name) || value == null || value.getValue() == null) {
            return value;
        }
        String url = withScheme(value.getValue());
        return url.equals(value.getValue()) ? value : value.withValue(url);
    }

    /** {@code host:port} becomes {@code http://host:port}; a URL with a scheme, and a blank value, stay as they are. */
    public static String withScheme(String host) {
        String trimmed = host.trim();
        if (trimmed.isEmpty() || trimmed.contains("://")) {
            return trimmed;
        }
        return "http://" + trimmed;
    }
}
