package dev.postern.server;

import dev.postern.relay.client.RelayClientConfig;
import dev.postern.relay.client.RelayTarget;
import dev.postern.relay.client.SocksProxy;
import dev.postern.relay.client.TlsMode;
import dev.postern.relay.queue.DeliverySettings;
import dev.postern.relay.queue.MailQueue;
import dev.postern.relay.queue.RetrySchedule;
import dev.postern.server.ValueConverters.ByteSizeConverter;
import dev.postern.server.ValueConverters.DnsServerConverter;
import dev.postern.server.ValueConverters.DomainConverter;
import dev.postern.server.ValueConverters.DurationConverter;
import dev.postern.server.ValueConverters.RelayNetworksConverter;
import dev.postern.server.ValueConverters.RelayTargetConverter;
import dev.postern.server.ValueConverters.RelayTlsConverter;
import dev.postern.server.ValueConverters.RetryScheduleConverter;
import dev.postern.server.ValueConverters.SocksProxyConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The relay flags of {@code postern serve}: where accepted mail goes ({@code --relay}), the durable
 * queue in front of it, the outbound client (TLS, AUTH, SOCKS5 proxies, DNS) and who may relay. In the
 * config file they are top-level keys like the other flags; {@code socks-proxy} may also be a list of
 * mappings ({@link SocksProxyEntries}).
 */
final class RelayOptions {

    static final String RELAY = "--relay";

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    /** This mixin's own options, the relay flags. */
    @Spec
    private CommandSpec relayOptions;

    @Option(names = RELAY, paramLabel = "smtp://HOST[:PORT][,HOST[:PORT]...]|lmtp://HOST[:PORT]|mx",
            converter = RelayTargetConverter.class,
            description = "Relay accepted mail instead of storing it in --maildir: to smarthosts (tried in order; port 25 "
                    + "by default), an LMTP server (port 24), or each recipient domain's MX hosts. Every message is in the "
                    + "queue (--queue-dir), on disk, before the client gets 250. Needs --domains or --relay-networks. "
                    + "Default: none (Maildir delivery).")
    private RelayTarget relay;

    @Option(names = "--domains", paramLabel = "DOMAIN", split = ",", converter = DomainConverter.class,
            description = "Domains whose mail is accepted from any client and relayed; exact names, case ignored, "
                    + "subdomains not included. Other recipients get 550 5.7.1 unless the client may relay. Default: none.")
    private List<String> domains;

    @Option(names = "--relay-networks", paramLabel = "CIDR[,CIDR...]", converter = RelayNetworksConverter.class,
            description = "Clients that may relay to any domain, by their real address (after a PROXY header or XCLIENT), "
                    + "e.g. 10.0.0.0/8,192.168.0.0/16; authenticated clients may too. Default: none.")
    private List<String> relayNetworks;

    @Option(names = "--queue-dir", paramLabel = "DIR", defaultValue = "./queue",
            description = "The queue: one content and one state file per message, each written, fsynced and renamed into "
                    + "place; kept across restarts, and locked against a second server. Default: ${DEFAULT-VALUE}.")
    private Path queueDir;

    @Option(names = "--queue-max-size", paramLabel = "SIZE", defaultValue = "1GiB", converter = ByteSizeConverter.class,
            description = "Octets of queued messages at most; then new mail gets 452 4.3.1 (at MAIL when it declares its "
                    + "SIZE). Default: ${DEFAULT-VALUE}.")
    private long queueMaxSize;

    @Option(names = "--queue-max-messages", paramLabel = "N", defaultValue = "10000",
            description = "Queued messages at most; then new mail gets 452 4.3.1. Default: ${DEFAULT-VALUE}.")
    private int queueMaxMessages;

    @Option(names = "--retry-schedule", paramLabel = "DURATION[,DURATION...]", defaultValue = "1m,5m,15m,30m,1h,2h,4h",
            converter = RetryScheduleConverter.class,
            description = "Waits before the 2nd, 3rd, ... attempt of a deferred recipient, each a number and s, m, h or d; "
                    + "the last repeats. Default: ${DEFAULT-VALUE}.")
    private String retrySchedule;

    @Option(names = "--max-queue-time", paramLabel = "DURATION", defaultValue = "5d", converter = DurationConverter.class,
            description = "A recipient still deferred this long after the message arrived fails, and its sender gets a "
                    + "delivery status notification. Default: ${DEFAULT-VALUE}.")
    private Duration maxQueueTime;

    @Option(names = "--max-deliveries", paramLabel = "N", defaultValue = "50",
            description = "Delivery attempts (outbound transactions) at once. Default: ${DEFAULT-VALUE}.")
    private int maxDeliveries;

    @Option(names = "--max-connections-per-destination", paramLabel = "N", defaultValue = "10",
            description = "Attempts and connections at once to one destination: a smarthost, the LMTP server, or a "
                    + "recipient domain's MX hosts. Default: ${DEFAULT-VALUE}.")
    private int maxConnectionsPerDestination;

    @Option(names = "--relay-tls", paramLabel = "none|opportunistic|required|verify", defaultValue = "opportunistic",
            converter = RelayTlsConverter.class,
            description = "STARTTLS to the next hop: when offered, any certificate (opportunistic); always, any certificate "
                    + "(required); always, a trusted certificate for the host's name (verify); never (none). "
                    + "Default: ${DEFAULT-VALUE}.")
    private TlsMode relayTls;

    @Option(names = "--relay-tls-ca", paramLabel = "FILE",
            description = "PEM certificates that --relay-tls verify trusts instead of the system's. Default: the system trust store.")
    private Path relayTlsCa;

    @Option(names = "--relay-user", paramLabel = "NAME",
            description = "AUTH PLAIN or LOGIN as NAME to the smarthost or LMTP server, only over TLS; needs "
                    + "--relay-password-file. Default: none (no AUTH).")
    private String relayUser;

    @Option(names = "--relay-password-file", paramLabel = "FILE",
            description = "File whose first line is the --relay-user password. Default: none.")
    private Path relayPasswordFile;

    @Option(names = "--socks-proxy", paramLabel = "LIST", converter = SocksProxyConverter.class,
            description = "Connect through SOCKS5 proxies, Exim's socks_proxy syntax: entries separated by ' : ', each an IP "
                    + "address and options auth=none|name name= pass= port= (1080) tmo= (5 s) pri= (higher first) weight=, "
                    + "e.g. \"10.0.0.1 port=1080 pri=2 : 10.0.0.2 auth=name name=relay pass=secret\"; '<;' first for IPv6. "
                    + "Default: none (direct connections).")
    private String socksProxy;

    @Option(names = "--dns-server", paramLabel = "IP:PORT", converter = DnsServerConverter.class,
            description = "The one DNS server for MX and address lookups, e.g. 127.0.0.1:53. Default: the system's.")
    private InetSocketAddress dnsServer;

    @Option(names = "--mx-port", paramLabel = "PORT", defaultValue = "25",
            description = "Port of MX hosts with --relay mx; another is for tests and unusual setups. Default: ${DEFAULT-VALUE}.")
    private int mxPort;

    /** Whether {@code --relay} is set, so that accepted mail is queued and relayed. */
    boolean relaying() {
        return relay != null;
    }

    /**
     * The relay settings, or null without {@code --relay}.
     *
     * @param hostname     the server's name: the EHLO name and the DSNs' Reporting-MTA
     * @param closeTimeout how long a graceful stop waits for deliveries in flight
     * @param fileProxies  the config file's {@code socks-proxy} list, or null
     * @param given        the long names of the options set by a flag or in the config file
     * @param warnings     gets settings that are valid but probably not what was meant
     * @throws ParameterException for a bad or contradictory setting, in one line
     */
    RelaySettings settings(String hostname, Duration closeTimeout, List<SocksProxy> fileProxies, Set<String> given,
                           List<String> warnings) {
        if (relay == null) {
            String unused = relayOptions.options().stream().map(o -> o.longestName()).filter(given::contains)
                    .collect(Collectors.joining(", "));
            if (!unused.isEmpty()) {
                warnings.add(unused + " without " + RELAY + ": not used, every message goes to the Maildir");
            }
            return null;
        }
        if (domains == null && relayNetworks == null) {
            throw usage(RELAY + " needs --domains (accepted from anyone) or --relay-networks (clients that may relay "
                    + "anywhere): Postern is never an open relay");
        }
        RelayAccess access = new RelayAccess(domains == null ? List.of() : domains,
                RelayAccess.networks(relayNetworks == null ? "" : String.join(",", relayNetworks)));
        positive("--max-deliveries", maxDeliveries);
        positive("--max-connections-per-destination", maxConnectionsPerDestination);
        positive("--queue-max-messages", queueMaxMessages);
        positive("--queue-max-size", queueMaxSize);
        if (mxPort < 1 || mxPort > 65535) {
            throw usage("--mx-port must be from 1 to 65535, not " + mxPort);
        }
        if (maxQueueTime.isNegative() || maxQueueTime.isZero()) {
            throw usage("--max-queue-time must be positive, not " + maxQueueTime);
        }
        RelayClientConfig.Builder client = RelayClientConfig.builder()
                .target(relay)
                .heloName(hostname)
                .tlsMode(relayTls)
                .caFile(caFile())
                .socksProxies(socksProxy != null ? SocksProxy.parseList(socksProxy) : fileProxies != null ? fileProxies : List.of())
                .dnsServer(dnsServer)
                .mxPort(mxPort)
                .maxConnectionsPerDestination(maxConnectionsPerDestination)
                // Each attempt holds one connection; idle ones beyond this are closed to make room.
                .maxConnections(Math.max(maxDeliveries, maxConnectionsPerDestination));
        auth(client, warnings);
        DeliverySettings delivery = DeliverySettings.builder()
                .maxConcurrent(maxDeliveries)
                .maxPerRoute(maxConnectionsPerDestination)
                .retry(RetrySchedule.parse(retrySchedule, maxQueueTime))
                .reportingMta(hostname)
                .closeTimeout(closeTimeout)
                .build();
        return new RelaySettings(queueDir, new MailQueue.Limits(queueMaxMessages, queueMaxSize), client.build(), delivery, access);
    }

    private Path caFile() {
        if (relayTlsCa == null) {
            return null;
        }
        if (relayTls != TlsMode.VERIFY) {
            throw usage("--relay-tls-ca needs --relay-tls verify: only then are certificates checked");
        }
        if (!Files.isRegularFile(relayTlsCa) || !Files.isReadable(relayTlsCa)) {
            throw usage("cannot read the --relay-tls-ca file " + relayTlsCa);
        }
        return relayTlsCa;
    }

    private void auth(RelayClientConfig.Builder client, List<String> warnings) {
        if ((relayUser == null) != (relayPasswordFile == null)) {
            throw usage("--relay-user and --relay-password-file go together: the name and the file with its password");
        }
        if (relayUser == null) {
            return;
        }
        if (relay instanceof RelayTarget.Mx) {
            throw usage("--relay-user is for a smarthost or LMTP server; --relay mx delivers to MX hosts, which take no AUTH");
        }
        if (relayTls == TlsMode.NONE) {
            throw usage("--relay-user needs TLS: AUTH is sent only over TLS, and --relay-tls none never starts it");
        }
        if (relayTls == TlsMode.OPPORTUNISTIC) {
            warnings.add("--relay-user with --relay-tls opportunistic: a next hop without STARTTLS gets no credentials and "
                    + "the mail waits in the queue; --relay-tls required or verify says so at once");
        }
        try {
            client.auth(relayUser, SecretFile.firstLine(relayPasswordFile, "--relay-password-file", "the --relay-user password"));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private void positive(String flag, long value) {
        if (value < 1) {
            throw usage(flag + " must be at least 1, not " + value);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
