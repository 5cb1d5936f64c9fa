package dev.ollamachat.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The fake Ollama of the tests: a WireMock server answering with the wire format of Ollama's own API. Its one
 * fixture folder is {@code src/test/resources/ollama}: {@code __files/} holds the bodies (from the shared Ollama
 * API reference), {@code mappings/} the default answers (a tool round trip for "Calculate ...", a plain answer for
 * anything else, a 404 for {@code missing-model}) that the page test, the scripts and dev mode use. Tests either
 * start from those defaults ({@link #withDefaultAnswers()}) or stub each answer themselves; {@link ScriptedOllama}
 * is the one to use where a stream must be held open, paced by the test, or watched for a closed connection.
 */
public final class FakeOllama {

    public static final String MODEL = "llama3.1:8b";
    private static final String JSON = "application/json; charset=utf-8";
    private static final String FIXTURES = "ollama";
    public static final String NDJSON = "application/x-ndjson";

    private final WireMockServer server;

    private final boolean defaultAnswers;

    /** No chat answer until the test stubs one; {@code /api/tags} lists {@link #MODEL}. */
    public FakeOllama() {
        this(false);
    }

    private FakeOllama(boolean defaultAnswers) {
        WireMockConfiguration options = WireMockConfiguration.options().dynamicPort()
                .asynchronousResponseEnabled(true);
        this.server = new WireMockServer(defaultAnswers ? options.usingFilesUnderClasspath(FIXTURES) : options);
        this.defaultAnswers = defaultAnswers;
    }

    /** Answers as {@code src/test/resources/ollama/mappings} says, as scripts and dev mode see it. */
    public static FakeOllama withDefaultAnswers() {
        return new FakeOllama(true);
    }

    public void start() {
        server.start();
        reset();
    }

    public void stop() {
        server.stop();
    }

    public String url() {
        return "http://localhost:" + server.port();
    }

    public WireMockServer wireMock() {
        return server;
    }

    /**
     * Forgets stubs and requests, then serves the supporting endpoints with the configured model present (with
     * default answers: back to what the mapping files say).
     */
    public void reset() {
        server.resetAll();
        if (defaultAnswers) {
            return;
        }
        server.stubFor(get(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody("Ollama is running")));
        server.stubFor(get(urlEqualTo("/api/version")).willReturn(json(200, "{\"version\":\"0.12.10\"}")));
        serveModels(MODEL);
    }

    public void serveModels(String... names) {
        StringBuilder models = new StringBuilder();
        for (String name : names) {
            if (!models.isEmpty()) {
                models.append(',');
            }
            models.append("{\"name\":\"").append(name).append("\",\"model\":\"").append(name)
                    .append("\",\"modified_at\":\"2025-11-01T09:00:00.000000000Z\",\"size\":4920753328,")
                    .append("\"digest\":\"46e0c10c039e\",\"details\":{\"parent_model\":\"\",\"format\":\"gguf\",")
                    .append("\"family\":\"llama\",\"families\":[\"llama\"],\"parameter_size\":\"8.0B\",")
                    .append("\"quantization_level\":\"Q4_K_M\"}}");
        }
        server.stubFor(get(urlEqualTo("/api/tags")).willReturn(json(200, "{\"models\":[" + models + "]}")));
    }

    /** Any chat request gets this non-streaming answer. */
    public void answerChat(ResponseDefinitionBuilder response) {
        server.stubFor(chat().willReturn(response));
    }

    /** A plain assistant reply with token counts, streamed as Ollama streams it: one content line, one done line. */
    public void answerChatWith(String text, int promptTokens, int evalTokens) {
        answerChat(ndjson(reply(text, promptTokens, evalTokens)));
    }

    /** First call: the model asks for {@code tool} with {@code argumentsJson}; once a tool result is sent: {@code finalText}. */
    public void answerWithToolCall(String tool, String argumentsJson, String finalText) {
        server.stubFor(chat().atPriority(5).willReturn(ndjson(toolCall(tool, argumentsJson))));
        server.stubFor(chat().atPriority(1)
                .withRequestBody(matchingJsonPath("$.messages[?(@.role == 'tool')]"))
                .willReturn(ndjson(reply(finalText, 229, 13))));
    }

    public MappingBuilder chat() {
        return post(urlEqualTo("/api/chat"));
    }

    public List<LoggedRequest> chatRequests() {
        return server.findAll(postRequestedFor(urlEqualTo("/api/chat")));
    }

    public static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", JSON).withBody(body);
    }

    /** A 200 NDJSON answer of these lines (each a whole JSON object), as Ollama answers a streamed chat. */
    public static ResponseDefinitionBuilder ndjson(String... lines) {
        return aResponse().withStatus(200).withHeader("Content-Type", NDJSON)
                .withBody(String.join("\n", lines) + "\n");
    }

    public static ResponseDefinitionBuilder fixture(int status, String name) {
        String type = name.endsWith(".ndjson") ? NDJSON : JSON;
        return aResponse().withStatus(status).withHeader("Content-Type", type).withBody(read(name));
    }

    public static String reply(String text, int promptTokens, int evalTokens) {
        return "{\"model\":\"" + MODEL + "\",\"created_at\":\"2025-11-20T10:15:03.127554Z\",\"message\":{\"role\":"
                + "\"assistant\",\"content\":\"" + text.replace("\"", "\\\"") + "\"},\"done\":true,\"done_reason\":"
                + "\"stop\",\"total_duration\":298410055,\"load_duration\":12650342,\"prompt_eval_count\":"
                + promptTokens + ",\"prompt_eval_duration\":61552000,\"eval_count\":" + evalTokens
                + ",\"eval_duration\":215040000}";
    }

    public static String toolCall(String tool, String argumentsJson) {
        return "{\"model\":\"" + MODEL + "\",\"created_at\":\"2025-11-20T10:15:02.481203Z\",\"message\":{\"role\":"
                + "\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"call_k3x9q2ab\",\"function\":{\"index\":0,"
                + "\"name\":\"" + tool + "\",\"arguments\":" + argumentsJson + "}}]},\"done\":true,\"done_reason\":"
                + "\"stop\",\"total_duration\":612845210,\"load_duration\":18234110,\"prompt_eval_count\":187,"
                + "\"prompt_eval_duration\":95313000,\"eval_count\":22,\"eval_duration\":401877000}";
    }

    public static String read(String fixture) {
        try (InputStream in = FakeOllama.class.getResourceAsStream("/" + FIXTURES + "/__files/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture " + fixture);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
