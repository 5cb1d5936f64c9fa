package dev.ollamachat.telemetry;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.net.URI;
import java.util.Locale;

/**
 * Maps the guide's telemetry variables onto Quarkus' OTLP exporter as the exporter reads its settings: the endpoint
 * (with or without "/v1/traces"), the project headers Phoenix reads (and the one the guide sends), the API key, and
 * the off switches. An explicit quarkus.otel.* setting of the user still wins.
 */
@Priority(Priorities.APPLICATION + 100)
public class TelemetryExportConfig implements ConfigSourceInterceptor {

    static final String TRACES_PATH = "/v1/traces";
    static final String ENDPOINT = "quarkus.otel.exporter.otlp.traces.endpoint";
    static final String HEADERS = "quarkus.otel.exporter.otlp.traces.headers";
    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    private static final String UNUSED_ENDPOINT = "http://localhost:4318";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        return switch (name) {
            case ENDPOINT -> endpoint(context, value);
            case HEADERS -> value != null ? value : derived(name, headers(context));
            case SDK_DISABLED -> sdkDisabled(context, value);
            default -> value;
        };
    }

    private static ConfigValue endpoint(ConfigSourceInterceptorContext context, ConfigValue value) {
        if (value != null && !value.getValue().equals(read(context, "ollama-chat.telemetry.endpoint", null))) {
            return value;
        }
        String base = exporterBase(read(context, "ollama-chat.telemetry.endpoint", "http://localhost:6006"));
        // a PHOENIX_ENDPOINT that is not a URL turns the SDK off (sdkDisabled); the exporter, which checks its
        // endpoint even then, gets one that is never called, so that the service starts
        return derived(ENDPOINT, base == null ? UNUSED_ENDPOINT : base);
    }

    private static String headers(ConfigSourceInterceptorContext context) {
        String project = read(context, "ollama-chat.telemetry.project-name", "default");
        String headers = "x-project-name=" + project + ",x-phoenix-project-name=" + project;
        String apiKey = read(context, "ollama-chat.telemetry.api-key", "");
        return apiKey.isBlank() ? headers : headers + ",authorization=Bearer " + apiKey.trim();
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

    /** The exporter appends /v1/traces itself, so the base URL is given without it. */
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
