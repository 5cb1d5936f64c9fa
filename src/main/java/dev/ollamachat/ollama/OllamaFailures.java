package dev.ollamachat.ollama;

import dev.ollamachat.ProblemException;
import jakarta.ws.rs.WebApplicationException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;

/** Turns whatever the Ollama clients throw into a problem that names Ollama, its URL and what to do. */
public final class OllamaFailures {

    private OllamaFailures() {
    }

    public static ProblemException translate(Throwable failure, String host, String model) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProblemException problem) {
                return problem;
            }
            if (t instanceof OllamaStatusException answered) {
                return answeredWithError(answered.status(), answered.body(), host, model, failure);
            }
            if (t instanceof WebApplicationException web && web.getResponse() != null) {
                return answeredWithError(web.getResponse().getStatus(), bodyOf(web), host, model, failure);
            }
            if (isTimeout(t)) {
                return new ProblemException(504, "ollama-timeout", "Ollama timed out",
                        "Ollama at " + host + " did not answer in time", failure);
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException || t instanceof ClosedChannelException
                    || String.valueOf(t.getMessage()).contains("Connection refused")) {
                return unreachable(host, failure);
            }
        }
        return new ProblemException(502, "ollama-error", "Ollama call failed",
                "The call to Ollama at " + host + " failed: " + describe(failure), failure);
    }

    /** Ollama's error body, when the client kept it; the exception's own message names Java classes. */
    private static String bodyOf(WebApplicationException web) {
        try {
            return web.getResponse().readEntity(String.class);
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /** The innermost message, never a Java class name: the detail is shown to the user. */
    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? "the connection failed" : message;
    }

    private static ProblemException unreachable(String host, Throwable cause) {
        return new ProblemException(503, "ollama-unreachable", "Ollama is not reachable",
                "Ollama is not reachable at " + host + ". Is it running (ollama serve)?", cause);
    }

    private static ProblemException answeredWithError(int status, String body, String host, String model,
            Throwable cause) {
        if (status == 404) {
            return new ProblemException(502, "ollama-model-not-found", "Model not found in Ollama",
                    "Ollama at " + host + " does not have the model '" + model + "'. Run: ollama pull " + model,
                    cause);
        }
        if (status == 408 || status == 504) {
            return new ProblemException(504, "ollama-timeout", "Ollama timed out",
                    "Ollama at " + host + " answered HTTP " + status, cause);
        }
        return new ProblemException(502, "ollama-error", "Ollama answered with an error",
                "Ollama at " + host + " answered HTTP " + status + ": " + errorText(body), cause);
    }

    /** Ollama's error bodies are {"error":"..."}; show the text, not the JSON. */
    private static String errorText(String body) {
        if (body == null) {
            return "(no detail)";
        }
        int key = body.indexOf("\"error\"");
        if (key >= 0) {
            int start = body.indexOf('"', body.indexOf(':', key) + 1);
            int end = body.lastIndexOf('"');
            if (start >= 0 && end > start) {
                return body.substring(start + 1, end).replace("\\\"", "\"");
            }
        }
        return body;
    }

    private static boolean isTimeout(Throwable t) {
        return t instanceof java.util.concurrent.TimeoutException
                || t instanceof java.net.SocketTimeoutException
                || t instanceof java.net.http.HttpTimeoutException
                || t.getClass().getSimpleName().contains("Timeout");
    }
}
