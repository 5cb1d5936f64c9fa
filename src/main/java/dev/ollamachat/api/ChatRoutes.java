package dev.ollamachat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.ChatReply;
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
import java.util.Locale;
import java.util.Optional;
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
 * The chat endpoints, Vert.x routes over the one {@link ChatService}:
 * <ul>
 * <li>{@code POST /api/chat}: one turn, answered with its {@link ChatReply} when it ends. A client that goes away
 * cancels the turn, and the Ollama request behind it.
 * <li>{@code POST /api/chat/stream} and {@code GET /api/chat/stream}: one turn as Server-Sent Events (token,
 * tool_call, tool_result, then done or error). The response is committed only when the first event is ready, so a
 * failure before it (bad input, Ollama down, model missing) still answers with its problem+json status. Each event is
 * written and flushed as it comes; a keep-alive comment follows every quiet interval; a client that goes away cancels
 * the turn and the Ollama request behind it.
 * </ul>
 * Both read and check the body the same way, answer every failure as problem+json, and run the turn's signals on the
 * request's event loop. They are routes rather than a JAX-RS resource because a turn needs none of Quarkus REST's
 * per-request machinery, which showed in the CPU profile of a blocking chat (README, Benchmarks).
 */
@ApplicationScoped
public class ChatRoutes {

    static final String PATH = "/api/chat";
    static final String STREAM_PATH = "/api/chat/stream";
    private static final Logger LOG = Logger.getLogger(ChatRoutes.class);

    private final ChatService chat;
    private final TraceLinks traces;
    private final ObjectMapper json;
    private final int maxMessageLength;
    /** The Phoenix projects a request may name. */
    private final Set<String> projects;
    private final long keepAliveMillis;

    ChatRoutes(ChatService chat, TraceLinks traces, TraceProjects projects, ObjectMapper json, ChatConfig config) {
        this.projects = projects.allowed();
        this.chat = chat;
        this.traces = traces;
        this.json = json;
        this.maxMessageLength = config.maxMessageLength();
        this.keepAliveMillis = Math.max(1, config.streamKeepAlive().toMillis());
    }

    void register(@Observes Router router) {
        // over the limit, the body handler fails the request with 413, which ProtocolLimits answers as a problem
        BodyHandler body = BodyHandler.create(false).setBodyLimit(ProtocolLimits.bodyLimit(maxMessageLength));
        router.post(PATH).handler(body).handler(this::namesTrace)
                .handler(context -> readBody(context).ifPresent(request -> reply(context, request)));
        router.post(STREAM_PATH).handler(body).handler(this::namesTrace)
                .handler(context -> readBody(context).ifPresent(request -> stream(context, request)));
        router.get(STREAM_PATH).handler(this::namesTrace)
                .handler(context -> checked(context, ChatRequest.of(context.queryParams().get("message"),
                        context.queryParams().get("conversationId"))).ifPresent(request -> stream(context, request)));
    }

    /** Every answer, a problem included, names its trace (as the JAX-RS resources' answers do). */
    private void namesTrace(RoutingContext context) {
        TraceparentHeader.value(Span.current()).ifPresent(v -> context.response().putHeader(TraceparentHeader.NAME, v));
        context.next();
    }

    /** The JSON body, checked; empty when the request was answered with its problem. */
    private Optional<ChatRequest> readBody(RoutingContext context) {
        String contentType = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            problem(context.response(), new ProblemException(415, "http-415", "Unsupported Media Type",
                    contentType == null ? "The body must be application/json (the Content-Type header is missing)"
                            : "The body must be application/json"));
            return Optional.empty();
        }
        ChatRequest body;
        try {
            String text = context.body().asString();
            body = text == null || text.isBlank() ? null : json.readValue(text, ChatRequest.class);
        } catch (JsonProcessingException e) {
            problem(context.response(), JsonErrors.problem(e));
            return Optional.empty();
        }
        return checked(context, body);
    }

    private Optional<ChatRequest> checked(RoutingContext context, ChatRequest body) {
        try {
            return Optional.of(ChatRequest.validated(body, maxMessageLength, projects));
        } catch (ProblemException e) {
            problem(context.response(), e);
            return Optional.empty();
        }
    }

    private void reply(RoutingContext context, ChatRequest request) {
        new ReplyWriter(context).start(request);
    }

    private void stream(RoutingContext context, ChatRequest request) {
        new EventWriter(context).start(request);
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

    private ProblemException unexpected(Throwable failure) {
        LOG.error("A chat turn failed unexpectedly", failure);
        return new ProblemException(500, "internal-error", "Internal error",
                "The turn failed unexpectedly; the service log has the details");
    }

    /**
     * Runs a signal on the request's event loop, in order behind those queued before it: at once when it arrives on
     * that thread with none queued (a reply read from Ollama on the same loop), else queued ({@code emitOn} would drop
     * events queued before a failure).
     */
    private static final class EventLoop {
        private final ContextInternal context;
        /** Signals waiting on the event loop; while any waits, the next one queues behind it. */
        private final AtomicInteger queued = new AtomicInteger();

        EventLoop(RoutingContext routing) {
            this.context = (ContextInternal) routing.vertx().getOrCreateContext();
        }

        void run(Runnable signal) {
            if (queued.get() == 0 && context.nettyEventLoop().inEventLoop()) {
                signal.run();
                return;
            }
            queued.incrementAndGet();
            context.runOnContext(ignored -> {
                queued.decrementAndGet();
                signal.run();
            });
        }
    }

    /** Answers one request with its turn's reply as JSON, or with the turn's problem. */
    private final class ReplyWriter {
        private final RoutingContext context;
        private final EventLoop eventLoop;
        private final TraceLinks.TraceIds trace = traces.current();
        private Cancellable subscription;
        private boolean finished;

        ReplyWriter(RoutingContext context) {
            this.context = context;
            this.eventLoop = new EventLoop(context);
        }

        void start(ChatRequest request) {
            context.response().closeHandler(ignored -> cancel());
            subscription = chat.reply(request.ask(userOf(context))).subscribe().with(
                    reply -> eventLoop.run(() -> send(reply)),
                    failure -> eventLoop.run(() -> fail(failure)));
        }

        private void send(ChatReply reply) {
            if (!finished) {
                finished = true;
                context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(Buffer.buffer(write(reply.withTrace(trace.traceId(), trace.traceUrl()))));
            }
        }

        private void fail(Throwable failure) {
            if (!finished) {
                finished = true;
                problem(context.response(), failure instanceof ProblemException p ? p : unexpected(failure));
            }
        }

        /** The client went away: stop the turn, which cancels the Ollama request in flight. */
        private void cancel() {
            if (!finished) {
                finished = true;
                subscription.cancel();
            }
        }
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
        private final EventLoop eventLoop;
        private Cancellable subscription;

        EventWriter(RoutingContext context) {
            this.context = context;
            this.response = context.response();
            this.eventLoop = new EventLoop(context);
        }

        void start(ChatRequest request) {
            response.closeHandler(ignored -> cancel());
            subscription = chat.stream(request.ask(userOf(context))).subscribe().with(
                    event -> eventLoop.run(() -> event(SseEvent.of(event, trace))),
                    failure -> eventLoop.run(() -> failure(failure)),
                    () -> eventLoop.run(this::complete));
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
    }
}
