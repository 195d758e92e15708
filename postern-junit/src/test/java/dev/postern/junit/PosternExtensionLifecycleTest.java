package dev.postern.junit;

import dev.postern.SmtpServer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The extension's lifecycles, run through JUnit's own engine (the sample classes are nested here so that
 * the build does not run them on their own): a static field gives one server per class (its
 * {@code @Nested} classes included), an instance field one per test, a shared one lives for the run.
 */
class PosternExtensionLifecycleTest {

    private static Events run(Class<?>... classes) {
        var request = EngineTestKit.engine("junit-jupiter");
        for (Class<?> c : classes) {
            request.selectors(selectClass(c));
        }
        Events tests = request.execute().testEvents();
        tests.assertStatistics(s -> s.failed(0).aborted(0));
        return tests;
    }

    static class PerClass {
        static final List<SmtpServer> servers = new CopyOnWriteArrayList<>();

        @RegisterExtension
        static final PosternExtension smtp = PosternExtension.create();

        @Test
        void first() throws Exception {
            servers.add(smtp.server());
            Mail.send(smtp, "a@example.org", "left behind", "x", "b@example.org");
            smtp.awaitMessages(1, Duration.ofSeconds(10));
        }

        @Test
        void second() {
            servers.add(smtp.server());
        }

        @Nested
        class Inner {
            @Test
            void third() {
                servers.add(smtp.server());
                assertThat(smtp.receivedMessages()).as("cleared before each test").isEmpty();
            }
        }
    }

    @Test
    void aStaticFieldGivesOneServerToTheClassAndItsNestedClassesStoppedAfterThem() {
        PerClass.servers.clear();
        run(PerClass.class).assertStatistics(s -> s.succeeded(3));
        assertThat(PerClass.servers).hasSize(3).allSatisfy(s -> assertThat(s).isSameAs(PerClass.servers.getFirst()));
        assertThat(PerClass.servers.getFirst().boundAddresses()).as("stopped after the class").isEmpty();
    }

    static class PerTest {
        static final List<SmtpServer> servers = new CopyOnWriteArrayList<>();

        @RegisterExtension
        final PosternExtension smtp = PosternExtension.create();

        @Test
        void one() {
            servers.add(smtp.server());
            assertThat(smtp.server().boundAddresses()).isNotEmpty();
        }

        @Test
        void two() {
            servers.add(smtp.server());
        }
    }

    @Test
    void anInstanceFieldGivesEachTestItsOwnServerStoppedAfterIt() {
        PerTest.servers.clear();
        run(PerTest.class).assertStatistics(s -> s.succeeded(2));
        assertThat(PerTest.servers).hasSize(2).doesNotHaveDuplicates();
        assertThat(PerTest.servers).allSatisfy(s -> assertThat(s.boundAddresses()).isEmpty());
    }

    static class SharedA {
        static final List<SmtpServer> servers = new CopyOnWriteArrayList<>();

        @RegisterExtension
        static final PosternExtension smtp = PosternExtension.builder().shareAcrossTestClasses("lifecycle").build();

        @Test
        void a() throws Exception {
            servers.add(smtp.server());
            Mail.send(smtp, "a@example.org", "from A", "x", "b@example.org");
            smtp.awaitMessages(1, Duration.ofSeconds(10));
        }
    }

    static class SharedB {
        @RegisterExtension
        static final PosternExtension smtp = PosternExtension.builder().shareAcrossTestClasses("lifecycle").build();

        @Test
        void b() {
            SharedA.servers.add(smtp.server());
            assertThat(smtp.server().boundAddresses()).as("still running after class A").isNotEmpty();
            assertThat(smtp.receivedMessages()).as("A's message cleared before this test").isEmpty();
        }
    }

    @Test
    void aSharedServerServesEveryClassOfTheRunAndStopsAtItsEnd() {
        SharedA.servers.clear();
        run(SharedA.class, SharedB.class).assertStatistics(s -> s.succeeded(2));
        assertThat(SharedA.servers).hasSize(2);
        assertThat(SharedA.servers.get(1)).isSameAs(SharedA.servers.get(0));
        assertThat(SharedA.servers.getFirst().boundAddresses()).as("stopped when the run ended").isEmpty();
    }
}
