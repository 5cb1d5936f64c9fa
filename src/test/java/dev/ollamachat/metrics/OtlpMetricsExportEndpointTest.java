package dev.ollamachat.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OtlpMetricsExportEndpointTest {

    @Test
    void anEndpointOnPhoenixsHostAndPortIsPhoenix() {
        assertTrue(OtlpMetricsExport.sameServer("http://localhost:6006/v1/metrics", "http://localhost:6006/v1/traces"));
        assertTrue(OtlpMetricsExport.sameServer("http://PHOENIX:80/v1/metrics", "http://phoenix/v1/traces"));
        assertFalse(OtlpMetricsExport.sameServer("http://localhost:4318/v1/metrics", "http://localhost:6006"));
        assertFalse(OtlpMetricsExport.sameServer("http://collector:6006/v1/metrics", "http://phoenix:6006"));
    }
}
