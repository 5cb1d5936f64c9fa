package dev.ollamachat.support;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** An OTLP/HTTP receiver in the test's process: it keeps every export request, decoded from protobuf. */
public final class OtlpReceiver {

    /** One POST as received: path, headers (lower-case names) and the decoded body. */
    public record Export(String path, Map<String, String> headers, ExportTraceServiceRequest request) {
    }

    private final HttpServer server;
    private final List<Export> exports = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    public OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            Map<String, String> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            byte[] body = exchange.getRequestBody().readAllBytes();
            try {
                exports.add(new Export(exchange.getRequestURI().getPath(), headers,
                        ExportTraceServiceRequest.parseFrom(body)));
                exchange.sendResponseHeaders(200, -1);
            } catch (IOException | RuntimeException | LinkageError notProtobuf) {
                failures.add(notProtobuf.toString());
                exchange.sendResponseHeaders(415, -1);
            } finally {
                exchange.close();
            }
        });
    }

    public void start() {
        server.start();
    }

    public void stop() {
        server.stop(0);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Export> exports() {
        return List.copyOf(exports);
    }

    /** Requests that could not be decoded as OTLP protobuf. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    public void reset() {
        exports.clear();
        failures.clear();
    }
}
