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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** An OTLP/HTTP receiver in the test's process: it keeps every export request, decoded from protobuf. */
public final class OtlpReceiver {

    /** One POST as received: path, headers (lower-case names) and the decoded body. */
    public record Export(String path, Map<String, String> headers, ExportTraceServiceRequest request) {
    }

    private final HttpServer server;
    private final List<Export> exports = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failWith = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<byte[]> metrics = Collections.synchronizedList(new ArrayList<>());
    private volatile CountDownLatch hanging = new CountDownLatch(0);

    public OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            int status = failWith.get();
            if (status != 0) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
                return;
            }
            try {
                hanging.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (exchange.getRequestURI().getPath().endsWith("/v1/metrics")) {
                metrics.add(exchange.getRequestBody().readAllBytes());
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
                return;
            }
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

    /** Answers every export with this status (as Phoenix does with 503 when its queue is full). */
    public void failWith(int status) {
        requests.set(0);
        failWith.set(status);
    }

    /** Takes every export and never answers, until {@link #answer()}. */
    public void hang() {
        hanging = new CountDownLatch(1);
    }

    /** Back to taking every export and answering 200. */
    public void answer() {
        failWith.set(0);
        hanging.countDown();
    }

    public void stop() {
        answer();
        server.stop(0);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Export> exports() {
        return List.copyOf(exports);
    }

    /** The bodies of the OTLP metrics exports (POST .../v1/metrics) so far, as sent (protobuf). */
    public List<byte[]> metricsExports() {
        return List.copyOf(metrics);
    }

    /** Every POST since the start or the last {@link #failWith}, answered or not. */
    public int requests() {
        return requests.get();
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
