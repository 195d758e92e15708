package dev.postern.protocol;

import dev.postern.Envelope;
import dev.postern.Session;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The mutable state behind the {@link Session} view hooks see. Only the protocol and the transport
 * change it, always from the one thread that runs the session at that moment.
 */
public final class SessionState implements Session {

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
    private boolean secure;
    private String authenticatedUser;
    private boolean proxied;
    private Map<String, Object> attributes;
    private String greeting;
    private String heloResponse;

    public SessionState(String id, InetSocketAddress socketLocal, InetSocketAddress socketRemote, Instant connectedAt,
                        String greeting, String heloResponse) {
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
        return secure;
    }

    @Override
    public Optional<String> authenticatedUser() {
        return Optional.ofNullable(authenticatedUser);
    }

    @Override
    public boolean isProxied() {
        return proxied;
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
    public void proxiedIdentity(InetSocketAddress realRemote, InetSocketAddress realLocal) {
        if (realRemote != null) {
            remote = realRemote;
        }
        if (realLocal != null) {
            local = realLocal;
        }
        proxied = true;
    }

    public void remoteHostName(String name) {
        remoteHostName = name;
    }

    public void secure(boolean on) {
        secure = on;
    }

    public void authenticatedUser(String user) {
        authenticatedUser = user;
    }
}
