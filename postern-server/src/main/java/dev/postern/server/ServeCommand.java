package dev.postern.server;

import dev.postern.LineEndingPolicy;
import dev.postern.Listener;
import dev.postern.PathSyntax;
import dev.postern.SmtpServerConfig;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.relay.client.SocksProxy;
import dev.postern.server.ValueConverters.ByteSizeConverter;
import dev.postern.server.ValueConverters.ConnectionRate;
import dev.postern.server.ValueConverters.ConnectionRateConverter;
import dev.postern.server.ValueConverters.PathSyntaxConverter;
import dev.postern.server.ValueConverters.DurationConverter;
import dev.postern.server.ValueConverters.LineEndingsConverter;
import dev.postern.server.ValueConverters.LogFormatConverter;
import dev.postern.server.ValueConverters.ListenerConverter;
import dev.postern.server.ValueConverters.LogLevelConverter;
import dev.postern.server.ValueConverters.ProxyProtocolConverter;
import dev.postern.server.ValueConverters.TrustedSourceConverter;
import dev.postern.server.plugin.PluginContext;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code postern serve}: the standalone SMTP server. Settings come from the flags, then the
 * environment ({@link EnvironmentDefaults}), then the {@code --config} file, then the defaults shown in
 * {@code --help}, which are the library's own (a test keeps them equal). {@code postern check-config}
 * is this command too, resolving the same settings and printing them ({@link EffectiveSettings}).
 */
@Command(name = "serve", sortOptions = false, usageHelpAutoWidth = true,
        description = "Run the SMTP server, delivering every accepted message to a Maildir, or queueing and relaying it (--relay).",
        footer = {"", "Every flag can also be set by an environment variable: POSTERN_ and the flag's name in capitals, dashes as "
                + "underscores (--max-message-size: POSTERN_MAX_MESSAGE_SIZE=25M; a list comma-separated, a switch true or "
                + "false). A flag wins over the variable, the variable over the config file, the file over the default."})
final class ServeCommand implements Callable<Integer> {

    static final String CONFIG_OPTION = "--config";

    @Spec
    private CommandSpec spec;

    /** {@code postern check-config}: resolve and print the settings instead of serving. */
    private final boolean checkOnly;

    /** Long names of the options a flag or an environment variable sets: the config file does not override them. */
    private Set<String> setAboveFile = Set.of();
    /** Where each option's value comes from, for check-config: the long names the config file set. */
    private Set<String> fromFile = Set.of();
    /** The config file's own text of each option it set, for check-config. */
    private Map<String, List<String>> fileValues = Map.of();
    /** The config file's plugins sections, for check-config. */
    private Map<String, Map<String, Object>> pluginSections = Map.of();

    ServeCommand() {
        this(false);
    }

    private ServeCommand(boolean checkOnly) {
        this.checkOnly = checkOnly;
    }

    /** The {@code check-config} command: the flags of {@code serve}, resolved and printed, nothing started. */
    static ServeCommand checkConfig() {
        return new ServeCommand(true);
    }

    @Option(names = CONFIG_OPTION, paramLabel = "FILE",
            description = "YAML settings file; its keys are these flags' names without the dashes, the TLS ones in a tls: "
                    + "mapping without --tls- (tls: {cert: FILE}), each listen entry may set its own proxy-protocol, "
                    + "trusted-proxies and tls: implicit, and socks-proxy may be a list of mappings with pass-file "
                    + "(see postern-server/src/main/resources/postern.example.yml). "
                    + "Flags override it. Default: none.")
    private Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", split = ",", defaultValue = "127.0.0.1:2525",
            converter = ListenerConverter.class,
            description = "Address to listen on; repeat for more. HOST: an IP, [IPv6], a name, * or empty for every interface. Default: ${DEFAULT-VALUE}.")
    private List<Listener> listen;

    @Option(names = "--tls-listen", paramLabel = "HOST:PORT", split = ",", converter = ListenerConverter.class,
            description = "Address for implicit TLS (RFC 8314, like port 465: TLS from the first byte), besides --listen; "
                    + "repeat for more. Needs a certificate (--tls-cert or --tls-self-signed). Default: none.")
    private List<Listener> tlsListen;

    @Option(names = "--lmtp-listen", paramLabel = "HOST:PORT", split = ",", converter = ListenerConverter.class,
            description = "Address speaking LMTP (RFC 2033) instead of SMTP, besides --listen: LHLO, and a reply per "
                    + "recipient after the message, for a mail system handing its final deliveries over (Postfix's lmtp: "
                    + "transport); keep it on loopback or a trusted network. Repeat for more. Default: none.")
    private List<Listener> lmtpListen;

    @Option(names = "--maildir", paramLabel = "DIR", defaultValue = "./mail",
            description = "Maildir to deliver into; tmp/, new/ and cur/ are created. Not used with --relay. Default: ${DEFAULT-VALUE}.")
    private Path maildir;

    @Option(names = "--hostname", paramLabel = "NAME",
            description = "Name of this server in the greeting, the EHLO reply and Received fields. Default: this machine's host name.")
    private String hostname;

    @Option(names = "--max-message-size", paramLabel = "BYTES", defaultValue = "25MiB", converter = ByteSizeConverter.class,
            description = "Largest message (SIZE); e.g. 1048576, 512K, 25M, 25MiB (K/M/G are 1024-based, KB/MB/GB 1000-based). Default: ${DEFAULT-VALUE}.")
    private long maxMessageSize;

    @Option(names = "--max-recipients", paramLabel = "N", defaultValue = "100",
            description = "Recipients per message; more get 452. Default: ${DEFAULT-VALUE}.")
    private int maxRecipients;

    @Option(names = "--max-errors", paramLabel = "N", defaultValue = "20",
            description = "Error replies in a session before the server says 421 and closes. Default: ${DEFAULT-VALUE}.")
    private int maxErrors;

    @Option(names = "--command-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Wait for the next command; e.g. 500ms, 30s, 5m, 1h, 1m30s, PT5M. Default: ${DEFAULT-VALUE}.")
    private Duration commandTimeout;

    @Option(names = "--data-timeout", paramLabel = "DURATION", defaultValue = "3m", converter = DurationConverter.class,
            description = "Wait for more message data during DATA or BDAT. Default: ${DEFAULT-VALUE}.")
    private Duration dataTimeout;

    @Option(names = "--session-deadline", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "Longest life of one connection, whatever it does. Default: ${DEFAULT-VALUE}.")
    private Duration sessionDeadline;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "1000",
            description = "Open connections at once; one more gets 421. Default: ${DEFAULT-VALUE}.")
    private int maxConnections;

    @Option(names = "--max-connections-per-client", paramLabel = "N", defaultValue = "0",
            description = "Open connections at once from one client address (the real client's, after a PROXY header); "
                    + "one more gets 421. 0 for no limit. Default: ${DEFAULT-VALUE}.")
    private int maxConnectionsPerClient;

    @Option(names = "--max-connection-rate", paramLabel = "N/PERIOD", converter = ConnectionRateConverter.class,
            description = "Connections one client address (the real client's, after a PROXY header) may open per PERIOD, "
                    + "smoothed as Exim's ratelimit per_conn, e.g. 30/1m; over it: 421 and close. Refused connections do "
                    + "not count. Default: none (no limit).")
    private ConnectionRate maxConnectionRate;

    @Option(names = "--max-processings", paramLabel = "N", defaultValue = "256",
            description = "Message deliveries and other hook calls running at once; more wait. Default: ${DEFAULT-VALUE}.")
    private int maxProcessings;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Network event-loop threads; 0 for half the cores, at least one. Default: ${DEFAULT-VALUE}.")
    private int ioThreads;

    @Option(names = "--line-endings", paramLabel = "strict|normalize|leave", defaultValue = "normalize",
            converter = LineEndingsConverter.class,
            description = "Bare CR or LF: refuse (strict), turn into CRLF (normalize) or keep in content (leave). Default: ${DEFAULT-VALUE}.")
    private LineEndingPolicy lineEndings;

    @Option(names = "--paths", paramLabel = "strict|lenient", defaultValue = "strict", converter = PathSyntaxConverter.class,
            description = "MAIL FROM and RCPT TO paths: strict needs the angle brackets (RFC 5321); lenient also takes "
                    + "MAIL FROM:user@example.org, as Postfix does, for broken clients. Default: ${DEFAULT-VALUE}.")
    private PathSyntax paths;

    @Option(names = "--reverse-dns",
            description = "Look up each client's reverse DNS name (shown in Received fields). Default: off.")
    private boolean reverseDns;

    @Option(names = "--discard",
            description = "Accept every message and keep nothing, like Postfix's smtp-sink, for load tests. Default: off.")
    private boolean discard;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "On SIGTERM, time open sessions get to finish before they get 421. Default: ${DEFAULT-VALUE}.")
    private Duration shutdownGrace;

    @Option(names = "--drain-delay", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
            description = "On SIGTERM, time between /ready turning 503 and the listeners closing, while new clients are still "
                    + "served: long enough for a load balancer's health checks to take this server out. Then sessions get "
                    + "--shutdown-grace. Default: ${DEFAULT-VALUE}.")
    private Duration drainDelay;

    @Option(names = "--http-listen", paramLabel = "HOST:PORT", converter = ListenerConverter.class,
            description = "Address of an HTTP endpoint for monitoring: GET /metrics (Prometheus), /health and /ready (503 "
                    + "once a stop has begun). For operators only: keep it off public networks. Default: none (off).")
    private Listener httpListen;

    @Option(names = "--proxy-protocol", paramLabel = "off|optional|required", defaultValue = "off",
            converter = ProxyProtocolConverter.class,
            description = "Read a PROXY protocol v1/v2 header (HAProxy, nginx...) on every --listen address, only from "
                    + "--trusted-proxies: required (closes connections without one) or optional. Default: ${DEFAULT-VALUE}.")
    private ProxyProtocolMode proxyProtocol;

    @Option(names = "--trusted-proxies", paramLabel = "CIDR[,CIDR...]", converter = TrustedSourceConverter.class,
            description = "Proxies allowed to send PROXY headers, e.g. 127.0.0.1/32,10.0.0.0/8,::1; needed when --proxy-protocol "
                    + "is not off. '*' trusts anyone (any client could then fake its address). Default: none.")
    private List<String> trustedProxies;

    @Option(names = "--proxy-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Time a trusted proxy has to send its whole PROXY header; then the connection is closed. Default: ${DEFAULT-VALUE}.")
    private Duration proxyTimeout;

    @Option(names = "--proxy-optional-wait", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.class,
            description = "With --proxy-protocol optional, silence from a trusted source after which it is greeted as a direct "
                    + "client. Default: ${DEFAULT-VALUE}.")
    private Duration proxyOptionalWait;

    @Option(names = "--xclient-hosts", paramLabel = "CIDR[,CIDR...]", converter = TrustedSourceConverter.class,
            description = "Clients allowed to use XCLIENT (Postfix's) to set the client address, name and HELO. Default: none.")
    private List<String> xclientHosts;

    @Option(names = "--xforward-hosts", paramLabel = "CIDR[,CIDR...]", converter = TrustedSourceConverter.class,
            description = "Clients allowed to use XFORWARD (Postfix's) to pass on the original client's details. Default: none.")
    private List<String> xforwardHosts;

    @Option(names = "--ignored-hosts", paramLabel = "CIDR[,CIDR...]", converter = TrustedSourceConverter.class,
            description = "Clients (e.g. load-balancer health checks) served but not logged per session. Default: none.")
    private List<String> ignoredHosts;

    @Mixin
    private TlsOptions tls;

    @Mixin
    private RelayOptions relay;

    @Mixin
    private dev.postern.server.admin.AdminOptions admin;

    @Mixin
    private AuthOptions auth;

    @Option(names = "--log-level", paramLabel = "error|warn|info|debug|off", defaultValue = "info",
            converter = LogLevelConverter.class,
            description = "Least severe log event written to stderr: info writes about 3 lines per session, warn only problems "
                    + "and the start and stop lines. Default: ${DEFAULT-VALUE}.")
    private LogThreshold logLevel;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text", converter = LogFormatConverter.class,
            description = "Log lines as text (one line per event) or json (one JSON object per line, with fields: time, level, "
                    + "event, session, client, proxy, tls, user, message_id, octets, reply, ...). Default: ${DEFAULT-VALUE}.")
    private LogFormat logFormat;

    @Option(names = "--plugin-dir", paramLabel = "DIR",
            description = "Directory of plugin jars (each jar, or each subdirectory of jars, in a class loader of its own) "
                    + "whose handlers --handler chooses by name. Default: none.")
    private Path pluginDir;

    @Option(names = "--handler", paramLabel = "NAME[,NAME...]", split = ",",
            description = "Plugin handlers from --plugin-dir to run, in this order, before the delivery (Maildir or relay), "
                    + "each configured from the config file's plugins: {NAME: {...}} section; repeatable. Default: none.")
    private List<String> handlers;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Override
    public Integer call() throws Exception {
        if (checkOnly) {
            ServeSettings settings = settings();
            return new EffectiveSettings(spec, environment(), setAboveFile, fromFile, fileValues, pluginSections).print(settings);
        }
        // Before the settings are read (a config or users file may be a slow pipe): a SIGTERM from here on is an
        // orderly stop with exit 0, not the JVM's 143.
        ServeLifecycle lifecycle = ServeLifecycle.install();
        ServeSettings settings;
        try {
            settings = settings();
            settings.logFormat().apply();
            settings.logLevel().apply();
        } catch (RuntimeException | Error e) {
            lifecycle.failed(e);
            throw e;
        }
        new StandaloneServer(settings).runUntilShutdown(lifecycle);
        return 0;
    }

    /** The settings from the flags, the config file and the defaults; a bad one is a usage error. */
    ServeSettings settings() {
        Set<String> given = new HashSet<>();
        spec.commandLine().getParseResult().matchedOptions().forEach(o -> given.add(o.longestName()));
        EnvironmentDefaults environment = environment();
        spec.options().stream().filter(environment::sets).forEach(o -> given.add(o.longestName()));
        setAboveFile = Set.copyOf(given);
        FileSettings file = config != null ? applyConfigFile(given) : new FileSettings(null, null, Map.of());
        List<ConfigFile.ListenEntry> fileListeners = file.listeners();
        try {
            TrustedSources xclient = trusted(xclientHosts);
            TrustedSources xforward = trusted(xforwardHosts);
            SmtpServerConfig.Builder server = SmtpServerConfig.builder()
                    .maxMessageSize(maxMessageSize)
                    .maxRecipients(maxRecipients)
                    .maxErrors(maxErrors)
                    .commandTimeout(commandTimeout)
                    .dataTimeout(dataTimeout)
                    .sessionDeadline(sessionDeadline)
                    .maxConnections(maxConnections)
                    .maxConnectionsPerClient(maxConnectionsPerClient)
                    .maxProcessings(maxProcessings)
                    .ioThreads(ioThreads)
                    .lineEndings(lineEndings)
                    .reverseDnsLookup(reverseDns)
                    .proxyTimeout(proxyTimeout)
                    .proxyOptionalWait(proxyOptionalWait)
                    .xclientHosts(xclient)
                    .xforwardHosts(xforward)
                    .ignoredHosts(trusted(ignoredHosts))
                    .pathSyntax(paths);
            if (maxConnectionRate != null) {
                server.connectionRateLimit(maxConnectionRate.connections(), maxConnectionRate.period());
            }
            auth.configure(server);
            // The library's default name, resolved here already: a self-signed certificate is made out to it.
            String name = hostname != null ? hostname : SmtpServerConfig.builder().build().hostname();
            TlsConfig tlsConfig = tls.config(name);
            server.hostname(name).tls(tlsConfig).startTls(tls.startTls());
            List<String> warnings = new ArrayList<>();
            boolean implicitTls = false;
            for (Listener listener : listeners(fileListeners)) {
                server.listen(listener);
                if (listener.proxyProtocol() == ProxyProtocolMode.OFF && !listener.trustedProxies().equals(TrustedSources.NONE)) {
                    warnings.add("listener " + listener + " has trusted proxies but --proxy-protocol off: no PROXY header is read");
                }
                if (listener.implicitTls() && tlsConfig == null) {
                    throw new ParameterException(spec.commandLine(), TlsOptions.needsCertificate(
                            "implicit-TLS listener " + Listener.of(listener.host(), listener.port())));
                }
                implicitTls |= listener.implicitTls();
            }
            if (tlsConfig != null && tlsConfig.keys() instanceof TlsConfig.SelfSigned) {
                warnings.add("--tls-self-signed: clients cannot verify the certificate generated for " + name
                        + "; give --tls-cert and --tls-key for one they can");
            }
            if (tlsConfig != null && tls.startTls() == StartTlsMode.OFF && !implicitTls) {
                warnings.add("a TLS certificate is configured but --starttls is off and no listener is implicit TLS "
                        + "(--tls-listen): no connection uses it");
            }
            boolean tlsUsable = tlsConfig != null && (tls.startTls() != StartTlsMode.OFF || implicitTls);
            AuthSettings authSettings = auth.settings(tlsUsable, given, warnings);
            server.auth(authSettings.config());
            if (xclient.isWildcard()) {
                warnings.add("--xclient-hosts '*': any client can claim any address and name with XCLIENT; list your proxies instead");
            }
            if (xforward.isWildcard()) {
                warnings.add("--xforward-hosts '*': any client can put any client details in Received fields with XFORWARD");
            }
            if (shutdownGrace.isNegative()) {
                throw new IllegalArgumentException("shutdown grace must not be negative: " + shutdownGrace);
            }
            if (drainDelay.isNegative()) {
                throw new IllegalArgumentException("drain delay must not be negative: " + drainDelay);
            }
            if (!drainDelay.isZero() && httpListen == null) {
                warnings.add("--drain-delay without --http-listen: no /ready tells a load balancer to stop sending clients "
                        + "during the delay");
            }
            environment.unknown(spec).forEach(v -> warnings.add("environment variable " + v + " is not a setting of postern "
                    + "serve (see postern serve --help); ignored"));
            if (relay.relaying() && discard) {
                throw new ParameterException(spec.commandLine(), "--discard and --relay exclude each other: with --relay "
                        + "every accepted message is queued and relayed");
            }
            if (relay.relaying() && given.contains("--maildir")) {
                warnings.add("--maildir is not used with --relay: accepted mail goes to the queue and on to the relay");
            }
            RelaySettings relaySettings = relay.settings(name, shutdownGrace, file.socksProxies(), given, warnings);
            if (relaySettings != null && relaySettings.limits().maxBytes() < maxMessageSize) {
                warnings.add("--queue-max-size " + relaySettings.limits().maxBytes() + " is below --max-message-size "
                        + maxMessageSize + ": a message larger than the queue gets 452 (try again later) until its sender gives up");
            }
            var adminSettings = admin.settings(httpListen != null);
            if (adminSettings != null && adminSettings.allowRemote()) {
                warnings.add("--admin-remote: the admin page answers any client that reaches --http-listen " + httpListen
                        + "; keep it behind a firewall or a TLS proxy");
            }
            SmtpServerConfig built = server.build();
            PluginHandlers plugins = plugins(file.pluginSections(), name, warnings);
            return new ServeSettings(built, maildir, discard, shutdownGrace, drainDelay, httpListen, logLevel, relaySettings,
                    List.copyOf(warnings), adminSettings, plugins, logFormat, authSettings);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), invalidSettings(spec, config, e.getMessage()));
        } catch (ParameterException e) {
            // A setting refused here may come from the file (a listener's proxy settings, say): with a config file,
            // every error names it (ConfigFileFuzzTest), as those found while reading the file do.
            if (config != null && (e.getMessage() == null || !e.getMessage().contains(config.toString()))) {
                throw new ParameterException(spec.commandLine(), e.getMessage() + sources(config), e);
            }
            throw e;
        }
    }

    /**
     * A setting the library refused, in the words of this command: the library names its own field
     * ({@code commandTimeout must be positive}), the message names the option ({@code --command-timeout}, the
     * config file's {@code command-timeout}) and, with a config file, the file, as every other setting error
     * does (ConfigFileFuzzTest: an error names the file).
     */
    static String invalidSettings(CommandSpec spec, Path config, String message) {
        String text = message == null ? "" : message;
        java.util.regex.Matcher field = java.util.regex.Pattern.compile("^[a-z][A-Za-z]*\\b").matcher(text);
        if (field.find()) {
            String name = field.group().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
            for (String option : List.of("--" + name, "--tls-" + name)) { // TlsConfig's fields are --tls-* options
                if (spec.findOption(option) != null) {
                    text = option + text.substring(field.end());
                    break;
                }
            }
        }
        return "invalid settings" + sources(config) + ": " + ConfigException.oneLine(text);
    }

    /** Where the settings of an error came from: nothing to say without a config file. */
    private static String sources(Path config) {
        return config != null ? " (flags, environment and " + config + ")" : "";
    }

    /** The environment the command line was given (PosternMain sets it), or none. */
    private EnvironmentDefaults environment() {
        return spec.defaultValueProvider() instanceof EnvironmentDefaults environment ? environment : new EnvironmentDefaults(Map.of());
    }

    /**
     * The listeners with their PROXY protocol, implicit-TLS and LMTP settings. The plain addresses are
     * --listen's, else the file's plain SMTP entries, else the default; the implicit-TLS ones are
     * --tls-listen's, else the file's SMTP entries with {@code tls: implicit}; the LMTP ones are
     * --lmtp-listen's, else the file's entries with {@code protocol: lmtp}. A proxy setting given as a flag
     * applies to every listener; else a listener's own setting in the file applies; else the file's
     * top-level one, else the default.
     */
    private List<Listener> listeners(List<ConfigFile.ListenEntry> fileListeners) {
        boolean listenFlag = setAboveFile.contains("--listen");
        boolean tlsListenFlag = setAboveFile.contains("--tls-listen");
        boolean lmtpListenFlag = setAboveFile.contains("--lmtp-listen");
        List<ConfigFile.ListenEntry> entries = new ArrayList<>();
        if (fileListeners != null) {
            fileListeners.stream().filter(e -> e.address().lmtp() ? !lmtpListenFlag
                    : e.address().implicitTls() ? !tlsListenFlag : !listenFlag).forEach(entries::add);
        }
        if (fileListeners == null || listenFlag) {
            listen.forEach(l -> entries.add(new ConfigFile.ListenEntry(l, null, null)));
        }
        if (tlsListenFlag) {
            tlsListen.forEach(l -> entries.add(new ConfigFile.ListenEntry(l.withImplicitTls(), null, null)));
        }
        if (lmtpListenFlag) {
            lmtpListen.forEach(l -> entries.add(new ConfigFile.ListenEntry(l.withLmtp(true), null, null)));
        }
        boolean modeFlag = setAboveFile.contains("--proxy-protocol");
        boolean trustedFlag = setAboveFile.contains("--trusted-proxies");
        List<Listener> listeners = new ArrayList<>();
        for (ConfigFile.ListenEntry entry : entries) {
            ProxyProtocolMode mode = modeFlag || entry.proxyProtocol() == null ? proxyProtocol : entry.proxyProtocol();
            TrustedSources trusted = trustedFlag || entry.trustedProxies() == null ? trusted(trustedProxies) : entry.trustedProxies();
            if (mode != ProxyProtocolMode.OFF && trusted.equals(TrustedSources.NONE)) {
                throw new ParameterException(spec.commandLine(), "listener " + entry.address() + " has --proxy-protocol "
                        + mode.name().toLowerCase(Locale.ROOT) + " but no trusted proxies: give --trusted-proxies "
                        + "CIDR[,CIDR...] (or trusted-proxies in the config file), the addresses of the proxies "
                        + "allowed to send PROXY headers");
            }
            listeners.add(entry.address().withProxyProtocol(mode, trusted));
        }
        return listeners;
    }

    /** The trusted sources of a flag given once or more (each value already checked), or none if not given. */
    private static TrustedSources trusted(List<String> elements) {
        if (elements == null) {
            return TrustedSources.NONE;
        }
        return TrustedSources.parse(String.join(",", elements.stream().filter(e -> !e.isBlank()).toList()));
    }

    /**
     * What the config file gives beyond plain option values.
     *
     * @param listeners    its listen entries, or null if it has none
     * @param socksProxies its socks-proxy list of mappings, or null if it has none or gives an Exim string
     */
    private record FileSettings(List<ConfigFile.ListenEntry> listeners, List<SocksProxy> socksProxies,
                                Map<String, Map<String, Object>> pluginSections) {
    }

    /**
     * The handlers of the plugins --handler names, each made from its section of the config file; null
     * when none is named. Loading happens here, so that a missing name, a bad jar or a bad section is a
     * usage error (exit 2) like any other bad setting.
     */
    private PluginHandlers plugins(Map<String, Map<String, Object>> sections, String hostname, List<String> warnings) {
        List<String> chosen = handlers == null ? List.of() : handlers.stream().map(String::strip).filter(h -> !h.isEmpty()).toList();
        if (chosen.isEmpty()) {
            if (pluginDir != null) {
                warnings.add("--plugin-dir " + pluginDir + " without --handler: no plugin is used");
            }
            return null;
        }
        if (pluginDir == null) {
            throw new ParameterException(spec.commandLine(), "--handler " + String.join(",", chosen)
                    + " needs --plugin-dir DIR, the directory of the plugins' jars");
        }
        for (String name : sections.keySet()) {
            if (!chosen.contains(name)) {
                warnings.add("the config file's section plugins." + name + " is not used: no --handler " + name);
            }
        }
        PluginContext context = new PluginContext() {
            @Override
            public String hostname() {
                return hostname;
            }

            @Override
            public Optional<Path> configFile() {
                return Optional.ofNullable(config);
            }
        };
        try {
            return PluginHandlers.create(pluginDir, chosen, sections, context, config);
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * Takes from the config file every setting that neither a flag nor an environment variable gave.
     *
     * @param given gets the long names of the options the file sets
     */
    private FileSettings applyConfigFile(Set<String> given) {
        Map<String, OptionSpec> settable = ConfigFile.settableOptions(spec, CONFIG_OPTION);
        CommandLine fromFile = new CommandLine(new ServeCommand());
        ParseResult parsed;
        FileSettings fileSettings;
        try {
            ConfigFile file = ConfigFile.read(config);
            fileSettings = new FileSettings(file.listenEntries(), file.socksProxies(), file.pluginSections());
            if (fileSettings.listeners() != null) {
                given.add("--listen");
            }
            if (fileSettings.socksProxies() != null) {
                given.add("--socks-proxy");
            }
            try {
                parsed = fromFile.parseArgs(file.toArguments(settable, ConfigFile.tlsOptions(spec)).toArray(String[]::new));
            } catch (ParameterException e) {
                throw new ConfigException(file.path() + ": " + e.getMessage());
            }
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Set<String> file = new HashSet<>();
        Map<String, List<String>> texts = new HashMap<>();
        for (OptionSpec fromConfig : parsed.matchedOptions()) {
            given.add(fromConfig.longestName());
            if (!setAboveFile.contains(fromConfig.longestName())) {
                spec.findOption(fromConfig.longestName()).setValue(fromConfig.getValue());
                file.add(fromConfig.longestName());
                texts.put(fromConfig.longestName(), List.copyOf(fromConfig.originalStringValues()));
            }
        }
        if (fileSettings.listeners() != null) {
            file.add("--listen");
        }
        this.fromFile = Set.copyOf(file);
        fileValues = Map.copyOf(texts);
        pluginSections = fileSettings.pluginSections();
        return fileSettings;
    }
}
