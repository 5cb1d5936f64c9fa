package dev.ollamachat.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ChatResourceTest} again, against the packaged application (the jar here; the native binary where one is built). */
@QuarkusIntegrationTest
class ChatResourceIT extends ChatResourceTest {
}
