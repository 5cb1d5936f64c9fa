package dev.ollamachat.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link FaultContractTest} again, against the packaged application. */
@QuarkusIntegrationTest
class FaultContractIT extends FaultContractTest {
}
