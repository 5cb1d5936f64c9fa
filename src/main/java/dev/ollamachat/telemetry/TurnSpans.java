package dev.ollamachat.telemetry;

import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.ChatEvent;
import dev.ollamachat.chat.ChatTurns;
import dev.ollamachat.chat.TurnRequest;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;

/**
 * The {@code chat} span (CHAIN) of every turn, on every endpoint, as a decorator around the chat engine. The span is
 * current in the request's Vert.x context while the turn runs, so the LLM and tool spans of the turn hang under it.
 * A turn cancelled by its client is cancelled inside first, so that its LLM span ends before the chat span.
 */
@Decorator
@Priority(10)
class TurnSpans implements ChatTurns {

    @Inject
    @Delegate
    ChatTurns engine;

    @Inject
    ChatTelemetry telemetry;

    @Inject
    TraceProjects projects;

    @Override
    public Multi<ChatEvent> turn(TurnRequest request) {
        if (!telemetry.enabled()) {
            return engine.turn(request);
        }
        return Multi.createFrom().emitter(emitter -> {
            TracedTurn traced = new TracedTurn(Context.current(), request);
            Cancellable turn = engine.turn(request).subscribe().with(
                    event -> {
                        if (event instanceof ChatEvent.Completed completed) {
                            traced.output(completed.reply().reply());
                        }
                        traced.emitted();
                        emitter.emit(event);
                    },
                    failure -> {
                        traced.end(failure, false);
                        emitter.fail(failure);
                    },
                    () -> {
                        traced.end(null, false);
                        emitter.complete();
                    });
            emitter.onTermination(() -> {
                turn.cancel();
                traced.end(null, true);
            });
        });
    }

    /** One turn's span, its scope in the request's context, and the trace's root span. */
    private final class TracedTurn {
        private final Span span;
        private final Span root;
        private final Scope scope;
        private final boolean streamed;
        private volatile boolean emitted;
        private boolean ended;

        TracedTurn(Context parent, TurnRequest request) {
            streamed = request.streamed();
            root = Span.fromContext(parent);
            span = telemetry.tracer().spanBuilder(SpanNames.CHAT).setParent(parent).setSpanKind(SpanKind.INTERNAL)
                    .startSpan();
            // every span of the trace goes to the project asked for, from the root down
            projects.route(span.getSpanContext().getTraceId(), request.labels().project());
            telemetry.describeTurn(span, request.conversationId(), request.message());
            // Phoenix's Sessions view reads a turn's input and output from the trace's root: the HTTP server span
            telemetry.describeTurn(root, request.conversationId(), request.message());
            for (Span labelled : new Span[] {span, root}) {
                TurnRequest.Labels labels = request.labels();
                if (labels.user() != null) {
                    labelled.setAttribute(SpanNames.USER_ID, labels.user());
                }
                if (labels.metadataJson() != null) {
                    labelled.setAttribute(SpanNames.METADATA, labels.metadataJson());
                }
                if (labels.tags() != null) {
                    labelled.setAttribute(SpanNames.TAGS, labels.tags());
                }
            }
            Context turn = parent.with(span)
                    .with(ChatTelemetry.CONVERSATION_ID, request.conversationId())
                    .with(ChatTelemetry.STREAMED, request.streamed());
            // only a Vert.x context keeps the scope for the whole turn, whichever thread ends it
            scope = Vertx.currentContext() == null ? Scope.noop() : turn.makeCurrent();
        }

        /** An event went to the client: for a stream, its 200 is committed from here on. */
        void emitted() {
            emitted = true;
        }

        void output(String reply) {
            telemetry.describeTurnOutput(span, reply);
            telemetry.describeTurnOutput(root, reply);
        }

        synchronized void end(Throwable failure, boolean cancelled) {
            if (ended) {
                return;
            }
            ended = true;
            if (failure != null) {
                telemetry.failed(span, failure);
                boolean serverFault = !(failure instanceof ProblemException problem) || problem.status() >= 500;
                if ((streamed && emitted) || serverFault) {
                    // a stream that answered 200 before it failed: the HTTP status cannot tell, so the root says it;
                    // a 5xx: the root says why, not only that it failed
                    telemetry.failed(root, failure);
                }
            } else if (cancelled) {
                telemetry.cancelled(span);
                telemetry.cancelled(root);
            } else {
                // completed: OK, as Phoenix shows it (Unset reads as "no verdict"); the request's root too
                telemetry.succeeded(span);
                telemetry.succeeded(root);
            }
            scope.close();
            span.end();
        }
    }
}
