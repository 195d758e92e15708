package dev.postern.server;

import dev.postern.Envelope;
import dev.postern.SmtpSession;
import dev.postern.proxy.ProxyInfo;
import dev.postern.tls.TlsInfo;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A SmtpSession with settable fields, for hooks tested without a connection. */
final class FakeSession implements SmtpSession {

    String id = "S1";
    InetSocketAddress remote = new InetSocketAddress("192.0.2.7", 40000);
    /** The proxy's address when {@link #proxied}; else the connection's peer is the client. */
    InetSocketAddress proxyHop;
    boolean proxied;
    String remoteHostName;
    String heloName = "client.example";
    boolean esmtp = true;
    boolean secure;
    /** The TLS layer; setting it makes the session secure. */
    TlsInfo tls;
    String user;
    Envelope envelope;
    Map<String, String> xforward = Map.of();
    /** The session's listener; null: none known. */
    dev.postern.Listener listener;
    private final Map<String, Object> attributes = new HashMap<>();

    @Override public dev.postern.Listener listener() { return listener; }

    @Override public String id() { return id; }
    @Override public InetSocketAddress localAddress() { return new InetSocketAddress("127.0.0.1", 2525); }
    @Override public InetSocketAddress remoteAddress() { return remote; }
    @Override public InetSocketAddress socketRemoteAddress() { return proxied ? proxyHop : remote; }
    @Override public InetSocketAddress socketLocalAddress() { return localAddress(); }
    @Override public Optional<String> remoteHostName() { return Optional.ofNullable(remoteHostName); }
    @Override public Instant connectedAt() { return Instant.EPOCH; }
    @Override public String heloName() { return heloName; }
    @Override public boolean isEsmtp() { return esmtp; }
    @Override public Envelope envelope() { return envelope; }
    @Override public int errorCount() { return 0; }
    @Override public int unknownCommandCount() { return 0; }
    @Override public int messageCount() { return 0; }
    @Override public boolean isSecure() { return secure || tls != null; }
    @Override public Optional<TlsInfo> tls() { return Optional.ofNullable(tls); }
    @Override public Optional<String> authenticatedUser() { return Optional.ofNullable(user); }
    @Override public boolean isProxied() { return proxied; }
    @Override public Optional<ProxyInfo> proxy() { return Optional.empty(); }
    @Override public Map<String, String> xforward() { return xforward; }
    @Override public Map<String, Object> attributes() { return attributes; }
    @Override public String greeting() { return "test ESMTP"; }
    @Override public void setGreeting(String text) { }
    @Override public String heloResponse() { return "test"; }
    @Override public void setHeloResponse(String text) { }
}
