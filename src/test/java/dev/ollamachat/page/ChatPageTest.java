package dev.ollamachat.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.BoundingBox;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.OtlpReceiver;
import dev.ollamachat.support.TelemetryResources;
import dev.ollamachat.support.TelemetryResources.InjectOtlpReceiver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The chat page at {@code /} in real headless Chromium: Debian's {@code chromium} driven by Playwright for Java,
 * which is told never to download a browser. The service talks to the fake Ollama's default answers: "Calculate
 * 5 + 3" makes the model call {@code add} and then dribbles its answer over about 1.3 s, anything else gets one
 * plain answer.
 *
 * Telemetry is on (to an in-process OTLP receiver), so each real answer carries its trace id and link. Tests that
 * need another answer from the model add a stub for their own question ({@link #answer}).
 *
 * <p>{@code CHROMIUM_PATH} overrides {@code /usr/bin/chromium}; {@code -DskipPageTests} skips the test on a
 * machine without Chromium. Screenshots go to {@code target/page/}.
 */
@QuarkusTest
@WithTestResource(FakeOllamaResource.WithDefaultAnswers.class)
@WithTestResource(TelemetryResources.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisabledIfSystemProperty(named = "skipPageTests", matches = "|true")
class ChatPageTest {

    private static final List<String> CHROMIUM_FLAGS = List.of("--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-quic");
    private static final double WAIT_MS = 20_000;
    private static final String QUESTION = "Calculate 5 + 3";
    private static final String TOOL_RESULT = "The sum of 5 and 3 is 8.";
    private static final String ANSWER = "The result of 5 + 3 is 8.";
    private static final String PLAIN_ANSWER = "Hello from the fake Ollama.";
    private static final Path SCREENSHOTS = Path.of("target/page");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    @InjectFakeOllama
    FakeOllama ollama;

    /** Takes the service's spans and, for feedback, answers as Phoenix's REST API does. */
    @InjectOtlpReceiver
    OtlpReceiver phoenix;

    private Playwright playwright;
    private Browser browser;
    private BrowserContext context;
    private Page page;
    private final List<String> browserErrors = new ArrayList<>();

    @BeforeAll
    void startChromium() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
        assertTrue(Files.isExecutable(chromium), "No Chromium at " + chromium + ": install Debian's chromium "
                + "(apt-get install chromium), set CHROMIUM_PATH, or skip this test with -DskipPageTests");
        Files.createDirectories(SCREENSHOTS);
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(chromium)
                .setHeadless(true).setArgs(CHROMIUM_FLAGS).setTimeout(30_000));
    }

    @AfterAll
    void stopChromium() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @BeforeEach
    void openPage() {
        browserErrors.clear();
        context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800));
        page = context.newPage();
        page.setDefaultTimeout(WAIT_MS);
        page.onPageError(error -> browserErrors.add("page error: " + error));
        page.onConsoleMessage(message -> {
            if ("error".equals(message.type())) {
                browserErrors.add(message.text());
            }
        });
    }

    @AfterEach
    void closePage() {
        context.close();
    }

    private void load() {
        page.navigate(root.toString());
    }

    private void waitForReplyDone() {
        page.locator(".message.assistant .meta").last()
                .waitFor(new Locator.WaitForOptions().setState(com.microsoft.playwright.options.WaitForSelectorState.VISIBLE));
    }

    @Test
    void streamsTheReplyTokenByTokenWithToolChipAndUsage() {
        load();
        page.waitForFunction("() => document.getElementById('status').dataset.state === 'up'");
        String status = page.locator("#status").textContent();
        assertTrue(status.matches("(?s).*Ollama reachable.*model .+ present.*MCP: calculator up.*"), status);

        recordReplySnapshots();
        page.locator("#message").click();
        page.keyboard().type(QUESTION);
        page.keyboard().press("Enter");

        Locator chip = page.locator(".message.assistant .chip[data-tool=\"add\"]");
        chip.locator(".chip-result", new Locator.LocatorOptions().setHasText(TOOL_RESULT)).waitFor();
        assertEquals("add", chip.locator(".chip-name").textContent());
        assertTrue(chip.locator(".chip-args").textContent().matches("(?s).*\"a\":5.*\"b\":3.*"),
                chip.locator(".chip-args").textContent());
        assertEquals("ok", chip.getAttribute("data-state"));

        waitForReplyDone();
        String finalText = page.locator(".message.assistant .text").last().textContent();
        assertEquals(ANSWER, finalText);
        assertEquals(QUESTION, page.locator(".message.user .text").last().textContent());

        @SuppressWarnings("unchecked")
        List<String> snapshots = (List<String>) page.evaluate("() => window.__snapshots");
        List<String> intermediate = new ArrayList<>(new LinkedHashSet<>(snapshots));
        intermediate.remove(finalText);
        assertTrue(intermediate.size() >= 2,
                "expected at least two intermediate states of the streamed reply, saw " + snapshots);
        for (String text : intermediate) {
            assertTrue(finalText.startsWith(text), "intermediate text '" + text + "' is not a prefix of the answer");
        }

        String usage = page.locator(".message.assistant .meta").last().textContent();
        Matcher counts = Pattern.compile("(\\d+) tokens in · (\\d+) tokens out").matcher(usage);
        assertTrue(counts.find(), "usage line without token counts: " + usage);
        assertTrue(Integer.parseInt(counts.group(1)) > 0 && Integer.parseInt(counts.group(2)) > 0, usage);
        assertTrue(Pattern.compile("\\d+ ms · first token \\d+ ms").matcher(usage).find(), usage);

        assertEquals("", page.locator("#message").inputValue(), "the message box is emptied after sending");
        assertEquals(List.of(), browserErrors, "errors in the browser console");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("chat-desktop.png")));
    }

    /** Records each distinct text of the last assistant reply until its usage line shows, in window.__snapshots. */
    private void recordReplySnapshots() {
        page.evaluate("""
                () => {
                  window.__snapshots = [];
                  const log = document.getElementById('conversation');
                  const observer = new MutationObserver(() => {
                    const replies = log.querySelectorAll('.message.assistant');
                    const reply = replies[replies.length - 1];
                    if (!reply) {
                      return;
                    }
                    const text = reply.querySelector('.text').textContent;
                    const snapshots = window.__snapshots;
                    if (text !== '' && text !== snapshots[snapshots.length - 1]) {
                      snapshots.push(text);
                    }
                    if (!reply.querySelector('.meta').hidden) {
                      observer.disconnect();
                    }
                  });
                  observer.observe(log, { childList: true, subtree: true, characterData: true, attributes: true });
                }""");
    }

    @Test
    void sseParserHandlesEventsSplitAnywhere() {
        load();
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) page.evaluate("""
                () => {
                  const stream = 'event: token\\r\\ndata: {"text":"a"}\\r\\n\\r\\n: keep-alive\\n\\n'
                    + 'event: tool_result\\ndata: {"name":"add",\\ndata: "result":"ü 8"}\\n\\n'
                    + 'event: done\\rdata: {"conversationId":"c1"}\\r\\r';
                  const parse = (pieces) => {
                    const events = [];
                    const parser = window.ollamaChat.createSseParser((name, data) => events.push([name, data]));
                    pieces.forEach((piece) => parser.push(piece));
                    parser.end();
                    return JSON.stringify(events);
                  };
                  const whole = parse([stream]);
                  const failures = [];
                  for (let i = 1; i < stream.length; i++) {
                    if (parse([stream.slice(0, i), stream.slice(i)]) !== whole) {
                      failures.push(i);
                    }
                  }
                  return { whole, failures, perChar: parse([...stream]) === whole };
                }""");
        assertEquals("[[\"token\",\"{\\\"text\\\":\\\"a\\\"}\"],"
                + "[\"tool_result\",\"{\\\"name\\\":\\\"add\\\",\\n\\\"result\\\":\\\"ü 8\\\"}\"],"
                + "[\"done\",\"{\\\"conversationId\\\":\\\"c1\\\"}\"]]", result.get("whole"));
        assertEquals(List.of(), result.get("failures"), "split positions that changed the parsed events");
        assertEquals(Boolean.TRUE, result.get("perChar"), "one character at a time changed the parsed events");
    }

    @Test
    void fitsAPhoneScreen() {
        int width = 390;
        int height = 844;
        page.setViewportSize(width, height);
        load();
        page.locator("#model").waitFor();
        for (String selector : List.of("#message", "#send", "#new-conversation", "#model")) {
            Locator element = page.locator(selector);
            assertTrue(element.isVisible(), selector + " is not visible");
            BoundingBox box = element.boundingBox();
            assertNotNull(box, selector);
            assertTrue(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height,
                    selector + " is outside the phone viewport: " + box.x + "," + box.y + " " + box.width + "x"
                            + box.height);
        }
        page.locator("#message").fill(QUESTION);
        page.locator("#send").click();
        page.locator(".chip .chip-result", new Page.LocatorOptions().setHasText(TOOL_RESULT)).waitFor();
        waitForReplyDone();
        assertEquals(ANSWER, page.locator(".message.assistant .text").last().textContent());
        int scrollWidth = ((Number) page.evaluate("() => document.documentElement.scrollWidth")).intValue();
        assertTrue(scrollWidth <= width, "page is " + scrollWidth + "px wide on a " + width + "px screen");
        assertTrue(page.locator("#send").isVisible(), "send button hidden after a reply");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("chat-phone.png")));
    }

    @Test
    void worksByKeyboardAlone() {
        load();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            page.keyboard().press("Tab");
            @SuppressWarnings("unchecked")
            Map<String, String> focused = (Map<String, String>) page.evaluate(
                    "() => ({ id: document.activeElement.id, outline: getComputedStyle(document.activeElement).outlineStyle })");
            order.add(focused.get("id").isEmpty() ? "?" : focused.get("id"));
            assertNotEquals("none", focused.get("outline"), "#" + focused.get("id") + " has no visible focus outline");
            if ("message".equals(focused.get("id"))) {
                break;
            }
        }
        assertEquals("message", order.get(order.size() - 1), "Tab never reached the message box; focus went " + order);
        assertTrue(order.indexOf("new-conversation") < order.indexOf("message"), "focus order: " + order);

        page.keyboard().type("line one");
        page.keyboard().press("Shift+Enter");
        page.keyboard().type("line two");
        assertEquals("line one\nline two", page.locator("#message").inputValue(), "Shift+Enter adds a new line");
        assertEquals(0, page.locator(".message").count(), "Shift+Enter must not send");

        page.keyboard().press("Enter");
        waitForReplyDone();
        assertEquals("line one\nline two", page.locator(".message.user .text").textContent());
        assertEquals(PLAIN_ANSWER, page.locator(".message.assistant .text").textContent());
        assertEquals("message", page.evaluate("() => document.activeElement.id"), "focus stays in the message box");

        // back from the message box: through the answer's controls (its trace link and feedback buttons), the
        // conversation, the header's controls (the model picker, the conversation list) to New conversation
        List<String> back = new ArrayList<>();
        for (int i = 0; i < 12 && !back.contains("new-conversation"); i++) {
            page.keyboard().press("Shift+Tab");
            back.add((String) page.evaluate("() => document.activeElement.id || document.activeElement.className"));
        }
        int conversation = back.indexOf("conversation");
        assertTrue(conversation >= 0, "Shift+Tab path: " + back);
        assertTrue(back.subList(0, conversation).stream().allMatch(stop -> List.of("trace-link", "vote").contains(stop)),
                "Shift+Tab path: " + back);
        List<String> header = new ArrayList<>();
        for (String id : List.of("model", "history-toggle")) {
            if (page.locator("#" + id).isVisible()) {
                header.add(id);
            }
        }
        header.add("new-conversation");
        assertEquals(header, back.subList(conversation + 1, back.size()), "Shift+Tab path: " + back);
        page.keyboard().press("Enter");
        assertEquals(0, page.locator(".message").count(), "New conversation clears the view");
        assertEquals("message", page.evaluate("() => document.activeElement.id"), "focus returns to the message box");
    }

    @Test
    void showsProblemsAndErrorEventsWithTitleAndDetail() {
        AtomicInteger calls = new AtomicInteger();
        page.route("**/api/chat/stream", route -> {
            if (calls.incrementAndGet() == 1) {
                route.fulfill(new Route.FulfillOptions().setStatus(502).setContentType("application/problem+json")
                        .setBody("{\"type\":\"about:blank\",\"title\":\"Model not found\",\"status\":502,"
                                + "\"detail\":\"Run: ollama pull llama3.1:8b <b>not markup</b>\"}"));
                return;
            }
            route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("text/event-stream; charset=utf-8")
                    .setBody("event: tool_call\ndata: {\"name\":\"divide\",\"arguments\":{\"a\":1,\"b\":0}}\n\n"
                            + "event: tool_result\ndata: {\"name\":\"divide\",\"error\":\"Division by zero\"}\n\n"
                            + "event: token\ndata: {\"text\":\"Part\"}\n\n"
                            + "event: error\ndata: {\"status\":504,\"title\":\"Ollama timed out\","
                            + "\"detail\":\"No answer within 120s\"}\n\n"));
        });
        load();

        page.locator("#message").fill("first");
        page.keyboard().press("Enter");
        Locator problem = page.locator(".message.assistant .problem").first();
        problem.waitFor();
        assertEquals("alert", problem.getAttribute("role"));
        assertEquals("Model not found (502)", problem.locator(".problem-title").textContent());
        assertEquals("Run: ollama pull llama3.1:8b <b>not markup</b>", problem.locator(".problem-detail").textContent());
        assertEquals(0, page.locator(".problem b").count(), "service text must not become markup");

        page.locator("#message").fill("second");
        page.keyboard().press("Enter");
        Locator failed = page.locator(".message.assistant").nth(1);
        failed.locator(".problem").waitFor();
        assertEquals("Ollama timed out (504)", failed.locator(".problem-title").textContent());
        assertEquals("No answer within 120s", failed.locator(".problem-detail").textContent());
        assertEquals("error", failed.locator(".chip[data-tool=\"divide\"]").getAttribute("data-state"));
        assertEquals("Error: Division by zero", failed.locator(".chip-result").textContent());
        assertEquals("Part", failed.locator(".text").textContent());
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("chat-errors.png")));
    }

    @Test
    void eachAnswerLinksToItsTraceWhenTelemetryIsOn() {
        String[] traceUrls = {"http://phoenix.example:6006/redirects/traces/0af7651916cd43dd8448eb211c80319c",
                "javascript:alert(1)", null};
        AtomicInteger calls = new AtomicInteger();
        page.route("**/api/chat/stream", route -> {
            String traceUrl = traceUrls[calls.getAndIncrement()];
            route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("text/event-stream; charset=utf-8")
                    .setBody("event: token\ndata: {\"text\":\"Traced\"}\n\n"
                            + "event: done\ndata: {\"conversationId\":\"c1\",\"model\":\"m\",\"usage\":"
                            + "{\"inputTokens\":1,\"outputTokens\":2},\"durationMs\":3,\"warnings\":[]"
                            + (traceUrl == null ? "" : ",\"traceUrl\":\"" + traceUrl + "\"") + "}\n\n"));
        });
        load();
        for (int i = 0; i < traceUrls.length; i++) {
            page.locator("#message").fill("question " + i);
            page.keyboard().press("Enter");
            page.locator(".message.assistant .meta").nth(i)
                    .waitFor(new Locator.WaitForOptions().setState(com.microsoft.playwright.options.WaitForSelectorState.VISIBLE));
        }
        Locator links = page.locator(".message.assistant .meta .trace-link");
        assertEquals(1, links.count(), "a link for the http(s) trace URL only; none for javascript: or no URL");
        assertEquals(0, page.locator(".message.assistant .feedback").count(), "no feedback without a trace id");
        Locator link = page.locator(".message.assistant").nth(0).locator(".trace-link");
        assertEquals("View trace", link.textContent());
        assertEquals(traceUrls[0], link.getAttribute("href"));
        assertEquals("_blank", link.getAttribute("target"));
        assertTrue(link.getAttribute("rel").contains("noopener"));
        assertTrue(page.locator(".message.assistant").nth(0).locator(".meta").textContent()
                .endsWith("m · View trace"), "the link ends the usage line");
        assertEquals(List.of(), browserErrors, "errors in the browser console");
    }

    @Test
    void asksForTheApiKeyOnceAndKeepsItForTheTab() {
        String key = "alice-key-0123456789";
        List<String> seen = new ArrayList<>();
        page.route("**/api/chat/stream", route -> {
            String authorization = route.request().headers().get("authorization");
            seen.add(authorization);
            if (!("Bearer " + key).equals(authorization)) {
                route.fulfill(new Route.FulfillOptions().setStatus(401).setContentType("application/problem+json")
                        .setHeaders(Map.of("WWW-Authenticate", "Bearer realm=\"ollama-chat\""))
                        .setBody("{\"type\":\"urn:ollama-chat:problem:unauthorized\",\"title\":\"Unauthorized\","
                                + "\"status\":401,\"detail\":\"This service needs an API key\"}"));
                return;
            }
            route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("text/event-stream; charset=utf-8")
                    .setBody("event: token\ndata: {\"text\":\"Welcome back\"}\n\n"
                            + "event: done\ndata: {\"conversationId\":\"c1\",\"model\":\"m\",\"usage\":{\"inputTokens\":1,"
                            + "\"outputTokens\":2},\"durationMs\":3,\"warnings\":[]}\n\n"));
        });
        // the model list and the conversation list need the key too: the page waits for it instead of asking
        List<String> listsSeen = new ArrayList<>();
        page.route("**/api/{models,conversations}", route -> {
            String authorization = route.request().headers().get("authorization");
            listsSeen.add(route.request().url().replaceAll(".*/api/", "") + " " + authorization);
            if (("Bearer " + key).equals(authorization)) {
                route.resume();
                return;
            }
            route.fulfill(new Route.FulfillOptions().setStatus(401).setContentType("application/problem+json")
                    .setHeaders(Map.of("WWW-Authenticate", "Bearer realm=\"ollama-chat\""))
                    .setBody("{\"type\":\"urn:ollama-chat:problem:unauthorized\",\"title\":\"Unauthorized\","
                            + "\"status\":401,\"detail\":\"This service needs an API key\"}"));
        });
        AtomicInteger prompts = new AtomicInteger();
        page.onDialog(dialog -> {
            prompts.incrementAndGet();
            dialog.accept(key);
        });
        load();
        page.waitForCondition(() -> listsSeen.size() >= 2);
        assertEquals(0, prompts.get(), "no prompt before the user sends something");
        assertTrue(page.locator("#model-picker").isHidden(), "no model list without the key");
        assertTrue(page.locator("#history").isHidden(), "no conversation list without the key");

        page.locator("#message").fill("hello");
        page.keyboard().press("Enter");
        page.waitForFunction(
                "() => document.querySelector('.message.assistant .text')?.textContent === 'Welcome back'");
        assertEquals(java.util.Arrays.asList(null, "Bearer " + key), seen,
                "first without a key, then with the one typed in");
        assertEquals(1, prompts.get());
        assertEquals(key, page.evaluate("() => sessionStorage.getItem('ollama-chat.api-key')"));
        // with the key given, both lists load
        page.locator("#model").waitFor();
        page.locator("#history-toggle").waitFor();
        assertTrue(listsSeen.contains("models Bearer " + key), listsSeen.toString());
        assertTrue(listsSeen.contains("conversations Bearer " + key), listsSeen.toString());

        page.locator("#message").fill("again");
        page.keyboard().press("Enter");
        page.waitForFunction("() => document.querySelectorAll('.message.assistant').length === 2"
                + " && document.querySelectorAll('.message.assistant')[1].querySelector('.text')?.textContent"
                + " === 'Welcome back'");
        assertEquals("Bearer " + key, seen.get(2), "the next message sends the kept key");
        assertEquals(1, prompts.get(), "asked once");
    }

    /** The fake Ollama streams these pieces of text, one NDJSON line each, when the last user message has {@code question}. */
    private void answer(String question, String... pieces) {
        ollama.wireMock().stubFor(ollama.chat().atPriority(1)
                .withRequestBody(WireMock.matchingJsonPath("$.messages[-1].content", WireMock.equalTo(question)))
                .willReturn(FakeOllama.ndjson(ollamaLines(pieces))));
    }

    /** Ollama's streamed lines for these pieces of an answer, then its done line. */
    private static String[] ollamaLines(String... pieces) {
        List<String> lines = new ArrayList<>();
        for (String piece : pieces) {
            lines.add("{\"model\":\"" + FakeOllama.MODEL + "\",\"created_at\":\"2025-11-20T10:15:02.930118Z\","
                    + "\"message\":{\"role\":\"assistant\",\"content\":" + jsonString(piece) + "},\"done\":false}");
        }
        lines.add(FakeOllama.reply("", 12, pieces.length));
        return lines.toArray(String[]::new);
    }

    private static String jsonString(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                default -> json.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return json.append('"').toString();
    }

    private void ask(String question) {
        page.locator("#message").fill(question);
        page.keyboard().press("Enter");
    }

    @Test
    void rendersTheAnswersMarkdownAsElements() {
        String question = "Show me some markdown";
        // split mid-syntax, as a model streams it: the page renders the whole text so far each time
        answer(question, "# Sum", "mary\n\nThe **res", "ult** is `8`, *really*.\nSecond line\n\n- one\n- two",
                " with `code`\n  - nested\n\n1. first\n2. second\n\n```java\nint x = 1 < 2 ? 3 : 4;\n```\n",
                "See [the docs](https://example.com/docs?a=1) or [this](javascript:alert(1)).");
        load();
        ask(question);
        waitForReplyDone();

        Locator answer = page.locator(".message.assistant .text").last();
        assertEquals("Summary", answer.locator("h3").textContent(), "a # heading is an h3 under the page's h1");
        assertEquals("result", answer.locator("p strong").textContent());
        assertEquals("8", answer.locator("p > code").textContent());
        assertEquals("really", answer.locator("p em").textContent());
        assertEquals(1, answer.locator("p br").count(), "a line break inside a paragraph");
        Locator items = answer.locator(":scope > ul > li");
        assertEquals(2, items.count(), "two bullet items: " + answer.innerHTML());
        assertEquals("one", items.nth(0).textContent());
        assertEquals("code", items.nth(1).locator(":scope > code").textContent());
        assertEquals("nested", items.nth(1).locator(":scope > ul > li").textContent(), "an indented item nests");
        assertEquals(List.of("first", "second"), answer.locator("ol > li").allTextContents());
        assertEquals("int x = 1 < 2 ? 3 : 4;", answer.locator("pre > code").textContent());
        Locator link = answer.locator("a");
        assertEquals(1, link.count(), "a link for the https URL only");
        assertEquals("the docs", link.textContent());
        assertEquals("https://example.com/docs?a=1", link.getAttribute("href"));
        assertEquals("_blank", link.getAttribute("target"));
        assertTrue(link.getAttribute("rel").contains("noopener"), link.getAttribute("rel"));
        assertTrue(answer.textContent().contains("[this](javascript:alert(1))"), "the javascript: link stays text");
        assertEquals(List.of(), browserErrors, "errors in the browser console");
    }

    @Test
    void showsHtmlInAnswersAsTextAndRunsNothing() {
        String question = "Show me some HTML";
        String img = "<img src=x onerror=window.__pwned=1>";
        String script = "<script>window.__pwned=2</script>";
        answer(question, "Look: <img src=x ", "onerror=window.__pwned=1> and **bold**", " then <scr", "ipt>window.__pwned=2</script>",
                "\n\n- <b>not bold</b>\n\n```\n<script>window.__pwned=3</script>\n```\n[x](javascript:window.__pwned=4)");
        load();
        ask(question);
        waitForReplyDone();

        Locator answer = page.locator(".message.assistant .text").last();
        String text = answer.textContent();
        assertTrue(text.contains("Look: " + img + " and bold then " + script), text);
        assertTrue(text.contains("<b>not bold</b>"), text);
        assertTrue(text.contains("<script>window.__pwned=3</script>"), text);
        assertEquals(0, answer.locator("img, script, b, iframe, a").count(),
                "the model's HTML made elements: " + answer.innerHTML());
        assertEquals("bold", answer.locator("strong").textContent(), "Markdown around the HTML still renders");
        assertTrue(page.getByText(img, new Page.GetByTextOptions().setExact(false)).isVisible(), "the img markup is shown");
        assertTrue(page.getByText(script).first().isVisible(), "the script markup is shown");
        assertEquals("undefined", page.evaluate("() => typeof window.__pwned"), "the answer ran code");
        assertEquals(0, page.locator("img").count(), "no image anywhere on the page");
        assertEquals(List.of(), browserErrors, "errors in the browser console");
    }

    /** Like {@link #answer}, but the pieces trickle out over {@code millis}: a stream the test can walk away from. */
    private void answerSlowly(String question, long millis, String... pieces) {
        ollama.wireMock().stubFor(ollama.chat().atPriority(1)
                .withRequestBody(WireMock.matchingJsonPath("$.messages[-1].content", WireMock.equalTo(question)))
                .willReturn(FakeOllama.ndjson(ollamaLines(pieces))
                        .withChunkedDribbleDelay(pieces.length + 1, (int) millis)));
    }

    /** Spans of this trace the OTLP receiver got that are ERROR with error.type=cancelled. */
    private long cancelledSpans(String traceId) {
        return phoenix.exports().stream().flatMap(export -> export.request().getResourceSpansList().stream())
                .flatMap(resource -> resource.getScopeSpansList().stream())
                .flatMap(scope -> scope.getSpansList().stream())
                .filter(span -> java.util.HexFormat.of().formatHex(span.getTraceId().toByteArray()).equals(traceId))
                .filter(span -> span.getStatus().getCode() == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR)
                .filter(span -> span.getAttributesList().stream().anyMatch(kv -> kv.getKey().equals("error.type")
                        && kv.getValue().getStringValue().equals("cancelled")))
                .count();
    }

    @Test
    void stopEndsTheStreamKeepsThePartialAnswerAndFreesTheComposer() {
        String question = "Tell me a long story";
        String[] story = new String[60];
        story[0] = "Once";
        java.util.Arrays.fill(story, 1, story.length, " upon");
        answerSlowly(question, 30_000, story);
        load();
        Response stream = page.waitForResponse("**/api/chat/stream", () -> ask(question));
        String traceId = stream.headers().get("traceparent").split("-")[1];

        Locator reply = page.locator(".message.assistant").last();
        page.waitForFunction("() => (document.querySelector('.message.assistant .text')?.textContent || '')"
                + ".startsWith('Once upon upon')");
        Locator send = page.locator("#send");
        assertEquals("Stop", send.textContent(), "while the answer streams, Send is Stop");

        send.click();
        assertEquals("Send", send.textContent(), "the composer is back at once");
        assertEquals("stopped", reply.getAttribute("data-state"));
        assertEquals("Stopped: the answer is incomplete.", reply.locator(".stopped-note").textContent());
        String partial = reply.locator(".text").textContent();
        assertTrue(partial.startsWith("Once upon upon") && partial.length() < String.join("", story).length(),
                "the partial answer stays: " + partial);
        assertEquals(0, reply.locator(".meta:visible").count(), "no usage line for a stopped answer");
        assertEquals(0, reply.locator(".problem").count(), "stopping is not an error");

        // the service sees the client go and ends the turn, long before the model (30 s) would have finished: its
        // chat and LLM spans end ERROR, error.type=cancelled (the active-stream gauge is no witness here: in a test
        // JVM that started the service before, Micrometer may keep the first instance's gauge)
        page.waitForCondition(() -> cancelledSpans(traceId) >= 2);
        assertEquals(partial, reply.locator(".text").textContent(), "nothing is added after Stop");

        // the message box works at once: the next question gets its answer
        page.locator("#message").fill("And now?");
        page.keyboard().press("Enter");
        waitForReplyDone();
        assertEquals(PLAIN_ANSWER, page.locator(".message.assistant .text").last().textContent());
        assertEquals(2, page.locator(".message.assistant").count());
        assertEquals(List.of(), browserErrors, "errors in the browser console");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("answer-stopped.png")));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Asks and returns the body of the page's request to the service. */
    private JsonNode askAndCaptureBody(String question) {
        Request request = page.waitForRequest("**/api/chat/stream", () -> ask(question));
        return json(request.postData());
    }

    /** The model named in the fake Ollama's chat requests for this question. */
    private List<String> modelsOllamaWasAskedFor(String question) {
        return ollama.chatRequests().stream().map(request -> json(request.getBodyAsString()))
                .filter(body -> question.equals(body.at("/messages").get(body.at("/messages").size() - 1)
                        .path("content").asText()))
                .map(body -> body.path("model").asText()).toList();
    }

    @Test
    void modelPickerOffersOllamasModelsAndEachMessageCarriesTheChoice() {
        load();
        Locator select = page.locator("#model");
        select.waitFor();
        assertEquals(List.of("llama3.1:8b", "tiny-test-model:latest"),
                select.locator("option").evaluateAll("options => options.map(o => o.value)"));
        assertEquals(List.of("llama3.1:8b (default)", "tiny-test-model:latest"),
                select.locator("option").allTextContents());
        assertEquals("llama3.1:8b", select.inputValue(), "the configured model is the default");
        assertEquals("Model", page.locator("label[for=model]").textContent(), "the picker is labelled");

        JsonNode first = askAndCaptureBody("Which model are you? 1");
        assertEquals("llama3.1:8b", first.path("model").asText(), first.toString());
        waitForReplyDone();
        assertEquals(List.of("llama3.1:8b"), modelsOllamaWasAskedFor("Which model are you? 1"));

        select.selectOption("tiny-test-model:latest");
        assertEquals("tiny-test-model:latest", page.evaluate("() => localStorage.getItem('ollama-chat.model')"));
        JsonNode second = askAndCaptureBody("Which model are you? 2");
        assertEquals("tiny-test-model:latest", second.path("model").asText(), second.toString());
        assertTrue(second.hasNonNull("conversationId"), "the conversation goes on: " + second);
        page.locator(".message.assistant .meta").nth(1).waitFor();
        assertTrue(page.locator(".message.assistant .meta").nth(1).textContent().contains("tiny-test-model:latest"),
                "the answer names the model that gave it");
        assertEquals(List.of("tiny-test-model:latest"), modelsOllamaWasAskedFor("Which model are you? 2"),
                "the service asked Ollama for the chosen model");

        page.reload();
        page.locator("#model").waitFor();
        assertEquals("tiny-test-model:latest", page.locator("#model").inputValue(), "the choice is kept");
        assertEquals(List.of(), browserErrors, "errors in the browser console");
    }

    @Test
    void aModelOllamaNoLongerHasIsTheServicesProblemShownUnderTheMessage() {
        // a list from before the model was removed: the service checks the name against Ollama's list and says 400
        page.route("**/api/models", route -> route.fulfill(new Route.FulfillOptions().setStatus(200)
                .setContentType("application/json").setBody("{\"configuredModel\":\"llama3.1:8b\","
                        + "\"configuredModelAvailable\":true,\"models\":[{\"name\":\"llama3.1:8b\",\"configured\":true},"
                        + "{\"name\":\"removed-model:latest\",\"configured\":false}],\"hosts\":[]}")));
        load();
        page.locator("#model").selectOption("removed-model:latest");
        JsonNode body = askAndCaptureBody("Which model are you? 4");
        assertEquals("removed-model:latest", body.path("model").asText());
        Locator problem = page.locator(".message.assistant .problem").last();
        problem.waitFor();
        assertTrue(problem.locator(".problem-title").textContent().endsWith("(400)"),
                problem.locator(".problem-title").textContent());
        assertTrue(problem.locator(".problem-detail").textContent().contains("removed-model:latest"),
                problem.locator(".problem-detail").textContent());
        assertEquals(List.of(), modelsOllamaWasAskedFor("Which model are you? 4"), "Ollama was never asked");
        assertEquals("Send", page.locator("#send").textContent(), "ready for the next message");
    }

    @Test
    void withoutTheModelListThePickerIsHiddenAndTheServiceChooses() {
        page.route("**/api/models", route -> route.fulfill(new Route.FulfillOptions().setStatus(503)
                .setContentType("application/problem+json").setBody("{\"type\":\"urn:ollama-chat:problem:"
                        + "ollama-unavailable\",\"title\":\"Ollama is unavailable\",\"status\":503,\"detail\":\"x\"}")));
        Response models = page.waitForResponse("**/api/models", this::load);
        assertEquals(503, models.status());
        assertTrue(page.locator("#model-picker").isHidden(), "no picker without a model list");

        JsonNode body = askAndCaptureBody("Which model are you? 3");
        assertTrue(body.path("model").isMissingNode(), "no model in " + body);
        waitForReplyDone();
        assertEquals(PLAIN_ANSWER, page.locator(".message.assistant .text").last().textContent());
        assertEquals(List.of("llama3.1:8b"), modelsOllamaWasAskedFor("Which model are you? 3"));
    }

    @Test
    void conversationListOpensAnEarlierConversationAndContinuesIt() {
        load();
        ask(QUESTION);
        waitForReplyDone();
        Locator current = page.locator("#history-list button[aria-current=true]");
        current.waitFor(new Locator.WaitForOptions().setState(com.microsoft.playwright.options.WaitForSelectorState.ATTACHED));
        String first = current.getAttribute("data-id");
        assertEquals(QUESTION, current.locator(".history-title").textContent(), "listed after its first turn");

        page.locator("#new-conversation").click();
        String second = "A second conversation";
        ask(second);
        waitForReplyDone();
        Locator toggle = page.locator("#history-toggle");
        toggle.focus();
        page.keyboard().press("Enter");
        Locator items = page.locator("#history-list .history-item");
        items.first().waitFor();
        page.waitForFunction("() => document.querySelector('#history-list button')?.getAttribute('aria-current') === 'true'");
        assertEquals(second, items.first().locator(".history-title").textContent(), "the newest first");
        assertTrue(toggle.textContent().matches("Conversations \\(\\d+\\)"), toggle.textContent());
        assertEquals("Conversations", page.locator("nav.history-panel").getAttribute("aria-label"));
        Locator earlier = page.locator("#history-list button[data-id=\"" + first + "\"]");
        assertTrue(earlier.locator(".history-details").textContent().matches("\\d+ messages · .+"),
                earlier.locator(".history-details").textContent());
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("conversation-list.png")));

        // by keyboard: Tab goes into the list, Escape closes it and goes back to its toggle
        page.keyboard().press("Tab");
        assertEquals(items.first().getAttribute("data-id"),
                page.evaluate("() => document.activeElement.dataset.id"), "Tab reaches the newest conversation");
        page.keyboard().press("Escape");
        assertEquals(Boolean.FALSE, page.locator("#history").evaluate("details => details.open"));
        assertEquals("history-toggle", page.evaluate("() => document.activeElement.id"));
        page.keyboard().press("Enter");

        earlier.click();
        Locator chip = page.locator(".message.assistant .chip[data-tool=\"add\"]");
        chip.waitFor();
        assertEquals(1, page.locator(".message.user").count(), "only the opened conversation shows");
        assertEquals(QUESTION, page.locator(".message.user .text").textContent());
        assertEquals(TOOL_RESULT, chip.locator(".chip-result").textContent());
        assertEquals(ANSWER, page.locator(".message.assistant .text").textContent());
        assertTrue(page.locator("#history").evaluate("details => !details.open").equals(Boolean.TRUE),
                "the list closes");
        assertEquals("message", page.evaluate("() => document.activeElement.id"), "focus goes to the message box");
        assertEquals("true", earlier.getAttribute("aria-current"));

        JsonNode next = askAndCaptureBody("And a follow-up");
        assertEquals(first, next.path("conversationId").asText(), "the next message continues it: " + next);
        page.locator(".message.assistant .meta:visible").first().waitFor();
        assertEquals(2, page.locator(".message.user").count());
        page.waitForFunction("id => document.querySelector('#history-list button')?.dataset.id === id", first);
        assertEquals(List.of(), browserErrors, "errors in the browser console");
    }

    @Test
    void withoutTheListEndpointTheListIsHiddenAndNewConversationForgetsTheOldOne() {
        page.route("**/api/conversations", route -> route.fulfill(new Route.FulfillOptions().setStatus(404)
                .setContentType("application/problem+json").setBody("{\"type\":\"urn:ollama-chat:problem:not-found\","
                        + "\"title\":\"Not Found\",\"status\":404,\"detail\":\"No such resource\"}")));
        load();
        ask("Hello without a list");
        waitForReplyDone();
        assertTrue(page.locator("#history").isHidden(), "no list without the endpoint");
        Request forget = page.waitForRequest(request -> "DELETE".equals(request.method())
                && request.url().contains("/api/conversations/"), () -> page.locator("#new-conversation").click());
        assertTrue(forget.url().matches(".*/api/conversations/[A-Za-z0-9._:-]+"), forget.url());
        assertEquals(0, page.locator(".message").count());
        assertEquals(List.of(), browserErrors.stream().filter(error -> !error.contains("status of 404")).toList(),
                "errors in the browser console besides the missing list");
    }

    /** The annotations the stand-in Phoenix (the OTLP receiver) holds for this trace. */
    private List<JsonNode> annotationsOf(String traceId) {
        return phoenix.annotations().stream().map(OtlpReceiver.Annotation::body)
                .filter(body -> traceId.equals(body.path("trace_id").asText())).toList();
    }

    private Locator button(Locator within, String name) {
        return within.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(name).setExact(true));
    }

    @Test
    void feedbackUnderAnAnswerAnnotatesItsTraceAndShowsWhatHappened() {
        String question = "Summarise the sum";
        answer(question, "Here is **the sum**:\n\n- `5 + 3` is *8*\n- checked with ", "the `add` tool\n\n",
                "See [the guide](https://example.com/guide).");
        load();
        Response stream = page.waitForResponse("**/api/chat/stream", () -> ask(question));
        String traceId = stream.headers().get("traceparent").split("-")[1];
        waitForReplyDone();

        Locator answer = page.locator(".message.assistant").last();
        Locator feedback = answer.locator(".feedback");
        assertEquals("group", feedback.getAttribute("role"));
        assertEquals("Feedback on this answer", feedback.getAttribute("aria-label"));
        Locator good = button(answer, "Good answer");
        Locator bad = button(answer, "Bad answer");
        assertEquals("false", good.getAttribute("aria-pressed"));
        assertEquals("false", bad.getAttribute("aria-pressed"));
        assertTrue(answer.locator(".trace-link").isVisible(), "the answer links to its trace");
        assertEquals("the sum", answer.locator(".text strong").textContent(), "the answer is rendered Markdown");

        // 👍 through the service to the stand-in Phoenix: an annotation on this answer's trace
        Request goodRequest = page.waitForRequest("**/api/feedback", good::click);
        JsonNode first = json(goodRequest.postData());
        assertEquals(traceId, first.path("traceId").asText(), "the trace of this answer: " + first);
        assertEquals(1, first.path("score").asInt());
        assertEquals("good", first.path("label").asText());
        assertTrue(first.path("comment").isMissingNode(), first.toString());
        page.waitForCondition(() -> "true".equals(good.getAttribute("aria-pressed")));
        assertEquals("false", bad.getAttribute("aria-pressed"));
        assertEquals("Thanks! Saved as a good answer.", answer.locator(".feedback-note").textContent());
        List<JsonNode> stored = annotationsOf(traceId);
        assertEquals(1, stored.size(), stored.toString());
        assertEquals("user feedback", stored.get(0).path("name").asText());
        assertEquals("HUMAN", stored.get(0).path("annotator_kind").asText());
        assertEquals(1, stored.get(0).path("result").path("score").asInt());
        assertEquals("good", stored.get(0).path("result").path("label").asText());
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("answer-with-feedback.png")));

        // 👎 while Phoenix is down (answered by the browser here): disabled while sending, then not saved, said so,
        // the saved choice still showing, free to try again
        List<JsonNode> held = new ArrayList<>();
        AtomicReference<Route> pending = new AtomicReference<>();
        page.route("**/api/feedback", route -> {
            held.add(json(route.request().postData()));
            pending.set(route);
        });
        bad.click();
        page.waitForCondition(() -> pending.get() != null);
        assertEquals("true", good.getAttribute("aria-disabled"), "disabled while sending");
        assertEquals("true", bad.getAttribute("aria-disabled"), "disabled while sending");
        assertEquals("true", feedback.getAttribute("aria-busy"));
        assertEquals("Sending…", answer.locator(".feedback-note").textContent());
        assertEquals(-1, held.get(0).path("score").asInt());
        assertEquals("bad", held.get(0).path("label").asText());
        assertEquals(traceId, held.get(0).path("traceId").asText());
        pending.get().fulfill(new Route.FulfillOptions().setStatus(503).setContentType("application/problem+json")
                .setBody("{\"type\":\"urn:ollama-chat:problem:phoenix-unavailable\",\"title\":\"Phoenix unavailable\","
                        + "\"status\":503,\"detail\":\"Phoenix at http://phoenix:6006 could not be reached; the "
                        + "feedback was not saved: send it <b>again</b>\"}"));
        Locator problem = answer.locator(".feedback-problem");
        problem.waitFor();
        assertEquals("alert", problem.getAttribute("role"));
        assertEquals("Phoenix unavailable (503)", problem.locator(".problem-title").textContent());
        assertEquals("Phoenix at http://phoenix:6006 could not be reached; the feedback was not saved: send it "
                + "<b>again</b>", problem.locator(".problem-detail").textContent());
        assertEquals("true", good.getAttribute("aria-pressed"), "the saved choice still shows");
        assertEquals("false", bad.getAttribute("aria-pressed"));
        assertEquals("false", bad.getAttribute("aria-disabled"), "free to try again");
        assertEquals(1, annotationsOf(traceId).get(0).path("result").path("score").asInt(), "still the good one");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("feedback-unavailable.png")));

        // Phoenix back: the retry replaces the verdict, and a comment can follow
        page.unroute("**/api/feedback");
        bad.click();
        page.waitForCondition(() -> "true".equals(bad.getAttribute("aria-pressed")));
        assertEquals("false", good.getAttribute("aria-pressed"));
        assertEquals(0, problem.count(), "the failure is gone once saved");
        stored = annotationsOf(traceId);
        assertEquals(1, stored.size(), "one verdict per user and answer: " + stored);
        assertEquals(-1, stored.get(0).path("result").path("score").asInt());
        assertEquals("bad", stored.get(0).path("result").path("label").asText());

        Locator comment = answer.getByLabel("What was wrong? (optional)");
        comment.fill("It left out the carry.");
        Request withComment = page.waitForRequest("**/api/feedback", button(answer, "Send comment")::click);
        JsonNode body = json(withComment.postData());
        assertEquals(traceId, body.path("traceId").asText());
        assertEquals(-1, body.path("score").asInt());
        assertEquals("bad", body.path("label").asText());
        assertEquals("It left out the carry.", body.path("comment").asText());
        page.waitForCondition(() -> "Thanks! Your comment is saved.".equals(answer.locator(".feedback-note").textContent()));
        assertTrue(comment.isHidden(), "the comment box closes once sent");
        stored = annotationsOf(traceId);
        assertEquals(1, stored.size(), stored.toString());
        assertEquals("It left out the carry.", stored.get(0).path("result").path("explanation").asText());
        assertEquals(List.of(), browserErrors.stream().filter(error -> !error.contains("status of 503")).toList(),
                "errors in the browser console besides the 503");
    }

    @Test
    void feedbackOnATraceTheServiceDoesNotKnowIsRefusedAndSaid() {
        String unknown = "0af7651916cd43dd8448eb211c80319c";
        page.route("**/api/chat/stream", route -> route.fulfill(new Route.FulfillOptions().setStatus(200)
                .setContentType("text/event-stream; charset=utf-8")
                .setBody("event: token\ndata: {\"text\":\"Not from here\"}\n\n"
                        + "event: done\ndata: {\"conversationId\":\"c1\",\"model\":\"m\",\"usage\":"
                        + "{\"inputTokens\":1,\"outputTokens\":2},\"durationMs\":3,\"warnings\":[],"
                        + "\"traceId\":\"" + unknown + "\"}\n\n")));
        load();
        ask("Who answers?");
        waitForReplyDone();
        Locator answer = page.locator(".message.assistant").last();
        Locator good = button(answer, "Good answer");
        good.click();
        Locator problem = answer.locator(".feedback-problem");
        problem.waitFor();
        assertEquals("Not found (404)", problem.locator(".problem-title").textContent());
        assertTrue(problem.locator(".problem-detail").textContent().contains(unknown),
                problem.locator(".problem-detail").textContent());
        assertEquals("false", good.getAttribute("aria-pressed"), "nothing was saved");
        assertEquals(List.of(), annotationsOf(unknown));
    }

    @Test
    void markdownRendererMakesOnlyItsOwnElementsFromAnyText() {
        load();
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) page.evaluate("""
                () => {
                  const allowed = new Set(['P', 'BR', 'STRONG', 'EM', 'DEL', 'CODE', 'PRE', 'H3', 'H4', 'H5', 'H6',
                    'UL', 'OL', 'LI', 'BLOCKQUOTE', 'HR', 'A']);
                  const pieces = ['*', '**', '_', '`', '```', '~~', '[', ']', '(', ')', '<', '>', '/', '"', "'", '=',
                    '\\\\', '\\n', '\\n\\n', ' ', '  ', '# ', '- ', '1. ', '> ', 'a', 'b c', 'https://x.org/p',
                    'javascript:alert(1)', 'data:text/html,x', '<img src=x onerror=window.__pwned=1>',
                    '<script>window.__pwned=2</script>', '&lt;', '&amp;', '<a href="javascript:x">', 'onclick=',
                    '<svg onload=window.__pwned=3>', '[y](javascript:window.__pwned=4)', '[z](https://ok.example)'];
                  let seed = 7;
                  const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
                  const bad = [];
                  const made = {};
                  for (let round = 0; round < 3000; round++) {
                    let text = '';
                    const length = 1 + random(40);
                    for (let i = 0; i < length; i++) {
                      text += pieces[random(pieces.length)];
                    }
                    const box = document.createElement('div');
                    box.append(window.ollamaMarkdown.render(text));
                    for (const node of box.querySelectorAll('*')) {
                      made[node.tagName] = (made[node.tagName] || 0) + 1;
                      const attributes = [...node.attributes].map((a) => a.name);
                      const ok = allowed.has(node.tagName)
                        && attributes.every((name) => ['href', 'target', 'rel', 'start', 'data-language'].includes(name))
                        && (node.tagName !== 'A' || /^https?:\\/\\//.test(node.getAttribute('href')));
                      if (!ok) {
                        bad.push(text + ' -> ' + node.outerHTML);
                      }
                    }
                  }
                  return { bad: bad.slice(0, 5), pwned: typeof window.__pwned, made };
                }""");
        assertEquals(List.of(), result.get("bad"), "elements or attributes the renderer must not make");
        assertEquals("undefined", result.get("pwned"));
        @SuppressWarnings("unchecked")
        Map<String, Number> made = (Map<String, Number>) result.get("made");
        for (String tag : List.of("P", "STRONG", "EM", "CODE", "A", "UL", "H3")) {
            assertTrue(made.containsKey(tag), "the random texts never made a " + tag + ": " + made);
        }
    }

    @Test
    void aConversationGoneSinceTheListIsSaidSoAndTheNextMessageStartsAFreshOne() {
        // the list names a conversation the service no longer has (expired, evicted): its GET is the real 404
        page.route("**/api/conversations", route -> route.fulfill(new Route.FulfillOptions().setStatus(200)
                .setContentType("application/json").setBody("{\"conversations\":[{\"id\":\"expired-0001\","
                        + "\"firstMessage\":\"<b>An old one</b>\",\"messages\":2,\"lastUsed\":\"2026-12-01T08:00:00Z\"}]}")));
        load();
        page.locator("#history-toggle").click();
        Locator item = page.locator("#history-list .history-item");
        assertEquals("<b>An old one</b>", item.locator(".history-title").textContent(), "a first message is text");
        assertEquals("2 messages", item.locator(".history-details").textContent().split(" · ")[0]);
        item.click();
        Locator problem = page.locator("#conversation .problem");
        problem.waitFor();
        assertEquals("alert", problem.getAttribute("role"));
        assertTrue(problem.locator(".problem-title").textContent().endsWith("(404)"),
                problem.locator(".problem-title").textContent());
        assertTrue(problem.locator(".problem-detail").textContent().contains("expired-0001"),
                problem.locator(".problem-detail").textContent());

        JsonNode body = askAndCaptureBody("Start afresh");
        assertTrue(body.path("conversationId").isMissingNode(), "a fresh conversation: " + body);
        waitForReplyDone();
        assertEquals(0, page.locator("#conversation .problem").count(), "the failure went with the new turn");
        assertEquals(List.of(), browserErrors.stream().filter(error -> !error.contains("status of 404")).toList(),
                "errors in the browser console besides the 404");
    }
}
