package dev.ollamachat.ollama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.ollamachat.config.ChatConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.ContextInternal;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ollama's streaming {@code POST /api/chat} on Vert.x's HTTP client: one pool of keep-alive connections per Ollama
 * (OLLAMA_MAX_CONNECTIONS each), the request written straight from {@link OllamaWire}, each NDJSON line of the answer
 * handed on as bytes ({@link OllamaChatModel} parses them, so that a malformed line fails the call instead of being
 * skipped). An answer that ends goes back to the pool for the next call; cancelling the {@link Multi} before it ends
 * closes that call's connection, and only that one.
 *
 * <p>The HTTP client span of each call comes from the Vert.x tracing of the Quarkus OpenTelemetry extension, as for
 * every client of the managed Vert.x.
 */
@ApplicationScoped
class OllamaChatClient {

    static final String CHAT_PATH = "/api/chat";
    /** How long a connection to Ollama may take to open before the call counts Ollama as unreachable. */
    static final int CONNECT_TIMEOUT_MS = 3000;
    /** An idle pooled connection is closed after this long (seconds). */
    private static final int IDLE_SECONDS = 60;
    private static final byte NEWLINE = '\n';

    private final Vertx vertx;
    private final HttpClient client;
    private final ObjectWriter requestWriter;

    OllamaChatClient(Vertx vertx, ChatConfig config, ObjectMapper json) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(IDLE_SECONDS)
                .setMaxPoolSize(config.ollama().maxConnections())
                .setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setTcpNoDelay(true));
        this.requestWriter = json.writerFor(OllamaWire.ChatRequest.class);
    }

    /**
     * The call to the Ollama at {@code ollama} (a base URL): its answer's lines, as Ollama sends them. Silence longer
     * than {@code silence} (before the answer, or between two pieces of it) fails the call with a
     * {@link TimeoutException} and closes its connection.
     */
    Multi<byte[]> chat(String ollama, OllamaWire.ChatRequest request, Duration silence) {
        return Multi.createFrom().emitter(emitter -> {
            Buffer body;
            try {
                body = Buffer.buffer(requestWriter.writeValueAsBytes(request));
            } catch (JsonProcessingException e) {
                emitter.fail(e);
                return;
            }
            Call call = new Call(emitter, callContext(), silence.toNanos());
            call.start(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(ollama + CHAT_PATH)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.ACCEPT, "application/x-ndjson"), body);
        }, BackPressureStrategy.BUFFER);
    }

    /**
     * The context the call runs on, for this call alone, on the caller's event loop: it holds the caller's trace
     * context as it is now (the model call's span) and nothing else. The HTTP client span takes its parent, and its
     * name, from the context it is written on, which can be after a pooled connection was found or a new one opened;
     * by then the caller's own context may hold another span (the request's handling closes scopes of its own), and
     * it holds what named the request's other calls (a route, a REST client's path template).
     */
    private Context callContext() {
        ContextInternal call = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
        io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
        // attached while the call's context is the current one, so the trace context is stored there; never
        // detached: the context ends with the call
        call.dispatch(ignored -> trace.makeCurrent());
        return call;
    }

    /**
     * One call. Everything it does with its request runs on one Vert.x context, so that "has the answer ended?" and
     * "reset the request" cannot interleave: resetting a request whose answer has ended would close a connection that
     * is back in the pool, under whichever call uses it next.
     */
    private final class Call {
        private final MultiEmitter<? super byte[]> emitter;
        private final Context context;
        private final long silenceNanos;
        private HttpClientRequest request;
        /** The answer ended (or failed): the connection is no longer this call's. */
        private boolean done;
        private boolean cancelled;
        /** The subscriber has been told how the call ended. */
        private boolean told;
        private Buffer pending = Buffer.buffer();
        /** When Ollama was last heard (or the call began); one timer checks it, rather than one per line. */
        private long heardNanos = System.nanoTime();
        private long silenceTimer = -1;

        Call(MultiEmitter<? super byte[]> emitter, Context context, long silenceNanos) {
            this.emitter = emitter;
            this.context = context;
            this.silenceNanos = silenceNanos;
        }

        void start(RequestOptions options, Buffer body) {
            emitter.onTermination(() -> onContext(this::cancel));
            onContext(() -> watchSilence(silenceNanos));
            onContext(() -> client.request(options).onComplete(opened -> {
                if (opened.failed()) {
                    fail(opened.cause());
                    return;
                }
                request = opened.result();
                if (cancelled) {
                    request.reset();
                    return;
                }
                // failures are answered through the response future or the stream; a reset one is ours
                request.exceptionHandler(ignored -> {
                });
                request.send(body).onComplete(answered -> {
                    if (answered.failed()) {
                        fail(answered.cause());
                    } else {
                        read(answered.result());
                    }
                });
            }));
        }

        private void read(HttpClientResponse response) {
            if (response.statusCode() != 200) {
                response.body().onComplete(body -> fail(new OllamaStatusException(response.statusCode(),
                        body.succeeded() ? body.result().toString() : null)));
                return;
            }
            response.exceptionHandler(this::fail);
            response.handler(this::lines);
            response.endHandler(ignored -> {
                finish();
                if (told) {
                    return;
                }
                told = true;
                if (pending.length() > 0) {
                    emitter.emit(pending.getBytes());
                }
                emitter.complete();
            });
        }

        private void watchSilence(long afterNanos) {
            silenceTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(afterNanos)), ignored -> {
                silenceTimer = -1;
                if (done) {
                    return;
                }
                long quiet = System.nanoTime() - heardNanos;
                if (quiet < silenceNanos) {
                    watchSilence(silenceNanos - quiet);
                    return;
                }
                TimeoutException timeout = new TimeoutException("Ollama sent nothing for "
                        + TimeUnit.NANOSECONDS.toMillis(silenceNanos) + " ms");
                if (request != null) {
                    request.reset(0, timeout);
                }
                fail(timeout);
            });
        }

        /** Hands on each whole line; a partial one waits for the rest. */
        private void lines(Buffer chunk) {
            heardNanos = System.nanoTime();
            Buffer data = pending.length() == 0 ? chunk : pending.appendBuffer(chunk);
            int start = 0;
            int length = data.length();
            for (int i = 0; i < length; i++) {
                if (data.getByte(i) == NEWLINE) {
                    if (i > start) {
                        emitter.emit(data.getBytes(start, i));
                    }
                    start = i + 1;
                }
            }
            pending = start == length ? Buffer.buffer() : data.getBuffer(start, length);
        }

        private void finish() {
            done = true;
            if (silenceTimer >= 0) {
                vertx.cancelTimer(silenceTimer);
                silenceTimer = -1;
            }
        }

        /**
         * The call failed, once: a reset request reports its reset again. Once the subscriber has left, the failure
         * its leaving caused is nobody's business.
         */
        private void fail(Throwable failure) {
            finish();
            if (!told && !cancelled && !emitter.isCancelled()) {
                told = true;
                emitter.fail(failure);
            }
        }

        /** The subscriber left (or the call ended): an answer still coming is cut off, closing its connection. */
        private void cancel() {
            cancelled = true;
            if (!done && request != null) {
                finish();
                request.reset();
            }
        }

        private void onContext(Runnable action) {
            if (Vertx.currentContext() == context) {
                action.run();
            } else {
                context.runOnContext(ignored -> action.run());
            }
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
