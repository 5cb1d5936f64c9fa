package dev.ollamachat.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A fake Ollama that streams {@code /api/chat} answers line by line, as scripted by the test: NDJSON lines, pauses,
 * and gates that hold the stream until the test opens them. It notices when the client closes the connection.
 */
public final class ScriptedOllama {

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Script> scripts = new ConcurrentLinkedQueue<>();
    private final List<String> chatBodies = Collections.synchronizedList(new ArrayList<>());
    private final List<Map<String, String>> chatHeaders = Collections.synchronizedList(new ArrayList<>());
    private volatile CountDownLatch connectionClosed = new CountDownLatch(1);
    private volatile long connectionClosedAtNanos;

    public ScriptedOllama() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/chat", this::chat);
        server.createContext("/api/tags", exchange -> respond(exchange, 200,
                "{\"models\":[{\"name\":\"" + FakeOllama.MODEL + "\",\"model\":\"" + FakeOllama.MODEL + "\"}]}"));
        server.createContext("/api/version", exchange -> respond(exchange, 200, "{\"version\":\"0.12.10\"}"));
    }

    public void start() {
        server.start();
    }

    public void stop() {
        server.stop(0);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Forgets scripts, requests and closed connections. */
    public void reset() {
        scripts.clear();
        chatBodies.clear();
        chatHeaders.clear();
        connectionClosed = new CountDownLatch(1);
    }

    /** The next {@code /api/chat} request gets this answer. */
    public Script nextChat() {
        Script script = new Script();
        scripts.add(script);
        return script;
    }

    /** Request headers of each chat request, names in lower case. */
    public List<Map<String, String>> chatHeaders() {
        return List.copyOf(chatHeaders);
    }

    public List<String> chatBodies() {
        return List.copyOf(chatBodies);
    }

    /** Waits until a write to a streaming client failed because the client had closed the connection. */
    public boolean awaitConnectionClosed(long timeout, TimeUnit unit) throws InterruptedException {
        return connectionClosed.await(timeout, unit);
    }

    public long connectionClosedAtNanos() {
        return connectionClosedAtNanos;
    }

    private void chat(HttpExchange exchange) throws IOException {
        chatBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
        chatHeaders.add(headers);
        Script script = scripts.poll();
        if (script == null) {
            respond(exchange, 500, "{\"error\":\"the test scripted no answer for this request\"}");
            return;
        }
        if (script.status != 200 || script.errorBody != null) {
            respond(exchange, script.status, script.errorBody);
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", FakeOllama.NDJSON);
        exchange.sendResponseHeaders(200, 0);
        OutputStream body = exchange.getResponseBody();
        try {
            for (Step step : script.steps) {
                step.run(body);
            }
            body.close();
            exchange.close();
        } catch (IOException closedByClient) {
            connectionClosedAtNanos = System.nanoTime();
            connectionClosed.countDown();
            exchange.close();
        }
        // a Script.abort() leaves by its exception: the server then drops the connection mid-body
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private interface Step {
        void run(OutputStream body) throws IOException;
    }

    /** One scripted answer. */
    public static final class Script {
        private final List<Step> steps = new ArrayList<>();
        private int status = 200;
        private String errorBody;
        private volatile int linesWritten;

        /** Writes and flushes one NDJSON line. */
        public Script line(String json) {
            steps.add(body -> {
                body.write((json + "\n").getBytes(StandardCharsets.UTF_8));
                body.flush();
                linesWritten++;
            });
            return this;
        }

        /** "Once" and 200 " upon"s, 25 ms apart (5 s in all), then done: an answer long enough to walk away from. */
        public Script longStory() {
            line(token("Once"));
            for (int i = 0; i < 200; i++) {
                pause(25).line(token(" upon"));
            }
            return line(done(5, 201));
        }

        /** Writes every line of a fixture, one flush each. */
        public Script fixture(String name) {
            for (String json : FakeOllama.read(name).split("\n")) {
                if (!json.isBlank()) {
                    line(json);
                }
            }
            return this;
        }

        /** Runs {@code action} at this point of the answer (on the fake's thread). */
        public Script run(Runnable action) {
            steps.add(body -> action.run());
            return this;
        }

        /** Drops the connection here, mid-body, as a crashed or reset Ollama would. */
        public Script abort() {
            steps.add(body -> {
                throw new IllegalStateException("the test aborts this answer here");
            });
            return this;
        }

        public Script pause(long millis) {
            steps.add(body -> sleep(millis));
            return this;
        }

        /** Holds the stream until the gate opens (or the wait runs out), then goes on. */
        public Script awaitGate(Gate gate) {
            steps.add(body -> gate.passThrough());
            return this;
        }

        /** Answers a whole reply in one NDJSON line (content, tool calls and done together). */
        public Script answer(String json) {
            return line(json);
        }

        /** Answers an HTTP error instead of a stream. */
        public Script fail(int status, String fixture) {
            this.status = status;
            this.errorBody = FakeOllama.read(fixture);
            return this;
        }

        public int linesWritten() {
            return linesWritten;
        }
    }

    /** A gate the fake waits at; the test opens it. Remembers whether it was opened or the wait ran out. */
    public static final class Gate {
        private final CountDownLatch opened = new CountDownLatch(1);
        private volatile boolean passedBecauseOpened;

        public void open() {
            opened.countDown();
        }

        public boolean passedBecauseOpened() {
            return passedBecauseOpened;
        }

        void passThrough() {
            try {
                passedBecauseOpened = opened.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static String token(String text) {
        return "{\"model\":\"" + FakeOllama.MODEL + "\",\"created_at\":\"2025-11-20T10:15:02.930118Z\",\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"done\":false}";
    }

    public static String done(int promptTokens, int evalTokens) {
        return "{\"model\":\"" + FakeOllama.MODEL + "\",\"created_at\":\"2025-11-20T10:15:03.127554Z\",\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\","
                + "\"total_duration\":298410055,\"prompt_eval_count\":" + promptTokens + ",\"eval_count\":"
                + evalTokens + "}";
    }
}
