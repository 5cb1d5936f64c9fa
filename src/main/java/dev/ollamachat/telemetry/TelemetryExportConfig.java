package dev.ollamachat.telemetry;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.net.URI;
import java.util.Locale;

/**
 * Turns the OpenTelemetry SDK off when the guide's switches say so (TELEMETRY_ENABLED=false, OTEL_SDK_DISABLED=true)
 * or when PHOENIX_ENDPOINT cannot be used; chats go on without traces. An explicit quarkus.otel.sdk.disabled=true of
 * the user still wins. Where spans go is {@link PhoenixSpanExporter}'s business.
 */
@Priority(Priorities.APPLICATION + 100)
public class TelemetryExportConfig implements ConfigSourceInterceptor {

    static final String TRACES_PATH = "/v1/traces";
    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        return name.equals(SDK_DISABLED) ? sdkDisabled(context, value) : value;
    }

    private static ConfigValue sdkDisabled(ConfigSourceInterceptorContext context, ConfigValue value) {
        boolean off = !Boolean.parseBoolean(read(context, "ollama-chat.telemetry.enabled", "true").trim())
                || Boolean.parseBoolean(read(context, "OTEL_SDK_DISABLED", "false").trim())
                || startupProblem(read(context, "ollama-chat.telemetry.endpoint", "http://localhost:6006")) != null;
        return off ? derived(SDK_DISABLED, "true") : value;
    }

    /** Why PHOENIX_ENDPOINT cannot be used, or null when it can. */
    static String startupProblem(String endpoint) {
        return exporterBase(endpoint) == null ? "PHOENIX_ENDPOINT '" + endpoint + "' is not an http(s) URL" : null;
    }

    /** PHOENIX_ENDPOINT without "/v1/traces" (which may be written or left out), or null when it is not a URL. */
    static String exporterBase(String endpoint) {
        String trimmed = endpoint == null ? "" : endpoint.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.endsWith(TRACES_PATH)) {
            trimmed = trimmed.substring(0, trimmed.length() - TRACES_PATH.length());
        }
        try {
            URI uri = URI.create(trimmed);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                return null;
            }
            return trimmed;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String read(ConfigSourceInterceptorContext context, String name, String fallback) {
        ConfigValue value = context.proceed(name);
        return value == null || value.getValue() == null ? fallback : value.getValue();
    }

    private static ConfigValue derived(String name, String value) {
        return ConfigValue.builder().withName(name).withValue(value).withConfigSourceName("ollama-chat telemetry")
                .build();
    }
}
