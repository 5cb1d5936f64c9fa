package dev.ollamachat.phoenix;

import dev.ollamachat.ProblemException;
import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.telemetry.TraceLinks;
import dev.ollamachat.telemetry.TraceProjects;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Writes a user's feedback on an answer into Phoenix, as a HUMAN annotation on the answer's trace. The trace must be
 * one of this service's chats in one of its projects (PHOENIX_PROJECT_NAME, PHOENIX_PROJECTS) and, with API keys on,
 * asked with the caller's key; any other trace id is a 404, whether it exists elsewhere or not. A trace so new that
 * Phoenix has not stored it yet is waited for: the spans still queued here are exported at once, and Phoenix is asked
 * again for a few seconds.
 *
 * <p>Each user keeps one annotation per trace ({@value #ANNOTATION_NAME}, identified by the user): a second verdict
 * replaces the first. Nothing is kept here: when Phoenix cannot take the feedback, the caller gets a 503 saying it
 * was not saved, and sends it again.
 */
@ApplicationScoped
public class TraceFeedback {

    private static final Logger LOG = Logger.getLogger(TraceFeedback.class);
    /** The annotation's name in Phoenix. */
    public static final String ANNOTATION_NAME = "user feedback";
    private static final String CHAT_SPAN = "chat";
    private static final String USER_ID = "user.id";
    private static final Duration RETRY_AFTER = Duration.ofMillis(500);
    private static final int LOOKUPS = 8;

    private final PhoenixRestApi phoenix;
    private final TraceLinks traces;
    private final TraceProjects projects;
    private final String base;
    private final String authorization;

    TraceFeedback(@RestClient PhoenixRestApi phoenix, TraceLinks traces, TraceProjects projects, ChatConfig config) {
        this.phoenix = phoenix;
        this.traces = traces;
        this.projects = projects;
        this.base = traces.phoenixBase().orElse(null);
        this.authorization = PhoenixRestApi.authorization(config);
    }

    /** What Phoenix stored: the trace's project and the annotation's id. */
    public record Saved(String project, String annotationId) {
    }

    /** Annotates the feedback's trace; {@code keyName} is the caller's API key name, null when keys are off. */
    public Uni<Saved> give(Feedback feedback, String keyName) {
        if (!traces.enabled() || base == null) {
            return Uni.createFrom().failure(notFound(feedback.traceId(),
                    "telemetry is off (TELEMETRY_ENABLED=false), so no answer has a trace"));
        }
        io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
        return findChat(feedback.traceId())
                // the export completes on the exporter's thread: the lookups go on in the request's context
                .onItem().ifNull().switchTo(() -> Uni.createFrom().completionStage(traces.exportQueued())
                        .emitOn(task -> {
                            if (caller == null) {
                                task.run();
                            } else {
                                caller.runOnContext(ignored -> task.run());
                            }
                        })
                        .chain(() -> findChatUntilStored(feedback.traceId())))
                .chain(found -> {
                    if (found == null) {
                        return Uni.createFrom().failure(notFound(feedback.traceId(), "Phoenix has no chat of this "
                                + "service with that trace id"));
                    }
                    Object askedBy = found.chat().attributes() == null ? null
                            : found.chat().attributes().get(USER_ID);
                    if (keyName != null && !keyName.equals(askedBy)) {
                        return Uni.createFrom().failure(notFound(feedback.traceId(), "Phoenix has no chat of this "
                                + "service with that trace id"));
                    }
                    return phoenix.annotate(base, true, annotationOf(feedback), authorization)
                            .map(ids -> new Saved(found.project(), ids == null || ids.data() == null
                                    || ids.data().isEmpty() ? null : ids.data().get(0).id()));
                })
                .onFailure(failure -> !(failure instanceof ProblemException))
                .transform(failure -> phoenixFailed(failure, feedback.traceId()));
    }

    private record Found(String project, PhoenixRestApi.PhoenixSpan chat) {
    }

    /** The trace's chat span in the first project that has it, or null. */
    private Uni<Found> findChat(String traceId) {
        return Multi.createFrom().iterable(List.copyOf(projects.allowed()))
                .onItem().transformToUniAndConcatenate(project -> phoenix.spans(base, project, traceId, CHAT_SPAN, 1,
                        authorization)
                        .map(page -> page == null || page.data() == null || page.data().isEmpty() ? null
                                : new Found(project, page.data().get(0)))
                        // a project Phoenix has not seen yet has no spans
                        .onFailure(failure -> statusOf(failure) == 404).recoverWithNull())
                .select().first().toUni();
    }

    /** Phoenix stores spans a moment after it takes them: asks again every half second, for about four seconds. */
    private Uni<Found> findChatUntilStored(String traceId) {
        return findChat(traceId)
                .onItem().ifNull().failWith(NotYetStored::new)
                .onFailure(NotYetStored.class).retry().withBackOff(RETRY_AFTER, RETRY_AFTER).withJitter(0)
                .atMost(LOOKUPS)
                .onFailure(NotYetStored.class).recoverWithNull();
    }

    private static final class NotYetStored extends RuntimeException {
        NotYetStored() {
            super(null, null, false, false);
        }
    }

    private static PhoenixRestApi.TraceAnnotations annotationOf(Feedback feedback) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("source", "ollama-chat");
        if (feedback.user() != null) {
            metadata.put("user_id", feedback.user());
        }
        return new PhoenixRestApi.TraceAnnotations(List.of(new PhoenixRestApi.TraceAnnotation(feedback.traceId(),
                ANNOTATION_NAME, "HUMAN", new PhoenixRestApi.Result(feedback.labelOrDefault(), feedback.score(),
                        feedback.comment()), metadata, feedback.user() == null ? "" : feedback.user())));
    }

    private ProblemException phoenixFailed(Throwable failure, String traceId) {
        int status = statusOf(failure);
        if (status == 404) {
            return notFound(traceId, "Phoenix has no trace with that id");
        }
        if (status == 401 || status == 403) {
            return new ProblemException(502, "phoenix-refused", "Phoenix refused the request",
                    "Phoenix at " + base + " refused the request (HTTP " + status + "): check PHOENIX_API_KEY; the "
                            + "feedback was not saved", failure);
        }
        LOG.debugf(failure, "Feedback on trace %s could not be written to Phoenix", traceId);
        String why = status > 0 ? "answered HTTP " + status
                : timedOut(failure) ? "did not answer in time" : "could not be reached";
        return new ProblemException(503, "phoenix-unavailable", "Phoenix unavailable", "Phoenix at " + base + " "
                + why + "; the feedback was not saved: send it again", failure);
    }

    private static ProblemException notFound(String traceId, String why) {
        return ProblemException.notFound("trace-not-found", "No answer of yours has the trace " + traceId + ": "
                + why);
    }

    private static int statusOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof WebApplicationException web && web.getResponse() != null) {
                return web.getResponse().getStatus();
            }
        }
        return -1;
    }

    private static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException || t instanceof java.net.http.HttpTimeoutException
                    || String.valueOf(t.getMessage()).toLowerCase().contains("timeout")
                    || String.valueOf(t.getMessage()).toLowerCase().contains("timed out")) {
                return true;
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return false;
            }
        }
        return false;
    }
}
