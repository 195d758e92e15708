package dev.postern.protocol;

import dev.postern.Envelope;
import dev.postern.Listener;
import dev.postern.SmtpSession;
import dev.postern.auth.Authentication;
import dev.postern.proxy.ProxyInfo;
import dev.postern.tls.TlsInfo;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The mutable state behind the {@link SmtpSession} view hooks see. Only the protocol changes it (the
 * transport goes through {@link SmtpProtocol}), always from the one thread that runs the session at that
 * moment. Its mutators are package-private, so a hook that casts its session cannot rewrite it.
 */
public final class SessionState implements SmtpSession {

    private final String id;
    private final InetSocketAddress socketLocal;
    private final InetSocketAddress socketRemote;
    private final Instant connectedAt;
    private InetSocketAddress local;
    private InetSocketAddress remote;
    private String remoteHostName;
    private String heloName;
    private boolean esmtp;
    private Envelope envelope;
    private int errors;
    private int unknownCommands;
    private int messages;
    private TlsInfo tls;
    private String authenticatedUser;
    private Authentication authentication;
    private final Listener listener;
    private final String serverHostname;
    private String transactionId;
    private boolean proxied;
    private Map<String, Object> attributes;
    private String greeting;
    private String heloResponse;
    private ProxyInfo proxy;
    private Map<String, String> xforward = Map.of();
    private boolean quiet;

    public SessionState(String id, InetSocketAddress socketLocal, InetSocketAddress socketRemote, Instant connectedAt,
                        String greeting, String heloResponse) {
        this(id, socketLocal, socketRemote, connectedAt, greeting, heloResponse, null, heloResponse);
    }

    /** A session of {@code listener} (null: none known) on the server named {@code serverHostname}. */
    public SessionState(String id, InetSocketAddress socketLocal, InetSocketAddress socketRemote, Instant connectedAt,
                        String greeting, String heloResponse, Listener listener, String serverHostname) {
        this.listener = listener;
        this.serverHostname = serverHostname;
        this.id = Objects.requireNonNull(id);
        this.socketLocal = socketLocal;
        this.socketRemote = socketRemote;
        this.local = socketLocal;
        this.remote = socketRemote;
        this.connectedAt = connectedAt;
        this.greeting = greeting;
        this.heloResponse = heloResponse;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress socketRemoteAddress() {
        return socketRemote;
    }

    @Override
    public InetSocketAddress socketLocalAddress() {
        return socketLocal;
    }

    @Override
    public Optional<String> remoteHostName() {
        return Optional.ofNullable(remoteHostName);
    }

    @Override
    public Instant connectedAt() {
        return connectedAt;
    }

    @Override
    public String heloName() {
        return heloName;
    }

    @Override
    public boolean isEsmtp() {
        return esmtp;
    }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override
    public int errorCount() {
        return errors;
    }

    @Override
    public int unknownCommandCount() {
        return unknownCommands;
    }

    @Override
    public int messageCount() {
        return messages;
    }

    @Override
    public boolean isSecure() {
        return tls != null;
    }

    @Override
    public Optional<TlsInfo> tls() {
        return Optional.ofNullable(tls);
    }

    @Override
    public Optional<String> authenticatedUser() {
        return Optional.ofNullable(authenticatedUser);
    }

    @Override
    public Optional<Authentication> authentication() {
        return Optional.ofNullable(authentication);
    }

    @Override
    public Listener listener() {
        return listener;
    }

    @Override
    public String serverHostname() {
        return serverHostname;
    }

    @Override
    public Optional<String> transactionId() {
        return Optional.ofNullable(transactionId);
    }

    @Override
    public void setRemoteHostName(String name) {
        if (name != null && (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            throw new IllegalArgumentException("host name must be non-empty, without spaces or controls");
        }
        remoteHostName = name;
    }

    @Override
    public boolean isProxied() {
        return proxied;
    }

    @Override
    public Optional<ProxyInfo> proxy() {
        return Optional.ofNullable(proxy);
    }

    @Override
    public Map<String, String> xforward() {
        return xforward;
    }

    /** Whether per-session log events are suppressed (the client is an ignored host, e.g. a health check). */
    public boolean isQuiet() {
        return quiet;
    }

    void quiet(boolean on) {
        quiet = on;
    }

    /** Records a PROXY header; a PROXY command with addresses makes its source the client. */
    void proxy(ProxyInfo info) {
        proxy = info;
        if (info.hasClientAddress()) {
            proxiedIdentity(info.source(), info.destination());
        }
    }

    void xforward(Map<String, String> attributes) {
        Map<String, String> merged = new LinkedHashMap<>(xforward);
        merged.putAll(attributes);
        xforward = Collections.unmodifiableMap(merged);
    }

    void clearXforward() {
        xforward = Map.of();
    }

    /** XCLIENT: the SMTP-level proxy overrides what the server knows of the client. */
    void xclient(InetSocketAddress realRemote, InetSocketAddress realLocal, String name, boolean nameKnown,
                 String helo, Boolean esmtpProto, String login) {
        proxiedIdentity(realRemote, realLocal);
        if (nameKnown) {
            remoteHostName = name;
        }
        if (helo != null) {
            heloName = helo;
        }
        if (esmtpProto != null) {
            esmtp = esmtpProto;
        }
        if (login != null) {
            authenticatedUser = login.isEmpty() ? null : login;
            authentication = null;
        }
    }

    @Override
    public Map<String, Object> attributes() {
        if (attributes == null) {
            attributes = new HashMap<>();
        }
        return attributes;
    }

    @Override
    public String greeting() {
        return greeting;
    }

    @Override
    public void setGreeting(String text) {
        greeting = singleLine(text);
    }

    @Override
    public String heloResponse() {
        return heloResponse;
    }

    @Override
    public void setHeloResponse(String text) {
        heloResponse = singleLine(text);
    }

    // As MidiSmtpServer: CR and LF are stripped, so a hook cannot inject a reply line.
    private static String singleLine(String text) {
        return Objects.requireNonNull(text, "text").replace("\r", "").replace("\n", "");
    }

    void helo(String name, boolean extended) {
        heloName = name;
        esmtp = extended;
    }

    void envelope(Envelope e) {
        envelope = e;
    }

    void countError() {
        errors++;
    }

    void countUnknownCommand() {
        unknownCommands++;
    }

    void countMessage() {
        messages++;
    }

    /** Sets the real client identity learned from a trusted proxy. */
    private void proxiedIdentity(InetSocketAddress realRemote, InetSocketAddress realLocal) {
        if (realRemote != null) {
            remote = realRemote;
        }
        if (realLocal != null) {
            local = realLocal;
        }
        proxied = true;
    }

    void remoteHostName(String name) {
        remoteHostName = name;
    }

    /** The TLS handshake is done (implicit TLS, or after STARTTLS). */
    void tls(TlsInfo info) {
        tls = info;
    }

    /** RFC 3207 4.2: after STARTTLS the server forgets what the client said in clear (its EHLO). */
    void forgetHelo() {
        heloName = null;
        esmtp = false;
    }

    /** Forgets the AUTH of the session (after STARTTLS). */
    void forgetAuthentication() {
        authenticatedUser = null;
        authentication = null;
    }

    void authenticated(Authentication done) {
        authentication = done;
        authenticatedUser = done.authorizationId();
    }

    void transactionId(String txId) {
        transactionId = txId;
    }
}
