package dev.ollamachat.api;

import dev.ollamachat.phoenix.Feedback;
import dev.ollamachat.phoenix.TraceFeedback;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

@Path("/api/feedback")
public class FeedbackResource {

    private final TraceFeedback feedback;
    private final SecurityIdentity identity;

    FeedbackResource(TraceFeedback feedback, SecurityIdentity identity) {
        this.feedback = feedback;
        this.identity = identity;
    }

    /**
     * A user's verdict on an answer, written to Phoenix as a HUMAN annotation on the answer's trace; a second verdict
     * of the same user on the same answer replaces the first. Nothing is kept here when Phoenix cannot take it.
     */
    @APIResponse(responseCode = "201", description = "Phoenix stored it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = FeedbackSaved.class)))
    @APIResponse(responseCode = "400", ref = "Problem400")
    @APIResponse(responseCode = "401", ref = "Problem401")
    @APIResponse(responseCode = "404", ref = "Problem404")
    @APIResponse(responseCode = "413", ref = "Problem413")
    @APIResponse(responseCode = "415", ref = "Problem415")
    @APIResponse(responseCode = "429", ref = "Problem429")
    @APIResponse(responseCode = "502", ref = "Problem502")
    @APIResponse(responseCode = "503", ref = "Problem503")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<FeedbackSaved>> give(FeedbackRequest body) {
        String keyName = identity.isAnonymous() ? null : identity.getPrincipal().getName();
        Feedback given = FeedbackRequest.validated(body, keyName);
        return feedback.give(given, keyName).map(saved -> RestResponse.status(RestResponse.Status.CREATED,
                new FeedbackSaved(given.traceId(), saved.project(), TraceFeedback.ANNOTATION_NAME,
                        saved.annotationId(), given.score(), given.labelOrDefault())));
    }

    /** What Phoenix stored: the annotation's name and id, on which trace of which project, with what verdict. */
    public record FeedbackSaved(String traceId, String project, String annotation,
            @Schema(nullable = true) String annotationId, int score, String label) {
    }
}
