package dev.ollamachat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.ChatService;
import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.telemetry.TraceLinks;
import dev.ollamachat.telemetry.TraceProjects;
import java.util.Set;
import io.opentelemetry.api.trace.Span;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * {@code POST /api/chat/stream} and {@code GET /api/chat/stream}: a chat turn as Server-Sent Events (token,
 * tool_call, tool_result, then done or error). The response is committed only when the first event is ready, so a
 * failure before it (bad input, Ollama down, model missing) still answers with its problem+json status. Each event
 * is written and flushed as it comes; a keep-alive comment follows every quiet interval; a client that goes away
 * cancels the turn and the Ollama request behind it.
 */
@ApplicationScoped
public class ChatStreamRoutes {

    static final String PATH = "/api/chat/stream";
    private static final Logger LOG = Logger.getLogger(ChatStreamRoutes.class);

    private final ChatService chat;
    private final TraceLinks traces;
    private final ObjectMapper json;
    private final int maxMessageLength;
    /** The Phoenix projects a request may name. */
    private final Set<String> projects;
    private final long keepAliveMillis;

    ChatStreamRoutes(ChatService chat, TraceLinks traces, TraceProjects projects, ObjectMapper json,
            ChatConfig config) {
        this.projects = projects.allowed();
        this.chat = chat;
        this.traces = traces;
        this.json = json;
        this.maxMessageLength = config.maxMessageLength();
        this.keepAliveMillis = Math.max(1, config.streamKeepAlive().toMillis());
    }

    void register(@Observes Router router) {
        // over the limit, the body handler fails the request with 413, which ProtocolLimits answers as a problem
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(ProtocolLimits.bodyLimit(maxMessageLength)))
                .handler(this::post);
        router.get(PATH).handler(this::get);
    }

    private void post(RoutingContext context) {
        String contentType = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
            problem(context.response(), new ProblemException(415, "http-415", "Unsupported Media Type",
                    "The body must be application/json"));
            return;
        }
        ChatRequest request;
        try {
            String body = context.body().asString();
            request = body == null || body.isBlank() ? null : json.readValue(body, ChatRequest.class);
        } catch (JsonProcessingException e) {
            problem(context.response(), JsonErrors.problem(e));
            return;
        }
        stream(context, request);
    }

    private void get(RoutingContext context) {
        stream(context, ChatRequest.of(context.queryParams().get("message"),
                context.queryParams().get("conversationId")));
    }

    private void stream(RoutingContext context, ChatRequest body) {
        HttpServerResponse response = context.response();
        ChatRequest request;
        try {
            request = ChatRequest.validated(body, maxMessageLength, projects);
        } catch (ProblemException e) {
            problem(response, e);
            return;
        }
        TraceparentHeader.value(Span.current()).ifPresent(v -> response.putHeader(TraceparentHeader.NAME, v));
        new EventWriter(context, response).start(request);
    }

    /** The name of the API key the request presented, or null when authentication is off. */
    private static String userOf(RoutingContext context) {
        if (context.user() instanceof QuarkusHttpUser user && !user.getSecurityIdentity().isAnonymous()) {
            return user.getSecurityIdentity().getPrincipal().getName();
        }
        return null;
    }

    private void problem(HttpServerResponse response, ProblemException e) {
        if (e.status() >= 500) {
            LOG.warnf("%s: %s", e.title(), e.detail());
        }
        Problem.send(response, e);
    }

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.UTF_8);

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes one stream's events to one response. */
    private final class EventWriter {
        private final RoutingContext context;
        private final HttpServerResponse response;
        private boolean started;
        private boolean finished;
        private long keepAliveTimer = -1;
        private final TraceLinks.TraceIds trace = traces.current();
        private Cancellable subscription;
        /** Signals waiting on the event loop; while any waits, the next one queues behind it. */
        private final AtomicInteger queued = new AtomicInteger();

        EventWriter(RoutingContext context, HttpServerResponse response) {
            this.context = context;
            this.response = response;
        }

        void start(ChatRequest request) {
            response.closeHandler(ignored -> cancel());
            ContextInternal eventLoop = (ContextInternal) context.vertx().getOrCreateContext();
            subscription = chat.stream(request.ask(userOf(context))).subscribe().with(
                    event -> onEventLoop(eventLoop, () -> event(SseEvent.of(event, trace))),
                    failure -> onEventLoop(eventLoop, () -> failure(failure)),
                    () -> onEventLoop(eventLoop, this::complete));
        }

        /**
         * Runs a signal on the request's event loop, in order (emitOn would drop events queued before a failure): at
         * once when it arrives on that thread with none queued before it (a token read from Ollama on the same loop),
         * else queued behind the others.
         */
        private void onEventLoop(ContextInternal eventLoop, Runnable signal) {
            if (queued.get() == 0 && eventLoop.nettyEventLoop().inEventLoop()) {
                signal.run();
                return;
            }
            queued.incrementAndGet();
            eventLoop.runOnContext(ignored -> {
                queued.decrementAndGet();
                signal.run();
            });
        }

        private void event(SseEvent event) {
            if (finished) {
                return;
            }
            if (!started) {
                started = true;
                response.setStatusCode(200)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                        .putHeader("X-Accel-Buffering", "no")
                        .setChunked(true);
            }
            response.write(Buffer.buffer(EVENT).appendString(event.eventName()).appendBytes(DATA)
                    .appendBytes(write(event)).appendBytes(END));
            restartKeepAlive();
        }

        private void failure(Throwable failure) {
            if (finished) {
                return;
            }
            ProblemException problem = failure instanceof ProblemException p ? p : unexpected(failure);
            if (!started) {
                finish();
                problem(response, problem);
                return;
            }
            LOG.warnf("Stream failed after it started: %s: %s", problem.title(), problem.detail());
            event(SseEvent.of(problem));
            complete();
        }

        private void complete() {
            if (finished) {
                return;
            }
            finish();
            if (!started) {
                response.setStatusCode(204).end();
            } else {
                response.end();
            }
        }

        private void restartKeepAlive() {
            context.vertx().cancelTimer(keepAliveTimer);
            keepAliveTimer = context.vertx().setTimer(keepAliveMillis, id -> {
                if (!finished) {
                    response.write(": keep-alive\n\n");
                    restartKeepAlive();
                }
            });
        }

        /** The client went away: stop the turn, which cancels the Ollama request in flight. */
        private void cancel() {
            if (!finished) {
                finish();
                subscription.cancel();
            }
        }

        private void finish() {
            finished = true;
            context.vertx().cancelTimer(keepAliveTimer);
        }

        private ProblemException unexpected(Throwable failure) {
            LOG.error("Stream failed unexpectedly", failure);
            return new ProblemException(500, "internal-error", "Internal error",
                    "The stream failed unexpectedly; the service log has the details");
        }
    }
}
