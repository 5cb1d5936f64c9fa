package dev.ollamachat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings' environment names: the variable wins over application.properties, and a default is written once. */
class EnvironmentNamesTest {

    private static SmallRyeConfig config(Map<String, String> environment, Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(environment, "environment", 300))
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250))
                .withInterceptors(new EnvironmentNames(), new OllamaHostUrl())
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(ChatConfig.class)
                .build();
    }

    @Test
    void variablesFeedTheTypedSettings() {
        SmallRyeConfig config = config(Map.of("OLLAMA_HOST", "http://gpu-box:11434", "MAX_TOOL_ROUNDS", "3",
                "PHOENIX_PROJECT_NAME", "calculator-frontend"), Map.of());
        ChatConfig chat = config.getConfigMapping(ChatConfig.class);
        assertEquals("http://gpu-box:11434", chat.ollama().host());
        assertEquals(3, chat.maxToolRounds());
        assertEquals("calculator-frontend", chat.telemetry().projectName());
    }

    @Test
    void ollamaHostWithoutASchemeIsCalledOverHttp() {
        SmallRyeConfig config = config(Map.of("OLLAMA_HOST", "0.0.0.0:11434"),
                Map.of("quarkus.rest-client.ollama.url", "${ollama-chat.ollama.host}"));
        assertEquals("http://0.0.0.0:11434", config.getConfigMapping(ChatConfig.class).ollama().host());
        assertEquals("http://0.0.0.0:11434", config.getRawValue("quarkus.rest-client.ollama.url"));
        assertEquals("https://gpu-box", OllamaHostUrl.withScheme(" https://gpu-box "));
    }

    @Test
    void unsetVariablesTakeTheDefaultsOfChatConfig() {
        ChatConfig chat = config(Map.of(), Map.of()).getConfigMapping(ChatConfig.class);
        assertEquals("http://localhost:11434", chat.ollama().host());
        assertEquals("llama3.1:8b", chat.ollama().model());
        assertEquals(Duration.ofSeconds(120), chat.ollama().timeout());
        assertTrue(chat.ollama().temperature().isEmpty());
        assertEquals(10, chat.maxToolRounds());
    }

    @Test
    void theEnvironmentWinsOverApplicationPropertiesAndExpressionsSeeIt() {
        SmallRyeConfig config = config(Map.of("OLLAMA_MODEL", "qwen2.5:7b"),
                Map.of("ollama-chat.ollama.model", "from-properties", "ollama-chat.ollama.timeout", "7s",
                        "quarkus.rest-client.ollama.url", "${ollama-chat.ollama.host}",
                        "some.model", "${ollama-chat.ollama.model}"));
        ChatConfig chat = config.getConfigMapping(ChatConfig.class);
        assertEquals("qwen2.5:7b", chat.ollama().model());
        assertEquals(Duration.ofSeconds(7), chat.ollama().timeout(), "a property with no variable set still counts");
        assertEquals("qwen2.5:7b", config.getRawValue("some.model"));
        assertEquals("http://localhost:11434", config.getRawValue("quarkus.rest-client.ollama.url"),
                "an expression finds the default");
    }
}
