package dev.ollamachat;

/**
 * A failure that the client should see as an RFC 9457 problem: a status, a stable type slug, a title and a detail.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;

    public ProblemException(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, null);
    }

    public ProblemException(int status, String slug, String title, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "invalid-request", "Invalid request", detail);
    }

    public static ProblemException notFound(String slug, String detail) {
        return new ProblemException(404, slug, "Not found", detail);
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }
}
