package dev.ollamachat.page;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The page test again, against the packaged jar. */
@QuarkusIntegrationTest
class ChatPageIT extends ChatPageTest {
}
