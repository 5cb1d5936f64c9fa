package dev.ollamachat.support;

/** A loopback address that nothing listens on (port 1, tcpmux, is never served here), for dependencies that are down. */
public final class ClosedPort {

    public static final String URL = "http://127.0.0.1:1";

    private ClosedPort() {
    }
}
