package dev.postern.relay.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Every setting of a {@link RelayClient}, immutable and validated when built. Build one with
 * {@link #builder()}; each builder method documents its default.
 *
 * @param target                      where mail goes: smarthosts, an LMTP server, or MX hosts
 * @param heloName                    the name sent with EHLO, HELO and LHLO
 * @param tlsMode                     when STARTTLS is used and what is verified
 * @param caFile                      PEM certificates trusted in {@link TlsMode#VERIFY} mode instead of the system trust store, or null
 * @param authUser                    the AUTH user for a smarthost, or null
 * @param authPassword                the AUTH password, or null
 * @param socksProxies                SOCKS5 proxies for every connection, empty for direct connections
 * @param dnsServer                   the one DNS server to ask, or null for the system's
 * @param mxPort                      the port of MX hosts
 * @param timeouts                    every wait's bound
 * @param idleTime                    how long a finished connection waits for the next delivery of its route
 * @param maxConnectionsPerDestination connections per route at most
 * @param maxConnections              connections at most
 * @param random                      the source of randomness: equal MX preferences and weighted proxy order; used
 *                                    from several threads at once, so it must be thread-safe
 */
public record RelayClientConfig(RelayTarget target, String heloName, TlsMode tlsMode, Path caFile, String authUser,
                                String authPassword, List<SocksProxy> socksProxies, InetSocketAddress dnsServer,
                                int mxPort, RelayTimeouts timeouts, Duration idleTime, int maxConnectionsPerDestination,
                                int maxConnections, RandomGenerator random) {

    /** Validates and copies. */
    public RelayClientConfig {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(heloName, "heloName");
        // RFC 5321 4.1.1.1: EHLO's argument is a domain or an address literal; no spaces, no controls.
        if (heloName.isEmpty() || heloName.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("heloName must be a domain name or an address literal: '" + heloName + "'");
        }
        Objects.requireNonNull(tlsMode, "tlsMode");
        if (caFile != null && tlsMode != TlsMode.VERIFY) {
            throw new IllegalArgumentException("a CA file is used only with TLS mode verify, not " + tlsMode);
        }
        if ((authUser == null) != (authPassword == null)) {
            throw new IllegalArgumentException("AUTH needs both a user and a password");
        }
        if (authUser != null && target instanceof RelayTarget.Mx) {
            throw new IllegalArgumentException("AUTH credentials are for a smarthost or LMTP server; MX delivery never authenticates");
        }
        if (authUser != null && tlsMode == TlsMode.NONE) {
            throw new IllegalArgumentException("AUTH credentials are sent only over TLS; TLS mode none would never send them");
        }
        socksProxies = List.copyOf(socksProxies);
        if (!socksProxies.isEmpty() && socksProxies.stream().allMatch(p -> p.weight() == 0)) {
            throw new IllegalArgumentException("every SOCKS5 proxy has weight 0, so none would ever be chosen");
        }
        if (mxPort < 1 || mxPort > 65535) {
            throw new IllegalArgumentException("mxPort must be 1 to 65535: " + mxPort);
        }
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(idleTime, "idleTime");
        if (idleTime.isNegative()) {
            throw new IllegalArgumentException("idleTime must not be negative: " + idleTime);
        }
        if (maxConnectionsPerDestination < 1 || maxConnections < maxConnectionsPerDestination) {
            throw new IllegalArgumentException("need 1 <= maxConnectionsPerDestination <= maxConnections, got "
                    + maxConnectionsPerDestination + " and " + maxConnections);
        }
        Objects.requireNonNull(random, "random");
    }

    /** @return the password kept out of logs */
    @Override
    public String toString() {
        return "RelayClientConfig[target=" + target + ", heloName=" + heloName + ", tlsMode=" + tlsMode + ", caFile=" + caFile
                + ", authUser=" + authUser + ", socksProxies=" + socksProxies + ", dnsServer=" + dnsServer + ", mxPort=" + mxPort
                + ", timeouts=" + timeouts + ", idleTime=" + idleTime + ", maxConnectionsPerDestination="
                + maxConnectionsPerDestination + ", maxConnections=" + maxConnections + "]";
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects the settings; {@link #build()} validates them. */
    public static final class Builder {
        private RelayTarget target;
        private String heloName;
        private TlsMode tlsMode = TlsMode.OPPORTUNISTIC;
        private Path caFile;
        private String authUser;
        private String authPassword;
        private List<SocksProxy> socksProxies = List.of();
        private InetSocketAddress dnsServer;
        private int mxPort = RelayTarget.SMTP_PORT;
        private Duration connect = RelayTimeouts.DEFAULTS.connect();
        private Duration greeting = RelayTimeouts.DEFAULTS.greeting();
        private Duration command = RelayTimeouts.DEFAULTS.command();
        private Duration dataBlock = RelayTimeouts.DEFAULTS.dataBlock();
        private Duration dataEnd = RelayTimeouts.DEFAULTS.dataEnd();
        private Duration transaction = RelayTimeouts.DEFAULTS.transaction();
        private Duration idleTime = Duration.ofSeconds(5);
        private int maxConnectionsPerDestination = 10;
        private int maxConnections = 100;
        private RandomGenerator random;

        private Builder() {
        }

        /** Where mail goes. Required. */
        public Builder target(RelayTarget target) {
            this.target = target;
            return this;
        }

        /** Where mail goes, as {@code --relay} takes it ({@link RelayTarget#parse}). Required. */
        public Builder target(String relay) {
            return target(RelayTarget.parse(relay));
        }

        /** The EHLO name. Default: this machine's host name, or {@code localhost} when it has none. */
        public Builder heloName(String name) {
            this.heloName = name;
            return this;
        }

        /** When to use STARTTLS. Default: {@link TlsMode#OPPORTUNISTIC}. */
        public Builder tlsMode(TlsMode mode) {
            this.tlsMode = mode;
            return this;
        }

        /** PEM certificates to trust in {@link TlsMode#VERIFY} mode. Default: none, the system trust store. */
        public Builder caFile(Path file) {
            this.caFile = file;
            return this;
        }

        /** AUTH PLAIN or LOGIN to a smarthost, sent only over TLS. Default: no AUTH. */
        public Builder auth(String user, String password) {
            this.authUser = user;
            this.authPassword = password;
            return this;
        }

        /** SOCKS5 proxies for every connection. Default: none, direct connections. */
        public Builder socksProxies(List<SocksProxy> proxies) {
            this.socksProxies = proxies;
            return this;
        }

        /** SOCKS5 proxies in Exim's {@code socks_proxy} syntax ({@link SocksProxy#parseList}). */
        public Builder socksProxies(String eximList) {
            return socksProxies(SocksProxy.parseList(eximList));
        }

        /** The one DNS server to ask. Default: the system's name servers. */
        public Builder dnsServer(InetSocketAddress server) {
            this.dnsServer = server;
            return this;
        }

        /** The port of MX hosts (tests, unusual setups). Default: 25. */
        public Builder mxPort(int port) {
            this.mxPort = port;
            return this;
        }

        /**
         * One connection to one address, every SOCKS5 proxy attempt included; also each DNS lookup, the wait
         * for a free connection slot, and the RSET before reuse. Default: 30 s.
         */
        public Builder connectTimeout(Duration d) {
            this.connect = d;
            return this;
        }

        /** The 220 greeting. Default: 5 min (RFC 5321 4.5.3.2.1). */
        public Builder greetingTimeout(Duration d) {
            this.greeting = d;
            return this;
        }

        /** Each command's reply, and the TLS handshake. Default: 5 min (RFC 5321 4.5.3.2). */
        public Builder commandTimeout(Duration d) {
            this.command = d;
            return this;
        }

        /** Writing each block of the message. Default: 3 min (RFC 5321 4.5.3.2.5). */
        public Builder dataBlockTimeout(Duration d) {
            this.dataBlock = d;
            return this;
        }

        /** The reply after the end of the message. Default: 10 min (RFC 5321 4.5.3.2.6). */
        public Builder dataEndTimeout(Duration d) {
            this.dataEnd = d;
            return this;
        }

        /** The whole attempt. Default: 30 min. */
        public Builder transactionTimeout(Duration d) {
            this.transaction = d;
            return this;
        }

        /** How long a finished connection is kept for the next delivery of its route; zero keeps none. Default: 5 s. */
        public Builder idleTime(Duration d) {
            this.idleTime = d;
            return this;
        }

        /** Connections per route (a smarthost, an LMTP server, a recipient domain). Default: 10. */
        public Builder maxConnectionsPerDestination(int n) {
            this.maxConnectionsPerDestination = n;
            return this;
        }

        /** Connections in all. Default: 100. */
        public Builder maxConnections(int n) {
            this.maxConnections = n;
            return this;
        }

        /** The source of randomness, thread-safe (tests make it repeatable). Default: a new {@link Random}. */
        public Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException when a setting is missing or invalid
         */
        public RelayClientConfig build() {
            if (target == null) {
                throw new IllegalArgumentException("a relay target is required (smtp://host, lmtp://host or mx)");
            }
            return new RelayClientConfig(target, heloName == null ? localHostName() : heloName, tlsMode, caFile, authUser,
                    authPassword, socksProxies, dnsServer, mxPort,
                    new RelayTimeouts(connect, greeting, command, dataBlock, dataEnd, transaction), idleTime,
                    maxConnectionsPerDestination, maxConnections, random == null ? new Random() : random);
        }

        private static String localHostName() {
            try {
                String name = InetAddress.getLocalHost().getHostName();
                return name.isEmpty() || name.indexOf(' ') >= 0 ? "localhost" : name;
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }
    }
}
