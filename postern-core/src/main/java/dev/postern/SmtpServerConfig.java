package dev.postern;

import dev.postern.auth.AuthConfig;
import dev.postern.proxy.TrustedSources;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every setting of an {@link SmtpServer}, immutable and validated when built. Each bound the server
 * enforces lives here, with its default documented on the builder method.
 *
 * @param listeners               the addresses to listen on, at least one
 * @param hostname                the name the server gives itself (see {@link Builder#hostname})
 * @param greeting                the text of the 220 greeting, without code
 * @param maxConnections          connections open at once across the server
 * @param maxProcessings          sessions whose hooks run at once on virtual threads
 * @param maxCommandLineLength    longest command line in octets, CRLF included; at least 512
 * @param maxLineBufferBytes      octets buffered while waiting for a line end; at least {@code maxCommandLineLength}
 * @param maxRecipients           recipients per transaction
 * @param maxMessageSize          largest message in octets
 * @param maxHeaderBytes          largest header block in octets
 * @param maxErrors               error replies after which the session is closed
 * @param commandTimeout          longest wait for the next command
 * @param dataTimeout             longest wait for more content during DATA or BDAT
 * @param sessionDeadline         longest life of a session
 * @param greetingDelay           wait before the greeting; zero for none
 * @param lineEndings             what to do with a bare CR or LF
 * @param extensions              the ESMTP extensions offered
 * @param reverseDnsLookup        whether the client's name is looked up before {@code onConnect}
 * @param reverseDnsTimeout       longest wait for that lookup
 * @param spoolThreshold          octets of a message kept in memory before it spools to a file
 * @param spoolDirectory          where spool files are created
 * @param ioThreads               network event-loop threads; 0 for Postern's default (half the cores, at least one)
 * @param proxyTimeout            longest wait for a trusted proxy's complete PROXY header
 * @param proxyOptionalWait       silence after which an optional-PROXY connection counts as direct
 * @param xclientHosts            clients allowed to use XCLIENT
 * @param xforwardHosts           clients allowed to use XFORWARD
 * @param ignoredHosts            clients whose routine session events are not logged
 * @param tls                     the TLS settings, or null for none (no STARTTLS, no implicit TLS)
 * @param startTls                whether STARTTLS is offered and required
 * @param auth                    the SMTP AUTH settings
 * @param maxConnectionsPerClient connections open at once per real client address; 0 for no limit
 * @param maxAuthFailures         failed AUTH attempts per real client address within {@code authFailureWindow}
 *                                after which AUTH is refused until the window passes; 0 for no limit
 * @param authFailureWindow       the window of {@code maxAuthFailures}
 * @param maxConnectionRate       connections per {@code connectionRatePeriod} one real client address may
 *                                open (Exim's {@code ratelimit per_conn}); 0 for no limit
 * @param connectionRatePeriod    the smoothing period of {@code maxConnectionRate}
 * @param pathSyntax              whether MAIL FROM and RCPT TO paths need their angle brackets
 */
public record SmtpServerConfig(
        List<Listener> listeners,
        String hostname,
        String greeting,
        int maxConnections,
        int maxProcessings,
        int maxCommandLineLength,
        int maxLineBufferBytes,
        int maxRecipients,
        long maxMessageSize,
        int maxHeaderBytes,
        int maxErrors,
        Duration commandTimeout,
        Duration dataTimeout,
        Duration sessionDeadline,
        Duration greetingDelay,
        LineEndingPolicy lineEndings,
        Extensions extensions,
        boolean reverseDnsLookup,
        Duration reverseDnsTimeout,
        int spoolThreshold,
        Path spoolDirectory,
        int ioThreads,
        Duration proxyTimeout,
        Duration proxyOptionalWait,
        TrustedSources xclientHosts,
        TrustedSources xforwardHosts,
        TrustedSources ignoredHosts,
        TlsConfig tls,
        StartTlsMode startTls,
        AuthConfig auth,
        int maxConnectionsPerClient,
        int maxAuthFailures,
        Duration authFailureWindow,
        int maxConnectionRate,
        Duration connectionRatePeriod,
        PathSyntax pathSyntax) {

    /** {@link Builder#authFailureLimit}'s default number of failures. */
    static final int DEFAULT_MAX_AUTH_FAILURES = 5;
    /** {@link Builder#authFailureLimit}'s default window. */
    static final Duration DEFAULT_AUTH_FAILURE_WINDOW = Duration.ofMinutes(10);

    /**
     * Which ESMTP extensions are offered in the EHLO reply; each can be switched off.
     *
     * @param size                SIZE (RFC 1870): advertise {@code maxMessageSize} and accept SIZE=; the
     *                            limit holds either way
     * @param eightBitMime        8BITMIME (RFC 6152): accept BODY=
     * @param smtpUtf8            SMTPUTF8 (RFC 6531): accept non-ASCII addresses after MAIL ... SMTPUTF8
     * @param pipelining          PIPELINING (RFC 2920); off, a command that arrives together with the one
     *                            before gets 503 5.5.0
     * @param enhancedStatusCodes ENHANCEDSTATUSCODES (RFC 2034); off, replies carry no RFC 3463 status
     * @param chunking            CHUNKING (RFC 3030); off, BDAT is an unknown command
     * @param dsn                 DSN (RFC 3461): accept RET and ENVID on MAIL, NOTIFY and ORCPT on RCPT
     *                            (checked, then kept on the {@link Envelope} and its {@link Recipient}s
     *                            for whoever delivers or relays the message); off, they get 555
     */
    public record Extensions(boolean size, boolean eightBitMime, boolean smtpUtf8, boolean pipelining,
                             boolean enhancedStatusCodes, boolean chunking, boolean dsn) {
        /** Every extension offered: the default. */
        public static final Extensions ALL = new Extensions(true, true, true, true, true, true, true);

        /**
         * The extensions of earlier releases; DSN is offered.
         *
         * @param size                SIZE (RFC 1870)
         * @param eightBitMime        8BITMIME (RFC 6152)
         * @param smtpUtf8            SMTPUTF8 (RFC 6531)
         * @param pipelining          PIPELINING (RFC 2920)
         * @param enhancedStatusCodes ENHANCEDSTATUSCODES (RFC 2034)
         * @param chunking            CHUNKING (RFC 3030)
         */
        public Extensions(boolean size, boolean eightBitMime, boolean smtpUtf8, boolean pipelining,
                          boolean enhancedStatusCodes, boolean chunking) {
            this(size, eightBitMime, smtpUtf8, pipelining, enhancedStatusCodes, chunking, true);
        }
    }

    /**
     * Validates every setting and copies the listener list.
     *
     * @throws IllegalArgumentException if there is no listener; the hostname is blank or holds a space or
     *                                  control character; the greeting holds CR or LF; a limit or duration
     *                                  is not positive (ioThreads, maxConnectionsPerClient, greetingDelay:
     *                                  negative); maxCommandLineLength is under 512 or maxLineBufferBytes
     *                                  under it; maxAuthFailures or maxConnectionRate is negative, or its
     *                                  duration not positive; or STARTTLS is REQUIRED, or a listener speaks
     *                                  implicit TLS, without {@code tls}
     * @throws NullPointerException     if any setting but {@code tls} is null
     */
    public SmtpServerConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("at least one listener is required");
        }
        Objects.requireNonNull(hostname, "hostname");
        if (hostname.isBlank() || hasSpaceOrControl(hostname)) {
            throw new IllegalArgumentException("hostname must be a non-empty name without spaces or controls: '" + hostname + "'");
        }
        Objects.requireNonNull(greeting, "greeting");
        requireNoLineBreak("greeting", greeting);
        positive("maxConnections", maxConnections);
        positive("maxProcessings", maxProcessings);
        // RFC 5321 4.5.3.1.4: a command line is at least 512 octets including CRLF.
        if (maxCommandLineLength < 512) {
            throw new IllegalArgumentException("maxCommandLineLength must be at least 512 (RFC 5321 4.5.3.1.4): " + maxCommandLineLength);
        }
        if (maxLineBufferBytes < maxCommandLineLength) {
            throw new IllegalArgumentException("maxLineBufferBytes must be at least maxCommandLineLength");
        }
        // RFC 5321 4.5.3.1.8: at least 100 recipients must be buffered; smaller values are allowed for
        // special-purpose servers, so only require a positive number.
        positive("maxRecipients", maxRecipients);
        if (maxMessageSize <= 0) {
            throw new IllegalArgumentException("maxMessageSize must be positive");
        }
        positive("maxHeaderBytes", maxHeaderBytes);
        positive("maxErrors", maxErrors);
        positiveDuration("commandTimeout", commandTimeout);
        positiveDuration("dataTimeout", dataTimeout);
        positiveDuration("sessionDeadline", sessionDeadline);
        Objects.requireNonNull(greetingDelay, "greetingDelay");
        if (greetingDelay.isNegative()) {
            throw new IllegalArgumentException("greetingDelay must not be negative");
        }
        Objects.requireNonNull(lineEndings, "lineEndings");
        Objects.requireNonNull(extensions, "extensions");
        positiveDuration("reverseDnsTimeout", reverseDnsTimeout);
        positive("spoolThreshold", spoolThreshold);
        Objects.requireNonNull(spoolDirectory, "spoolDirectory");
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must not be negative (0 = half the cores, at least one)");
        }
        positiveDuration("proxyTimeout", proxyTimeout);
        positiveDuration("proxyOptionalWait", proxyOptionalWait);
        Objects.requireNonNull(xclientHosts, "xclientHosts");
        Objects.requireNonNull(xforwardHosts, "xforwardHosts");
        Objects.requireNonNull(ignoredHosts, "ignoredHosts");
        Objects.requireNonNull(startTls, "startTls");
        Objects.requireNonNull(auth, "auth");
        if (maxConnectionsPerClient < 0) {
            throw new IllegalArgumentException("maxConnectionsPerClient must not be negative (0 = no limit)");
        }
        if (maxAuthFailures < 0) {
            throw new IllegalArgumentException("maxAuthFailures must not be negative (0 = no limit)");
        }
        positiveDuration("authFailureWindow", authFailureWindow);
        if (maxConnectionRate < 0) {
            throw new IllegalArgumentException("maxConnectionRate must not be negative (0 = no limit)");
        }
        positiveDuration("connectionRatePeriod", connectionRatePeriod);
        Objects.requireNonNull(pathSyntax, "pathSyntax");
        if (tls == null && startTls == StartTlsMode.REQUIRED) {
            throw new IllegalArgumentException("STARTTLS is required but no TLS certificate is configured");
        }
        if (tls == null) {
            for (Listener l : listeners) {
                if (l.implicitTls()) {
                    throw new IllegalArgumentException("listener " + l + " speaks implicit TLS but no TLS certificate is configured");
                }
            }
        }
    }

    /**
     * The settings of earlier releases, without AUTH failure limit, connection rate limit and path syntax:
     * those take their defaults (5 failures in 10 minutes, no rate limit, {@link PathSyntax#STRICT}).
     * Prefer {@link #builder()}.
     *
     * @param listeners               the addresses to listen on, at least one
     * @param hostname                the name the server gives itself
     * @param greeting                the text of the 220 greeting, without code
     * @param maxConnections          connections open at once across the server
     * @param maxProcessings          sessions whose hooks run at once on virtual threads
     * @param maxCommandLineLength    longest command line in octets, CRLF included; at least 512
     * @param maxLineBufferBytes      octets buffered while waiting for a line end
     * @param maxRecipients           recipients per transaction
     * @param maxMessageSize          largest message in octets
     * @param maxHeaderBytes          largest header block in octets
     * @param maxErrors               error replies after which the session is closed
     * @param commandTimeout          longest wait for the next command
     * @param dataTimeout             longest wait for more content during DATA or BDAT
     * @param sessionDeadline         longest life of a session
     * @param greetingDelay           wait before the greeting; zero for none
     * @param lineEndings             what to do with a bare CR or LF
     * @param extensions              the ESMTP extensions offered
     * @param reverseDnsLookup        whether the client's name is looked up before {@code onConnect}
     * @param reverseDnsTimeout       longest wait for that lookup
     * @param spoolThreshold          octets of a message kept in memory before it spools to a file
     * @param spoolDirectory          where spool files are created
     * @param ioThreads               network event-loop threads; 0 for Postern's default
     * @param proxyTimeout            longest wait for a trusted proxy's complete PROXY header
     * @param proxyOptionalWait       silence after which an optional-PROXY connection counts as direct
     * @param xclientHosts            clients allowed to use XCLIENT
     * @param xforwardHosts           clients allowed to use XFORWARD
     * @param ignoredHosts            clients whose routine session events are not logged
     * @param tls                     the TLS settings, or null for none
     * @param startTls                whether STARTTLS is offered and required
     * @param auth                    the SMTP AUTH settings
     * @param maxConnectionsPerClient connections open at once per real client address; 0 for no limit
     * @throws IllegalArgumentException as the canonical constructor
     * @throws NullPointerException     as the canonical constructor
     */
    public SmtpServerConfig(List<Listener> listeners, String hostname, String greeting, int maxConnections,
                            int maxProcessings, int maxCommandLineLength, int maxLineBufferBytes, int maxRecipients,
                            long maxMessageSize, int maxHeaderBytes, int maxErrors, Duration commandTimeout,
                            Duration dataTimeout, Duration sessionDeadline, Duration greetingDelay,
                            LineEndingPolicy lineEndings, Extensions extensions, boolean reverseDnsLookup,
                            Duration reverseDnsTimeout, int spoolThreshold, Path spoolDirectory, int ioThreads,
                            Duration proxyTimeout, Duration proxyOptionalWait, TrustedSources xclientHosts,
                            TrustedSources xforwardHosts, TrustedSources ignoredHosts, TlsConfig tls,
                            StartTlsMode startTls, AuthConfig auth, int maxConnectionsPerClient) {
        this(listeners, hostname, greeting, maxConnections, maxProcessings, maxCommandLineLength, maxLineBufferBytes,
                maxRecipients, maxMessageSize, maxHeaderBytes, maxErrors, commandTimeout, dataTimeout, sessionDeadline,
                greetingDelay, lineEndings, extensions, reverseDnsLookup, reverseDnsTimeout, spoolThreshold,
                spoolDirectory, ioThreads, proxyTimeout, proxyOptionalWait, xclientHosts, xforwardHosts, ignoredHosts,
                tls, startTls, auth, maxConnectionsPerClient, DEFAULT_MAX_AUTH_FAILURES, DEFAULT_AUTH_FAILURE_WINDOW,
                0, Duration.ofHours(1), PathSyntax.STRICT);
    }

    /**
     * Whether STARTTLS is offered to plain connections.
     *
     * @return true if {@code tls} is set and {@code startTls} is not OFF
     */
    public boolean offersStartTls() {
        return tls != null && startTls != StartTlsMode.OFF;
    }

    /**
     * A builder with every default.
     *
     * @return a new builder; the default of each setting is on its method
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these settings, to derive a changed configuration.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.listeners.addAll(listeners);
        b.hostname = hostname;
        b.greeting = greeting;
        b.maxConnections = maxConnections;
        b.maxProcessings = maxProcessings;
        b.maxCommandLineLength = maxCommandLineLength;
        b.maxLineBufferBytes = maxLineBufferBytes;
        b.maxRecipients = maxRecipients;
        b.maxMessageSize = maxMessageSize;
        b.maxHeaderBytes = maxHeaderBytes;
        b.maxErrors = maxErrors;
        b.commandTimeout = commandTimeout;
        b.dataTimeout = dataTimeout;
        b.sessionDeadline = sessionDeadline;
        b.greetingDelay = greetingDelay;
        b.lineEndings = lineEndings;
        b.extensions = extensions;
        b.reverseDnsLookup = reverseDnsLookup;
        b.reverseDnsTimeout = reverseDnsTimeout;
        b.spoolThreshold = spoolThreshold;
        b.spoolDirectory = spoolDirectory;
        b.ioThreads = ioThreads;
        b.proxyTimeout = proxyTimeout;
        b.proxyOptionalWait = proxyOptionalWait;
        b.xclientHosts = xclientHosts;
        b.xforwardHosts = xforwardHosts;
        b.ignoredHosts = ignoredHosts;
        b.tls = tls;
        b.startTls = startTls;
        b.auth = auth;
        b.maxConnectionsPerClient = maxConnectionsPerClient;
        b.maxAuthFailures = maxAuthFailures;
        b.authFailureWindow = authFailureWindow;
        b.maxConnectionRate = maxConnectionRate;
        b.connectionRatePeriod = connectionRatePeriod;
        b.pathSyntax = pathSyntax;
        return b;
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void positiveDuration(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /** Whether a name holds a space, a control or DEL (a loop: no lambda to link on a cold start's path). */
    static boolean hasSpaceOrControl(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static void requireNoLineBreak(String name, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(name + " must not contain CR or LF");
        }
    }

    /** Builder with documented defaults; not thread-safe. */
    public static final class Builder {
        private final List<Listener> listeners = new ArrayList<>();
        private String hostname;
        private String greeting;
        private int maxConnections = 1000;
        private int maxProcessings = 256;
        private int maxCommandLineLength = 512;
        private int maxLineBufferBytes = 16384;
        private int maxRecipients = 100;
        private long maxMessageSize = 25L * 1024 * 1024;
        private int maxHeaderBytes = 256 * 1024;
        private int maxErrors = 20;
        private Duration commandTimeout = Duration.ofMinutes(5);
        private Duration dataTimeout = Duration.ofMinutes(3);
        private Duration sessionDeadline = Duration.ofMinutes(30);
        private Duration greetingDelay = Duration.ZERO;
        private LineEndingPolicy lineEndings = LineEndingPolicy.NORMALIZE;
        private Extensions extensions = Extensions.ALL;
        private boolean reverseDnsLookup = false;
        private Duration reverseDnsTimeout = Duration.ofSeconds(2);
        private int spoolThreshold = 256 * 1024;
        private Path spoolDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private int ioThreads = 0;
        private Duration proxyTimeout = Duration.ofSeconds(5);
        private Duration proxyOptionalWait = Duration.ofMillis(500);
        private TrustedSources xclientHosts = TrustedSources.NONE;
        private TrustedSources xforwardHosts = TrustedSources.NONE;
        private TrustedSources ignoredHosts = TrustedSources.NONE;
        private TlsConfig tls;
        private StartTlsMode startTls = StartTlsMode.OPTIONAL;
        private AuthConfig auth = AuthConfig.NONE;
        private int maxConnectionsPerClient = 0;
        private int maxAuthFailures = DEFAULT_MAX_AUTH_FAILURES;
        private Duration authFailureWindow = DEFAULT_AUTH_FAILURE_WINDOW;
        private int maxConnectionRate = 0;
        private Duration connectionRatePeriod = Duration.ofHours(1);
        private PathSyntax pathSyntax = PathSyntax.STRICT;

        private Builder() {
        }

        /**
         * Throttles password guessing: failed AUTH attempts (those {@link SmtpHandler#onAuth} rejected) are
         * counted per real client address (after PROXY and XCLIENT). Once a client has failed
         * {@code maxFailures} times within {@code window} of its first counted failure, every AUTH it
         * starts, on any connection, is answered {@code 454 4.7.0} until {@code window} has passed since
         * the failure that reached the limit; each such answer comes after a delay that doubles with
         * every refused attempt (1 s, 2 s, 4 s, up to 30 s), for which the connection stops reading:
         * no thread waits. A successful AUTH does not clear the count (one known password must not
         * reset the guessing of others).
         * <p>At most 10000 client addresses are tracked at once; past that, the one whose last
         * failure is oldest is forgotten. Default: 5 failures in 10 minutes.
         *
         * @param maxFailures failures that lock AUTH for a client; 0 turns the limit off
         * @param window      a positive duration: how long failures are remembered and the lock lasts
         * @return this builder
         */
        public Builder authFailureLimit(int maxFailures, Duration window) {
            this.maxAuthFailures = maxFailures;
            this.authFailureWindow = window;
            return this;
        }

        /**
         * Connections one real client address (after the PROXY header) may open per {@code period}, as
         * Exim's {@code ratelimit = N / period / per_conn}: the client's rate is a moving average smoothed
         * over {@code period} (Exim's formula), and a connection that would take it over
         * {@code connections} gets {@code 421 4.7.0} and is closed. Refused connections do not count
         * (Exim's default, "leaky" mode), so a client that waits is served again. Checked before
         * {@code onConnect} and before {@link #maxConnectionsPerClient}.
         * <p>At most 10000 client addresses are tracked at once; past that, the one seen least recently
         * is forgotten, so a flood of distinct addresses costs bounded memory. Default: off.
         *
         * @param connections the largest smoothed rate per period; 0 turns the limit off
         * @param period      a positive duration, the smoothing period
         * @return this builder
         */
        public Builder connectionRateLimit(int connections, Duration period) {
            this.maxConnectionRate = connections;
            this.connectionRatePeriod = period;
            return this;
        }

        /**
         * Whether MAIL FROM and RCPT TO paths need angle brackets. Default {@link PathSyntax#STRICT}.
         *
         * @param syntax STRICT (RFC 5321) or LENIENT (also {@code MAIL FROM:user@example.org}, as Postfix)
         * @return this builder
         */
        public Builder pathSyntax(PathSyntax syntax) {
            this.pathSyntax = syntax;
            return this;
        }

        /**
         * The server's TLS key, certificate and settings, for STARTTLS and implicit-TLS listeners
         * ({@link Listener#withImplicitTls()}). Default none: STARTTLS is not offered.
         *
         * @param tls the TLS settings, or null for none
         * @return this builder
         */
        public Builder tls(TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /**
         * SMTP AUTH: the mechanisms offered, whether it is required before MAIL, whether it is offered
         * without TLS. Credentials are checked by {@link SmtpHandler#onAuth}. Default {@link AuthConfig#NONE}.
         *
         * @param auth the AUTH settings
         * @return this builder
         */
        public Builder auth(AuthConfig auth) {
            this.auth = auth;
            return this;
        }

        /**
         * Whether STARTTLS is offered (when {@link #tls} is set) and whether it is required. Default OPTIONAL.
         *
         * @param mode OFF, OPTIONAL or REQUIRED (REQUIRED needs {@link #tls})
         * @return this builder
         */
        public Builder startTls(StartTlsMode mode) {
            this.startTls = mode;
            return this;
        }

        /**
         * Time a trusted proxy has to send the complete PROXY header; then the connection is closed. Default 5 s.
         *
         * @param d a positive duration
         * @return this builder
         */
        public Builder proxyTimeout(Duration d) {
            this.proxyTimeout = d;
            return this;
        }

        /**
         * On an {@code optional} PROXY listener, how long to wait for the first bytes before treating the
         * connection as direct and greeting it. SMTP is server-speaks-first: a direct client sends nothing
         * until greeted, so silence is the only sign that no header is coming. Default 500 ms.
         *
         * @param d a positive duration; it delays the greeting of every direct client of such a listener
         * @return this builder
         */
        public Builder proxyOptionalWait(Duration d) {
            this.proxyOptionalWait = d;
            return this;
        }

        /**
         * Clients allowed to use XCLIENT (Postfix semantics), matched by the real client address (after
         * PROXY); others get 550 5.7.0. Default: none.
         *
         * @param hosts the trusted clients
         * @return this builder
         */
        public Builder xclientHosts(TrustedSources hosts) {
            this.xclientHosts = hosts;
            return this;
        }

        /**
         * Clients allowed to use XFORWARD (Postfix semantics), matched by the real client address (after
         * PROXY); others get 550 5.7.0. Default: none.
         *
         * @param hosts the trusted clients
         * @return this builder
         */
        public Builder xforwardHosts(TrustedSources hosts) {
            this.xforwardHosts = hosts;
            return this;
        }

        /**
         * Real clients served but not logged per session (load-balancer health checks): their routine INFO
         * events (connect, TLS, AUTH, messages, disconnect) do not reach {@link SmtpHandler#onLogEvent};
         * warnings and errors still do. Matched by the real client address (after PROXY). Default: none.
         *
         * @param hosts the clients not to log
         * @return this builder
         */
        public Builder ignoredHosts(TrustedSources hosts) {
            this.ignoredHosts = hosts;
            return this;
        }

        /**
         * Adds a plain listener. Default when none is added: 127.0.0.1:2525.
         *
         * @param host an IP literal, a host name, {@code "*"} (every interface) or {@code "localhost"} (both loopbacks)
         * @param port the TCP port, 0..65535; 0 for a free port chosen by the OS
         * @return this builder
         * @throws IllegalArgumentException if {@code host} is blank or {@code port} is out of range
         */
        public Builder listen(String host, int port) {
            listeners.add(Listener.of(host, port));
            return this;
        }

        /**
         * Adds a listener, e.g. one reading PROXY headers or speaking implicit TLS.
         *
         * @param listener the listener
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         */
        public Builder listen(Listener listener) {
            listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        /**
         * Listens on every host x every port, as MidiSmtpServer's hosts/ports options.
         *
         * @param hosts the hosts, each as in {@link #listen(String, int)}
         * @param ports the ports
         * @return this builder
         * @throws IllegalArgumentException if a host is blank or a port is out of range
         */
        public Builder listen(List<String> hosts, List<Integer> ports) {
            for (String h : hosts) {
                for (int p : ports) {
                    listen(h, p);
                }
            }
            return this;
        }

        /**
         * Removes every listener added so far, e.g. those of a configuration given to
         * {@link SmtpServerConfig#toBuilder()}.
         *
         * @return this builder
         */
        public Builder clearListeners() {
            listeners.clear();
            return this;
        }

        /**
         * The name the server gives itself: in the default greeting, the default first line of the EHLO / HELO
         * reply, its 421 replies and CRAM-MD5 challenges. The server writes no Received field itself; a hook
         * that prepends one should use this name. Default: the machine's host name (its fully qualified
         * form when the canonical name extends it), or {@code localhost} when it has none.
         *
         * @param hostname a name without spaces or control characters, or null for the default
         * @return this builder
         */
        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        /**
         * The 220 greeting text. Default: {@code "<hostname> ESMTP Postern"}.
         *
         * @param greeting the text, without code, CR or LF; null for the default
         * @return this builder
         */
        public Builder greeting(String greeting) {
            this.greeting = greeting;
            return this;
        }

        /**
         * Open connections at once; one more gets 421 4.7.0 and is closed. Default 1000.
         *
         * @param n a positive number
         * @return this builder
         */
        public Builder maxConnections(int n) {
            this.maxConnections = n;
            return this;
        }

        /**
         * Open connections one client address may hold; more get {@code 421 4.7.0} and are closed. Counted
         * by the real client (after PROXY), so clients behind one proxy are told apart. Default 0: no
         * limit (only {@link #maxConnections} bounds the total).
         *
         * @param n a limit, or 0 for none
         * @return this builder
         */
        public Builder maxConnectionsPerClient(int n) {
            this.maxConnectionsPerClient = n;
            return this;
        }

        /**
         * Sessions whose hooks (and protocol work) run at once on virtual threads; the others wait in line,
         * first come, first served. No effect when hooks run on the event loop ({@link SmtpHandler#isNonBlocking()}).
         * Default 256.
         *
         * @param n a positive number
         * @return this builder
         */
        public Builder maxProcessings(int n) {
            this.maxProcessings = n;
            return this;
        }

        /**
         * Longest command line in octets including CRLF: longer gets 500 5.5.6. Default 512 (RFC 5321 4.5.3.1.4).
         * When AUTH is offered, AUTH lines may be 12288 octets long whatever this says (RFC 4954 4).
         *
         * @param n at least 512
         * @return this builder
         */
        public Builder maxCommandLineLength(int n) {
            this.maxCommandLineLength = n;
            return this;
        }

        /**
         * Octets buffered while waiting for a line end; past it the server says 421 and closes. Default
         * 16384: room for an AUTH line of 12288 octets (RFC 4954 4) such as an XOAUTH2 token.
         *
         * @param n at least {@link #maxCommandLineLength}
         * @return this builder
         */
        public Builder maxLineBufferBytes(int n) {
            this.maxLineBufferBytes = n;
            return this;
        }

        /**
         * Recipients per transaction; more get 452 4.5.3 (RFC 5321 4.5.3.1.10). Default 100.
         *
         * @param n a positive number; RFC 5321 4.5.3.1.8 asks general-purpose servers for at least 100
         * @return this builder
         */
        public Builder maxRecipients(int n) {
            this.maxRecipients = n;
            return this;
        }

        /**
         * Largest message in octets (advertised with SIZE, RFC 1870); larger get 552 5.3.4: at MAIL when the
         * declared SIZE is larger, else at the end of DATA or at the BDAT chunk that crosses it. Default 25 MiB.
         *
         * @param n a positive number of octets, counted before fields added by hooks
         * @return this builder
         */
        public Builder maxMessageSize(long n) {
            this.maxMessageSize = n;
            return this;
        }

        /**
         * Largest header block given to {@code onDataHeaders}; larger messages get 552 5.3.4. Default 256 KiB.
         *
         * @param n a positive number of octets
         * @return this builder
         */
        public Builder maxHeaderBytes(int n) {
            this.maxHeaderBytes = n;
            return this;
        }

        /**
         * Error replies after which the server says 421 4.7.0 and closes. Default 20.
         *
         * @param n a positive number of 4xx / 5xx replies per session
         * @return this builder
         */
        public Builder maxErrors(int n) {
            this.maxErrors = n;
            return this;
        }

        /**
         * Wait for the next command; then 421 4.4.2 and close. Default 5 minutes (RFC 5321 4.5.3.2.7).
         *
         * @param d a positive duration
         * @return this builder
         */
        public Builder commandTimeout(Duration d) {
            this.commandTimeout = d;
            return this;
        }

        /**
         * Wait for more message data during DATA / BDAT; then 421 4.4.2 and close. Default 3 minutes.
         *
         * @param d a positive duration
         * @return this builder
         */
        public Builder dataTimeout(Duration d) {
            this.dataTimeout = d;
            return this;
        }

        /**
         * Longest life of one session, whatever it does; then 421 4.4.2 and close. Default 30 minutes.
         *
         * @param d a positive duration
         * @return this builder
         */
        public Builder sessionDeadline(Duration d) {
            this.sessionDeadline = d;
            return this;
        }

        /**
         * Wait before the greeting; a client that talks first is refused (554 5.5.0, close). Default 0.
         *
         * @param d zero or a positive duration
         * @return this builder
         */
        public Builder greetingDelay(Duration d) {
            this.greetingDelay = d;
            return this;
        }

        /**
         * Bare CR / LF handling. Default {@link LineEndingPolicy#NORMALIZE}.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder lineEndings(LineEndingPolicy policy) {
            this.lineEndings = policy;
            return this;
        }

        /**
         * Offered ESMTP extensions. Default: all of SIZE, 8BITMIME, SMTPUTF8, PIPELINING, ENHANCEDSTATUSCODES,
         * CHUNKING, DSN.
         *
         * @param extensions the extensions, e.g. {@link Extensions#ALL}
         * @return this builder
         */
        public Builder extensions(Extensions extensions) {
            this.extensions = extensions;
            return this;
        }

        /**
         * Look up the client's reverse DNS name before onConnect ({@link SmtpSession#remoteHostName()}); the
         * greeting waits for it, up to {@link #reverseDnsTimeout}. Default off.
         *
         * @param on whether to look the name up
         * @return this builder
         */
        public Builder reverseDnsLookup(boolean on) {
            this.reverseDnsLookup = on;
            return this;
        }

        /**
         * Bound on the reverse DNS lookup; an unanswered lookup leaves the name empty. Default 2 seconds.
         *
         * @param d a positive duration
         * @return this builder
         */
        public Builder reverseDnsTimeout(Duration d) {
            this.reverseDnsTimeout = d;
            return this;
        }

        /**
         * Message octets kept in memory; beyond, the message spools to a file. Default 256 KiB.
         *
         * @param bytes a positive number of octets, per message being received
         * @return this builder
         */
        public Builder spoolThreshold(int bytes) {
            this.spoolThreshold = bytes;
            return this;
        }

        /**
         * Where spool files go; each is deleted when its transaction ends. Default: java.io.tmpdir.
         *
         * @param dir an existing, writable directory
         * @return this builder
         */
        public Builder spoolDirectory(Path dir) {
            this.spoolDirectory = dir;
            return this;
        }

        /**
         * Network event-loop threads; 0 (the default) for half the cores, at least one. Fewer loops than
         * Netty's own default (2 x cores) wake less often and batch more: hooks that block run on virtual
         * threads, not on the loops, so the loops only move bytes and run cheap protocol steps.
         *
         * @param n zero or a positive number
         * @return this builder
         */
        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        /**
         * Builds the configuration, filling in the listener, hostname and greeting defaults.
         *
         * @return the validated configuration
         * @throws IllegalArgumentException if a setting is invalid (see the record's constructor)
         * @throws NullPointerException     if a required setting was set to null
         */
        public SmtpServerConfig build() {
            List<Listener> ls = listeners.isEmpty() ? List.of(Listener.of("127.0.0.1", 2525)) : listeners;
            String host = hostname != null ? hostname : LocalHostName.NAME;
            String greet = greeting != null ? greeting : host + " ESMTP Postern";
            return new SmtpServerConfig(ls, host, greet, maxConnections, maxProcessings, maxCommandLineLength,
                    maxLineBufferBytes, maxRecipients, maxMessageSize, maxHeaderBytes, maxErrors, commandTimeout,
                    dataTimeout, sessionDeadline, greetingDelay, lineEndings, extensions, reverseDnsLookup,
                    reverseDnsTimeout, spoolThreshold, spoolDirectory, ioThreads, proxyTimeout, proxyOptionalWait,
                    xclientHosts, xforwardHosts, ignoredHosts, tls, startTls, auth, maxConnectionsPerClient,
                    maxAuthFailures, authFailureWindow, maxConnectionRate, connectionRatePeriod, pathSyntax);
        }

        /**
         * Looked up once per JVM: a forward and a reverse lookup that a test suite starting hundreds of
         * servers would otherwise repeat for each (and that can take seconds where DNS is slow).
         */
        private static final class LocalHostName {
            static final String NAME = localHostName();
        }

        private static String localHostName() {
            return DefaultHostname.find();
        }
    }
}
