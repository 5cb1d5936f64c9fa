package dev.ollamachat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What Phoenix must hold for one chat of the suite, and the checks of the spans it returned for it.
 *
 * @param label what the chat was, for messages
 * @param traceId the trace id the reply named (or the traceparent header, for a failed chat)
 * @param conversationId the conversation, or null when the chat failed
 * @param root the name of the root (HTTP server) span
 * @param llmName the name of the LLM spans
 * @param llmCount how many model calls the turn made, or null when a real model decides
 * @param model the configured model
 * @param tools the tools called, as name and MCP server
 * @param error whether the chat failed
 * @param inputTokens the reply's usage, or null
 * @param outputTokens the reply's usage, or null
 */
record ExpectedTrace(String label, String traceId, String conversationId, String root, String llmName,
        Integer llmCount, String model, List<Tool> tools, boolean error, Integer inputTokens, Integer outputTokens) {

    record Tool(String name, String server) {
    }

    /** Whether the trace's spans are all in: the root, chat, every LLM and tool span, and every parent. */
    boolean completeIn(List<JsonNode> spans) {
        List<String> names = spans.stream().map(s -> s.path("name").asText()).toList();
        long llms = names.stream().filter(llmName::equals).count();
        long toolSpans = names.stream().filter(n -> n.startsWith("tool ")).count();
        return roots(spans).size() >= 1 && names.contains("chat") && llms >= (llmCount == null ? 1 : llmCount)
                && toolSpans >= tools.size() && orphans(spans).isEmpty();
    }

    /** Every check of check_phoenix's list, on this trace's spans. */
    void check(List<JsonNode> spans) {
        Map<String, JsonNode> byId = spans.stream().collect(Collectors.toMap(ExpectedTrace::id, Function.identity(),
                (a, b) -> a));
        List<JsonNode> roots = roots(spans);
        assertEquals(List.of(root), roots.stream().map(s -> s.path("name").asText()).toList(), label + ": one root");
        assertEquals(List.of(), orphans(spans), label + ": every parent_id is in the trace");

        List<JsonNode> chats = named(spans, "chat");
        assertEquals(1, chats.size(), label + ": one chat span");
        JsonNode chat = chats.get(0);
        assertEquals(id(roots.get(0)), chat.path("parent_id").asText(), label + ": chat is a child of the root");
        assertEquals("CHAIN", chat.path("span_kind").asText(), label + ": chat span_kind");
        if (conversationId != null) {
            assertEquals(conversationId, text(chat, "session.id"), label + ": chat session.id is the conversation");
        }
        assertEquals(List.of(), spans.stream().map(s -> s.path("name").asText())
                .filter(n -> n.startsWith("langchain4j.")).toList(), label + ": no AI-service span");

        assertEquals(List.of(), spans.stream().map(s -> s.path("name").asText()).filter(n -> n.contains("/api/show"))
                .toList(), label + ": no capability probe of Ollama in a user's trace");

        List<JsonNode> llms = named(spans, llmName);
        if (llmCount != null) {
            assertEquals(llmCount.intValue(), llms.size(), label + ": " + llmName + " spans");
        } else {
            assertTrue(llms.size() >= 1, label + ": at least one " + llmName + " span");
        }
        for (JsonNode llm : llms) {
            assertEquals("LLM", llm.path("span_kind").asText(), label + ": LLM span_kind");
            assertTrue(ancestors(llm, byId).contains(id(chat)), label + ": the LLM span is under chat");
            List<String> calls = spans.stream().filter(s -> id(llm).equals(s.path("parent_id").asText()))
                    .map(s -> s.path("name").asText()).toList();
            assertEquals(List.of("ollama POST /api/chat"), calls, label + ": the LLM span's HTTP call names Ollama");
            String modelName = text(llm, "llm.model_name");
            assertNotNull(modelName, label + ": llm.model_name");
            assertEquals(model.split(":")[0], modelName.split(":")[0], label + ": llm.model_name");
            assertNull(attribute(llm, "gen_ai.request.temperature"), label + ": no temperature was configured or sent");
            assertNull(attribute(llm, "gen_ai.request.top_p"), label + ": no top_p was configured or sent");
            if (!error) {
                long prompt = number(llm, "llm.token_count.prompt");
                long completion = number(llm, "llm.token_count.completion");
                assertTrue(prompt > 0 && completion > 0, label + ": token counts " + prompt + "/" + completion);
                assertEquals(prompt + completion, number(llm, "llm.token_count.total"), label + ": total tokens");
            }
        }

        for (Tool tool : tools) {
            List<JsonNode> found = named(spans, "tool " + tool.name());
            assertEquals(1, found.size(), label + ": span 'tool " + tool.name() + "'");
            JsonNode span = found.get(0);
            assertEquals("TOOL", span.path("span_kind").asText(), label + ": tool span_kind");
            assertEquals(tool.name(), text(span, "tool.name"), label + ": tool.name");
            assertEquals(tool.server(), text(span, "mcp.server.name"), label + ": mcp.server.name");
            assertTrue(ancestors(span, byId).contains(id(chat)), label + ": the tool span is under chat");
            String toolId = text(span, "tool.id");
            List<String> asked = llms.stream()
                    .map(l -> text(l, "llm.output_messages.0.message.tool_calls.0.tool_call.id"))
                    .filter(Objects::nonNull).toList();
            assertTrue(toolId != null && !toolId.isEmpty() && asked.contains(toolId),
                    label + ": the tool span's tool.id " + toolId + " is the tool_call.id the LLM asked with " + asked);
        }

        List<String> errors = spans.stream().filter(s -> "ERROR".equals(s.path("status_code").asText()))
                .map(s -> s.path("name").asText()).sorted().toList();
        if (error) {
            assertEquals("ERROR", chat.path("status_code").asText(), label + ": chat status");
            assertTrue(llms.stream().allMatch(l -> "ERROR".equals(l.path("status_code").asText())),
                    label + ": LLM spans status ERROR");
            assertEquals("ERROR", roots.get(0).path("status_code").asText(), label + ": root status (HTTP 502)");
            assertTrue(roots.get(0).path("status_message").asText().contains("ollama pull"),
                    label + ": the root's status message says why: " + roots.get(0).path("status_message"));
        } else {
            assertEquals(List.of(), errors, label + ": no span has status ERROR");
            assertEquals("OK", chat.path("status_code").asText(), label + ": chat status");
            assertEquals("OK", roots.get(0).path("status_code").asText(), label + ": root status");
            if (inputTokens != null) {
                long prompt = llms.stream().mapToLong(l -> number(l, "llm.token_count.prompt")).sum();
                long completion = llms.stream().mapToLong(l -> number(l, "llm.token_count.completion")).sum();
                assertEquals(List.of((long) inputTokens, (long) outputTokens), List.of(prompt, completion),
                        label + ": the LLM spans' tokens add up to the reply's usage");
            }
        }
    }

    /**
     * Polls Phoenix until every expected trace is stored complete (Phoenix answers OTLP before it stores the
     * spans), within {@code wait}; returns the project's spans by trace id. Fails naming the incomplete ones.
     */
    static Map<String, List<JsonNode>> awaitAll(PhoenixServer phoenix, String project, List<ExpectedTrace> expected,
            java.time.Duration wait) throws java.io.IOException, InterruptedException {
        assertTrue(!expected.isEmpty(), "there are traces to look for");
        long deadline = System.nanoTime() + wait.toNanos();
        Map<String, List<JsonNode>> traces = Map.of();
        List<String> incomplete = List.of();
        String lastError = null;
        do {
            try {
                if (phoenix.projects().contains(project)) {
                    traces = phoenix.spans(project, Map.of()).stream()
                            .collect(Collectors.groupingBy(ExpectedTrace::traceOf));
                    Map<String, List<JsonNode>> current = traces;
                    incomplete = expected.stream()
                            .filter(e -> !e.completeIn(current.getOrDefault(e.traceId(), List.of())))
                            .map(ExpectedTrace::label).toList();
                    if (incomplete.isEmpty()) {
                        return traces;
                    }
                }
            } catch (java.io.IOException e) {
                lastError = e.getMessage();
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("Phoenix did not store these traces complete within " + wait + ": " + incomplete
                + (lastError == null ? "" : " (last error: " + lastError + ")"));
    }

    static String id(JsonNode span) {
        return span.path("context").path("span_id").asText();
    }

    static String traceOf(JsonNode span) {
        return span.path("context").path("trace_id").asText();
    }

    static List<JsonNode> named(List<JsonNode> spans, String name) {
        return spans.stream().filter(s -> name.equals(s.path("name").asText())).toList();
    }

    private static List<JsonNode> roots(List<JsonNode> spans) {
        return spans.stream().filter(s -> !s.hasNonNull("parent_id") || s.path("parent_id").asText().isEmpty())
                .toList();
    }

    private static List<String> orphans(List<JsonNode> spans) {
        List<String> ids = spans.stream().map(ExpectedTrace::id).toList();
        return spans.stream().filter(s -> s.hasNonNull("parent_id") && !s.path("parent_id").asText().isEmpty()
                && !ids.contains(s.path("parent_id").asText())).map(s -> s.path("name").asText()).toList();
    }

    private static List<String> ancestors(JsonNode span, Map<String, JsonNode> byId) {
        List<String> seen = new ArrayList<>();
        String parent = span.path("parent_id").asText(null);
        while (parent != null && byId.containsKey(parent) && !seen.contains(parent)) {
            seen.add(parent);
            parent = byId.get(parent).path("parent_id").asText(null);
        }
        return seen;
    }

    /** An attribute by its dotted OTel name, whether Phoenix returns it flat or nested (lists for indices). */
    static JsonNode attribute(JsonNode span, String key) {
        JsonNode attributes = span.path("attributes");
        if (attributes.has(key)) {
            return attributes.get(key);
        }
        JsonNode node = attributes;
        for (String part : key.split("\\.")) {
            if (node.isObject() && node.has(part)) {
                node = node.get(part);
            } else if (node.isArray() && part.chars().allMatch(Character::isDigit)
                    && Integer.parseInt(part) < node.size()) {
                node = node.get(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return node.isNull() ? null : node;
    }

    static String text(JsonNode span, String key) {
        JsonNode value = attribute(span, key);
        return value == null ? null : value.asText();
    }

    private static long number(JsonNode span, String key) {
        JsonNode value = attribute(span, key);
        return value != null && value.isNumber() ? value.asLong() : -1;
    }
}
