package dev.ollamachat.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately small HTTP/1.1 client over a raw socket, so that tests see each Server-Sent Event the moment it
 * arrives and can close the connection exactly when they choose.
 */
public final class SseClient implements AutoCloseable {

    /** One event, or a comment line (then {@code name} is null and {@code data} holds the comment). */
    public record Event(String name, String data) {
        public boolean isComment() {
            return name == null;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final boolean chunked;
    private final StringBuilder pending = new StringBuilder();
    private int chunkLeft;
    private boolean ended;

    private SseClient(int port, String request) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(15_000);
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        in = socket.getInputStream();
        String statusLine = readLine();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
    }

    public static SseClient post(int port, String path, String json) throws IOException {
        return post(port, path, json, java.util.Map.of());
    }

    /** A POST with extra request headers (for example Authorization). */
    public static SseClient post(int port, String path, String json, java.util.Map<String, String> extraHeaders)
            throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder extra = new StringBuilder();
        extraHeaders.forEach((name, value) -> extra.append(name).append(": ").append(value).append("\r\n"));
        return new SseClient(port, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                + extra + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n" + json);
    }

    public static SseClient get(int port, String pathAndQuery) throws IOException {
        return new SseClient(port, "GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Accept: text/event-stream\r\n\r\n");
    }

    public int status() {
        return status;
    }

    /** How long one read may wait for the server (15 s unless set), for a slow real model. */
    public SseClient readTimeout(java.time.Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The next event or comment, or null when the stream has ended. Blocks until it arrives. */
    public Event next() throws IOException {
        while (true) {
            int end = pending.indexOf("\n\n");
            if (end >= 0) {
                String block = pending.substring(0, end);
                pending.delete(0, end + 2);
                Event event = parse(block);
                if (event != null) {
                    return event;
                }
                continue;
            }
            String more = readBodyPiece();
            if (more == null) {
                return null;
            }
            pending.append(more);
        }
    }

    /** Every remaining event, until the server ends the stream. */
    public List<Event> rest() throws IOException {
        List<Event> events = new ArrayList<>();
        for (Event event = next(); event != null; event = next()) {
            events.add(event);
        }
        return events;
    }

    /** The whole body, for answers that are not streams. */
    public String body() throws IOException {
        StringBuilder body = new StringBuilder(pending);
        for (String piece = readBodyPiece(); piece != null; piece = readBodyPiece()) {
            body.append(piece);
        }
        return body.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static Event parse(String block) {
        String name = null;
        StringBuilder data = new StringBuilder();
        String comment = null;
        for (String line : block.split("\n")) {
            if (line.startsWith(":")) {
                comment = line.substring(1).trim();
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).trim());
            }
        }
        if (name != null) {
            return new Event(name, data.toString());
        }
        return comment == null ? null : new Event(null, comment);
    }

    private String readBodyPiece() throws IOException {
        if (ended) {
            return null;
        }
        if (!chunked) {
            String length = headers.get("content-length");
            byte[] bytes = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
            ended = true;
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (chunkLeft == 0) {
            String sizeLine = readLine();
            if (sizeLine.isEmpty()) {
                sizeLine = readLine();
            }
            chunkLeft = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (chunkLeft == 0) {
                ended = true;
                return null;
            }
        }
        byte[] bytes = in.readNBytes(chunkLeft);
        chunkLeft -= bytes.length;
        if (bytes.length == 0) {
            ended = true;
            return null;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
