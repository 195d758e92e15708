package dev.postern.junit;

import dev.postern.Listener;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpServer;
import dev.postern.SmtpServerConfig;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * A JUnit Jupiter extension that runs an embedded Postern SMTP server for tests: register it in a
 * {@code static} field for one server per test class, in an instance field for one server per test.
 * Every message the server accepts is kept, for the test to wait for and inspect.
 *
 * <pre>{@code
 * class SignupMailTest {
 *     @RegisterExtension
 *     static final PosternExtension smtp = PosternExtension.create();
 *
 *     @Test
 *     void sendsAWelcomeMail() {
 *         signup.register("alice@example.org", "localhost", smtp.port());   // the code under test
 *         ReceivedMail mail = smtp.awaitMessages(1, Duration.ofSeconds(5)).getFirst();
 *         assertThat(mail.recipients()).containsExactly("alice@example.org");
 *         assertThat(mail.subject()).isEqualTo("Welcome");
 *     }
 * }
 * }</pre>
 *
 * <p>The server listens on 127.0.0.1, on a port the OS picks ({@link #port()}), named {@code localhost},
 * and accepts every message unless told otherwise ({@link Builder}). It starts on Postern's fast path:
 * NIO on the event loops that every embedded server of the JVM shares, so a server per test costs a
 * bind and a close, not new threads. A server per class clears its messages before each test.
 * {@link Builder#shareAcrossTestClasses()} keeps one server for the whole run instead.
 *
 * <p>Tests of one class that run in parallel share its server and its messages; give them a server
 * each (an instance field) to tell their messages apart.
 */
public final class PosternExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PosternExtension.class);

    private final Builder settings;
    private volatile Running running;
    /** How many test classes (the registering one and its {@code @Nested} ones) are running on this server. */
    private int classes;
    private boolean startedForTest;

    private PosternExtension(Builder settings) {
        this.settings = settings;
    }

    /**
     * An extension with the defaults: 127.0.0.1, a free port, every message accepted.
     *
     * @return the extension, to register with {@code @RegisterExtension}
     */
    public static PosternExtension create() {
        return builder().build();
    }

    /**
     * A builder for a server with its own configuration, hooks, users, TLS or rejections.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---- JUnit callbacks ----

    /**
     * Starts the class's server (or joins the shared one); for a {@code @Nested} class, keeps the
     * enclosing class's server.
     *
     * @param context the class's context
     * @throws IOException if the server cannot listen
     */
    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        synchronized (this) {
            if (classes++ == 0 && running == null) {
                running = acquire(context);
            }
        }
    }

    /**
     * Starts the test's server when the extension is an instance field; otherwise clears the messages
     * the previous test left.
     *
     * @param context the test's context
     * @throws IOException if the server cannot listen
     */
    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        synchronized (this) {
            if (running == null) {
                running = acquire(context);
                startedForTest = true;
            } else {
                running.inbox.clear();
            }
        }
    }

    /**
     * Stops the test's own server (an instance field's); leaves a class's or shared server running.
     *
     * @param context the test's context
     */
    @Override
    public void afterEach(ExtensionContext context) {
        synchronized (this) {
            if (startedForTest) {
                startedForTest = false;
                release();
            }
        }
    }

    /**
     * Stops the class's server once the class (and its {@code @Nested} classes) are done; a shared server
     * goes on to the end of the run.
     *
     * @param context the class's context
     */
    @Override
    public void afterAll(ExtensionContext context) {
        synchronized (this) {
            if (--classes == 0 && !startedForTest) {
                release();
            }
        }
    }

    private Running acquire(ExtensionContext context) throws IOException {
        if (settings.sharedKey == null) {
            return Running.start(settings);
        }
        // The root context's store outlives every class and closes what it holds at the end of the run.
        ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
        try {
            return root.getOrComputeIfAbsent(settings.sharedKey, key -> {
                try {
                    return Running.start(settings);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, Running.class);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void release() {
        Running r = running;
        running = null;
        if (r != null && settings.sharedKey == null) {
            r.close();
        }
    }

    // ---- what a test uses ----

    private Running running() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("the Postern test server is not running: register the extension with "
                    + "@RegisterExtension (a static field for one server per class, an instance field for one per test)");
        }
        return r;
    }

    /**
     * The running server, for what this class does not wrap (metrics, its configuration).
     *
     * @return the server
     * @throws IllegalStateException outside a test or a test class's lifecycle
     */
    public SmtpServer server() {
        return running().server;
    }

    /**
     * The port to connect to.
     *
     * @return the first listener's port
     * @throws IllegalStateException if the server is not running
     */
    public int port() {
        return running().server.port();
    }

    /**
     * The address to connect to, as an IP literal.
     *
     * @return {@code 127.0.0.1} unless the configuration chose another listener
     * @throws IllegalStateException if the server is not running
     */
    public String host() {
        InetSocketAddress address = running().server.boundAddresses().getFirst();
        return address.getAddress().getHostAddress();
    }

    /**
     * Waits until at least {@code count} messages have been accepted (since the server started or the
     * last {@link #reset()}), and returns them all. Wakes as each message arrives: it never sleeps a
     * fixed time.
     *
     * @param count   how many messages to wait for; 0 returns at once
     * @param timeout the longest wait
     * @return every message accepted so far, in order of acceptance (at least {@code count})
     * @throws AssertionError           if fewer arrived within {@code timeout} (the message says what did),
     *                                  or the wait was interrupted
     * @throws IllegalArgumentException if {@code count} is negative
     * @throws IllegalStateException    if the server is not running
     */
    public List<ReceivedMail> awaitMessages(int count, Duration timeout) {
        try {
            return running().inbox.await(count, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + count + " message(s)", e);
        }
    }

    /**
     * The messages accepted so far, without waiting.
     *
     * @return a snapshot, in order of acceptance
     * @throws IllegalStateException if the server is not running
     */
    public List<ReceivedMail> receivedMessages() {
        return running().inbox.snapshot();
    }

    /**
     * Forgets the messages accepted so far (a server per class does this before each test).
     *
     * @throws IllegalStateException if the server is not running
     */
    public void reset() {
        running().inbox.clear();
    }

    /**
     * A client TLS context that trusts the test server's certificate (and nothing else), for a server
     * built with {@link Builder#withTls()}. With Angus Mail:
     * {@code props.put("mail.smtp.ssl.socketFactory", smtp.clientSslContext().getSocketFactory())}.
     *
     * @return the context, shared by every TLS test server of the JVM
     * @throws IllegalStateException if the server has no TLS
     */
    public SSLContext clientSslContext() {
        return tls().clientContext;
    }

    /**
     * {@link #clientSslContext()}'s socket factory.
     *
     * @return a factory whose sockets trust the test certificate
     * @throws IllegalStateException if the server has no TLS
     */
    public SSLSocketFactory clientSocketFactory() {
        return tls().clientContext.getSocketFactory();
    }

    /**
     * A key store holding the test certificate as a trusted entry, for clients configured by trust store.
     *
     * @return an in-memory key store of the JDK's default type, no password
     * @throws IllegalStateException if the server has no TLS
     */
    public KeyStore trustStore() {
        return tls().trustStore;
    }

    /**
     * The server's certificate: self-signed, ECDSA P-256, for {@code localhost}, {@code 127.0.0.1} and
     * {@code ::1}, made once per JVM.
     *
     * @return the certificate
     * @throws IllegalStateException if the server has no TLS
     */
    public X509Certificate certificate() {
        return tls().certificate();
    }

    private TestCertificate tls() {
        TestCertificate certificate = running().certificate;
        if (certificate == null) {
            throw new IllegalStateException("this test server has no TLS: build it with PosternExtension.builder().withTls()");
        }
        return certificate;
    }

    /** One started server and what it accepted. Closed by its owner, or by JUnit's root store when shared. */
    static final class Running implements AutoCloseable {
        final SmtpServer server;
        final Inbox inbox;
        final TestCertificate certificate;

        private Running(SmtpServer server, Inbox inbox, TestCertificate certificate) {
            this.server = server;
            this.inbox = inbox;
            this.certificate = certificate;
        }

        static Running start(Builder settings) throws IOException {
            SmtpServerConfig.Builder config = settings.base == null ? SmtpServerConfig.builder() : settings.base.toBuilder();
            if (settings.base == null) {
                config.listen(Listener.of("127.0.0.1", 0).withLmtp(settings.lmtp)).hostname("localhost");
            }
            settings.changes.forEach(change -> change.accept(config));
            TestCertificate certificate = null;
            if (settings.tls != null) {
                certificate = TestCertificate.get();
                config.tls(TlsConfig.keyMaterial(certificate.keys.privateKey(), certificate.keys.chain()).build())
                        .startTls(settings.tls);
            }
            if (!settings.users.isEmpty() && !config.build().auth().enabled()) {
                config.auth(AuthConfig.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN, AuthMechanism.CRAM_MD5).andAllowPlaintext());
            }
            Inbox inbox = new Inbox();
            SmtpServer server = SmtpServer.builder()
                    .config(config.build())
                    .handler(new RecordingHandler(settings.handler, settings.recipientRules, settings.messageRules,
                            settings.users, inbox))
                    .build()
                    .start();
            return new Running(server, inbox, certificate);
        }

        @Override
        public void close() {
            server.stop(Duration.ZERO);
        }
    }

    /**
     * The test server's settings: the configuration and hooks of {@link SmtpServer.Builder}, and the
     * test conveniences (users, TLS, rejections, sharing).
     */
    public static final class Builder {
        private SmtpServerConfig base;
        private final List<Consumer<SmtpServerConfig.Builder>> changes = new ArrayList<>();
        private SmtpHandler handler = new SmtpHandler() { };
        private final Map<String, String> users = new LinkedHashMap<>();
        private StartTlsMode tls;
        private boolean lmtp;
        private final List<RecordingHandler.Rule<String>> recipientRules = new ArrayList<>();
        private final List<RecordingHandler.Rule<ReceivedMail>> messageRules = new ArrayList<>();
        private String sharedKey;

        private Builder() {
        }

        /**
         * Starts from this configuration instead of the test defaults (127.0.0.1 on a free port, named
         * {@code localhost}); later {@link #configure} calls change it.
         *
         * @param config the server's configuration
         * @return this builder
         * @throws NullPointerException if {@code config} is null
         */
        public Builder config(SmtpServerConfig config) {
            if (lmtp) {
                throw new IllegalStateException("withLmtp() makes the default listener LMTP: with config(...), make its "
                        + "listeners LMTP there (Listener.withLmtp(true))");
            }
            this.base = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Changes configuration settings, as {@link SmtpServer.Builder#configure}:
         * {@code .configure(c -> c.maxMessageSize(1024))}. Applied at each start, in order; to listen
         * elsewhere, {@code c.clearListeners().listen(...)}.
         *
         * @param change applied to the configuration builder at start
         * @return this builder
         * @throws NullPointerException if {@code change} is null
         */
        public Builder configure(Consumer<SmtpServerConfig.Builder> change) {
            changes.add(Objects.requireNonNull(change, "change"));
            return this;
        }

        /**
         * The test's own hooks, called after the rejections and users of this builder; every message
         * its {@code onMessage} accepts (returns from) is kept. Default: accept everything.
         *
         * @param handler the hooks
         * @return this builder
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder handler(SmtpHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * A user that AUTH accepts (PLAIN, LOGIN and CRAM-MD5, offered without TLS too unless the
         * configuration sets its own {@code auth}). Others are refused with {@code 535 5.7.8}, unless the
         * test's handler accepts them.
         *
         * @param username the user name
         * @param password the password
         * @return this builder
         * @throws NullPointerException if either is null
         */
        public Builder withUser(String username, String password) {
            users.put(Objects.requireNonNull(username, "username"), Objects.requireNonNull(password, "password"));
            return this;
        }

        /**
         * STARTTLS, offered, with a certificate generated for {@code localhost}, {@code 127.0.0.1} and
         * {@code ::1}; clients trust it with {@link PosternExtension#clientSslContext()}.
         *
         * @return this builder
         */
        public Builder withTls() {
            return withTls(StartTlsMode.OPTIONAL);
        }

        /**
         * STARTTLS with the test certificate, in this mode ({@link StartTlsMode#REQUIRED} refuses MAIL and
         * AUTH before it).
         *
         * @param mode how STARTTLS is offered
         * @return this builder
         * @throws NullPointerException if {@code mode} is null
         */
        public Builder withTls(StartTlsMode mode) {
            this.tls = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * The server's listener speaks LMTP (RFC 2033) instead of SMTP, for testing an LMTP client: LHLO, and a
         * reply per recipient after the message (each recipient refused by {@link #rejectRecipient} at RCPT is
         * refused there; a message a {@code rejectMessages} rule refuses is refused for every recipient). With
         * {@link #config}, make its listeners LMTP there ({@code Listener.withLmtp(true)}) instead.
         *
         * @return this builder
         * @throws IllegalStateException if a whole configuration was given with {@link #config}
         */
        public Builder withLmtp() {
            if (base != null) {
                throw new IllegalStateException("config(...) gave the listeners: make them LMTP there (Listener.withLmtp(true))");
            }
            this.lmtp = true;
            return this;
        }

        /**
         * Refuses RCPT TO for the recipients that match, with this reply: for testing how the code under
         * test handles a refused recipient ({@code 550 5.1.1}) or a temporary failure ({@code 450 4.2.1}).
         *
         * @param matches        tested with the recipient's address, e.g. {@code "bob@example.org"}
         * @param code           the reply code, 4xx or 5xx
         * @param enhancedStatus the RFC 3463 status, e.g. {@code "5.1.1"}; null for none
         * @param text           the reply text
         * @return this builder
         * @throws IllegalArgumentException if the reply is invalid (see {@link SmtpRejection#of})
         */
        public Builder rejectRecipients(Predicate<String> matches, int code, String enhancedStatus, String text) {
            recipientRules.add(new RecordingHandler.Rule<>(Objects.requireNonNull(matches, "matches"),
                    SmtpRejection.of(code, enhancedStatus, text)));
            return this;
        }

        /**
         * Refuses RCPT TO for one address (compared ignoring case), with this reply.
         *
         * @param address        the recipient's address
         * @param code           the reply code, 4xx or 5xx
         * @param enhancedStatus the RFC 3463 status; null for none
         * @param text           the reply text
         * @return this builder
         * @throws IllegalArgumentException if the reply is invalid
         */
        public Builder rejectRecipient(String address, int code, String enhancedStatus, String text) {
            Objects.requireNonNull(address, "address");
            return rejectRecipients(address::equalsIgnoreCase, code, enhancedStatus, text);
        }

        /**
         * Refuses the messages that match, after their content arrived (the reply to the end of DATA): for
         * testing how the code under test handles a refused message ({@code 554 5.6.0}) or a temporary
         * failure ({@code 451 4.3.0}). A refused message is not kept.
         *
         * @param matches        tested with the message
         * @param code           the reply code, 4xx or 5xx
         * @param enhancedStatus the RFC 3463 status; null for none
         * @param text           the reply text
         * @return this builder
         * @throws IllegalArgumentException if the reply is invalid
         */
        public Builder rejectMessages(Predicate<ReceivedMail> matches, int code, String enhancedStatus, String text) {
            messageRules.add(new RecordingHandler.Rule<>(Objects.requireNonNull(matches, "matches"),
                    SmtpRejection.of(code, enhancedStatus, text)));
            return this;
        }

        /**
         * One server for every test class of the run that registers a shared extension: the first class
         * starts it with its settings, the others use it, and it stops when the run ends. Its messages
         * are cleared before each test. {@code shareAcrossTestClasses("name")} keeps several apart.
         *
         * @return this builder
         */
        public Builder shareAcrossTestClasses() {
            return shareAcrossTestClasses("default");
        }

        /**
         * One server per {@code name} for the whole run (see {@link #shareAcrossTestClasses()}). The classes
         * that share a name should build the extension alike: the first one's settings win.
         *
         * @param name the shared server's name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         */
        public Builder shareAcrossTestClasses(String name) {
            this.sharedKey = "shared:" + Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The extension, not started: JUnit starts it when the class or test begins.
         *
         * @return the extension
         */
        public PosternExtension build() {
            return new PosternExtension(copy());
        }

        private Builder copy() {
            Builder b = new Builder();
            b.base = base;
            b.changes.addAll(changes);
            b.handler = handler;
            b.users.putAll(users);
            b.tls = tls;
            b.lmtp = lmtp;
            b.recipientRules.addAll(recipientRules);
            b.messageRules.addAll(messageRules);
            b.sharedKey = sharedKey;
            return b;
        }
    }
}
