package dev.ollamachat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamachat.support.EverythingMcpServer;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.PackagedJar;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The end-to-end suite against the real things: the packaged jar, configured only by environment, exports to a real
 * Arize Phoenix, and what Phoenix stored is read back through its REST API. The chats run first (against the fake
 * Ollama's default answers, a model Ollama lacks, and the real third-party MCP server-everything), then Phoenix is
 * asked about each of their traces. {@code ./mvnw verify -Pe2e}; logs, spans and screenshots in target/e2e.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PhoenixTracesE2E {

    private static final String MODEL = FakeOllama.MODEL;
    private static final String PLAIN = "Hello from the fake Ollama.";
    private static final String TOOL_ANSWER = "The result of 5 + 3 is 8.";
    private static final Duration SPANS_WAIT = Duration.ofSeconds(90);
    private static final ExpectedTrace.Tool CALCULATOR_ADD = new ExpectedTrace.Tool("add", "calculator");
    private static final ExpectedTrace.Tool EVERYTHING_ADD = new ExpectedTrace.Tool("add", "everything");

    private PhoenixServer phoenix;
    private final FakeOllama ollama = FakeOllama.withDefaultAnswers();
    private final List<ExpectedTrace> expected = new ArrayList<>();
    private final List<String> toolChatTrace = new ArrayList<>();
    private final List<List<String>> sessionTraces = new ArrayList<>();
    private final List<String> sessionIds = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        phoenix = PhoenixServer.shared();
        ollama.start();
    }

    @AfterAll
    void stop() {
        ollama.stop();
    }

    @Test
    @Order(1)
    void phoenixServesOnLoopbackOnly() throws IOException {
        assertEquals(PhoenixServer.VERSION, phoenix.version());
        assertTrue(Processes.listensOnLoopbackOnly(phoenix.port()), "Phoenix HTTP: "
                + Processes.listeningAddresses(phoenix.port()));
        assertTrue(Processes.listensOnLoopbackOnly(phoenix.grpcPort()), "Phoenix OTLP gRPC: "
                + Processes.listeningAddresses(phoenix.grpcPort()));
    }

    @Test
    @Order(2)
    void chatsAgainstTheFakeOllama() throws IOException {
        try (PackagedJar app = SuiteChats.start("main", phoenix, Map.of("OLLAMA_HOST", ollama.url(),
                "OLLAMA_MODEL", MODEL))) {
            assertTrue(Processes.listensOnLoopbackOnly(app.port()), "the service: "
                    + Processes.listeningAddresses(app.port()));
            SuiteChats chats = new SuiteChats(app, phoenix, MODEL, Duration.ofSeconds(30));
            expected.add(chats.expect("plain chat", chats.chat("Hello there", null, PLAIN, null),
                    "POST /api/chat", "ollama.chat_with_tools", 1, List.of()));
            JsonNode tool = chats.chat("Calculate 5 + 3", null, TOOL_ANSWER, CALCULATOR_ADD);
            toolChatTrace.add(tool.path("traceId").asText());
            expected.add(chats.expect("tool chat", tool, "POST /api/chat", "ollama.chat_with_tools", 2,
                    List.of(CALCULATOR_ADD)));
            // the fake's plain stream comes in one write, so its tokens are not spread over time
            expected.add(chats.expect("streamed chat", chats.stream("Hello, stream please", PLAIN, null, false),
                    "POST /api/chat/stream", "ollama.chat_streaming", 1, List.of()));
            expected.add(chats.expect("streamed tool chat", chats.stream("Calculate 5 + 3", TOOL_ANSWER,
                    CALCULATOR_ADD, true), "POST /api/chat/stream", "ollama.chat_streaming", 2,
                    List.of(CALCULATOR_ADD)));

            JsonNode first = chats.chat("My name is Ada.", null, PLAIN, null);
            String conversation = first.path("conversationId").asText();
            JsonNode second = chats.chat("What is my name?", conversation, PLAIN, null);
            assertEquals(conversation, second.path("conversationId").asText(), "the same conversation");
            assertNotEquals(first.path("traceId").asText(), second.path("traceId").asText(),
                    "each message has a trace of its own");
            List<String> contents = chats.conversationContents(conversation);
            assertTrue(contents.contains("My name is Ada.") && contents.contains("What is my name?"), contents::toString);
            expected.add(chats.expect("conversation 1/2", first, "POST /api/chat", "ollama.chat_with_tools", 1,
                    List.of()));
            expected.add(chats.expect("conversation 2/2", second, "POST /api/chat", "ollama.chat_with_tools", 1,
                    List.of()));
            sessionIds.add(conversation);
            sessionTraces.add(List.of(first.path("traceId").asText(), second.path("traceId").asText()));
        }
    }

    @Test
    @Order(3)
    void chatsOnAModelOllamaLacksFailWithA502() throws IOException {
        try (PackagedJar app = SuiteChats.start("missing-model", phoenix, Map.of("OLLAMA_HOST", ollama.url(),
                "OLLAMA_MODEL", "missing-model"))) {
            SuiteChats chats = new SuiteChats(app, phoenix, "missing-model", Duration.ofSeconds(30));
            expected.add(chats.expectFailure("failing chat", chats.failing("/api/chat"), "POST /api/chat",
                    "ollama.chat_with_tools"));
            // the stream answers a failure before its first event with problem+json too
            expected.add(chats.expectFailure("failing streamed chat", chats.failing("/api/chat/stream"),
                    "POST /api/chat/stream", "ollama.chat_streaming"));
        }
    }

    @Test
    @Order(4)
    void toolsOfTheThirdPartyServerEverything() throws IOException {
        try (EverythingMcpServer everything = new EverythingMcpServer(EverythingMcpServer.defaultDir())) {
            everything.start();
            assertTrue(Processes.listensOnLoopbackOnly(everything.port()), "server-everything: "
                    + Processes.listeningAddresses(everything.port()));
            try (PackagedJar app = SuiteChats.start("everything", phoenix, Map.of("OLLAMA_HOST", ollama.url(),
                    "OLLAMA_MODEL", MODEL, "MCP_SERVER_URL", everything.url(), "MCP_SERVER_NAME", "everything"))) {
                SuiteChats chats = new SuiteChats(app, phoenix, MODEL, Duration.ofSeconds(30));
                JsonNode tools = chats.get("/api/tools");
                List<JsonNode> servers = new ArrayList<>();
                tools.path("servers").forEach(servers::add);
                assertTrue(servers.stream().anyMatch(s -> "everything".equals(s.path("name").asText())
                        && s.path("available").asBoolean()), "server-everything is available: " + servers);
                List<String> adders = new ArrayList<>();
                tools.path("tools").forEach(t -> {
                    if ("add".equals(t.path("name").asText())) {
                        adders.add(t.path("server").asText());
                    }
                });
                assertEquals("everything", adders.isEmpty() ? null : adders.get(0), "everything's add first");
                expected.add(chats.expect("tool chat via server-everything", chats.chat("Calculate 5 + 3", null,
                        TOOL_ANSWER, EVERYTHING_ADD), "POST /api/chat", "ollama.chat_with_tools", 2,
                        List.of(EVERYTHING_ADD)));
            }
        }
    }

    @TestFactory
    @Order(10)
    Stream<DynamicTest> phoenixHoldsEachTraceWithTheRightShape() throws Exception {
        Map<String, List<JsonNode>> traces = ExpectedTrace.awaitAll(phoenix, SuiteChats.PROJECT, expected, SPANS_WAIT);
        return expected.stream().map(trace -> DynamicTest.dynamicTest(trace.label(),
                () -> trace.check(traces.getOrDefault(trace.traceId(), List.of()))));
    }

    @Test
    @Order(11)
    void ourSpansAreInOurProjectOnly() throws IOException {
        assertTrue(phoenix.projects().contains(SuiteChats.PROJECT), phoenix.projects()::toString);
        // pages of 10, so that the cursor is followed several times; every span comes once
        List<JsonNode> spans = phoenix.spans(SuiteChats.PROJECT, Map.of(), 10);
        assertTrue(phoenix.lastPages() > 1, "the span list took more than one page (cursor paging exercised)");
        assertEquals(phoenix.spans(SuiteChats.PROJECT, Map.of()).size(), spans.size(), "the same spans in any pages");
        Set<String> ours = expected.stream().map(ExpectedTrace::traceId).collect(Collectors.toSet());
        assertTrue(spans.stream().map(ExpectedTrace::traceOf).collect(Collectors.toSet()).containsAll(ours));
        if (phoenix.projects().contains("default")) {
            List<String> strays = phoenix.spans("default", Map.of()).stream()
                    .filter(s -> ours.contains(ExpectedTrace.traceOf(s))).map(s -> s.path("name").asText()).toList();
            assertEquals(List.of(), strays, "no span of ours in project default");
        }
    }

    @TestFactory
    @Order(12)
    Stream<DynamicTest> theReplysTraceIdFindsItsTrace() {
        return expected.stream().map(trace -> DynamicTest.dynamicTest(trace.label(), () -> {
            List<JsonNode> found = phoenix.spans(SuiteChats.PROJECT, Map.of("trace_id", trace.traceId()));
            assertFalse(found.isEmpty(), "GET spans?trace_id=" + trace.traceId());
            assertTrue(found.stream().allMatch(s -> trace.traceId().equals(ExpectedTrace.traceOf(s))));
        }));
    }

    @Test
    @Order(13)
    void aConversationIsOneSessionInPhoenix() throws IOException {
        assertEquals(1, sessionIds.size(), "the conversation ran");
        String conversation = sessionIds.get(0);
        List<JsonNode> spans = phoenix.spans(SuiteChats.PROJECT, Map.of());
        Set<String> chatSessions = new HashSet<>();
        for (JsonNode span : ExpectedTrace.named(spans, "chat")) {
            if (sessionTraces.get(0).contains(ExpectedTrace.traceOf(span))) {
                chatSessions.add(ExpectedTrace.text(span, "session.id"));
            }
        }
        assertEquals(Set.of(conversation), chatSessions, "both chat spans carry session.id");
        JsonNode sessions = phoenix.sessions(SuiteChats.PROJECT);
        if (sessions == null) {
            return; // this Phoenix has no sessions endpoint; the session.id above is what it groups by
        }
        List<String> grouped = new ArrayList<>();
        sessions.path("data").forEach(s -> {
            if (conversation.equals(s.path("session_id").asText())) {
                s.path("traces").forEach(t -> grouped.add(t.path("trace_id").asText()));
            }
        });
        assertEquals(sessionTraces.get(0).stream().sorted().toList(), grouped.stream().sorted().toList(),
                "GET /v1/projects/{project}/sessions groups the conversation's traces");
    }

    @Test
    @Order(20)
    void thePhoenixUiShowsTheToolChatsTrace() throws IOException {
        assertEquals(1, toolChatTrace.size(), "the tool chat ran");
        String traceId = toolChatTrace.get(0);
        PhoenixUi.showTrace(phoenix.url() + "/redirects/traces/" + traceId, traceId,
                List.of("chat", "ollama.chat_with_tools", "tool add"), E2eFiles.dir().resolve("phoenix-trace.png"));
    }
}
