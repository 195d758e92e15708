package dev.postern.netty;

import dev.postern.tls.TlsConfig;
import dev.postern.tls.TlsInfo;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server's Netty {@link SslContext}s, built from a {@link TlsConfig} when the server is built (so a
 * bad key or certificate fails early, not at the first client), and rebuilt when watched PEM files
 * change. With SNI names configured, connections get Netty's {@link SniHandler}, which picks the
 * context by the name in the ClientHello. Thread-safe: sessions on any event loop ask it for handlers.
 */
final class ServerSslContext {

    private static final Logger LOG = LoggerFactory.getLogger("dev.postern.tls");

    private final TlsConfig config;
    private final Reloading fallback;
    private final Map<String, Reloading> byName = new HashMap<>(); // lower-case names, "*.domain" for wildcards

    ServerSslContext(TlsConfig config) {
        this.config = config;
        this.fallback = new Reloading(config.keys());
        config.sni().forEach((name, keys) -> byName.put(name, new Reloading(keys)));
    }

    /**
     * A handler for one connection. {@code startTls}: the first write (the 220 to STARTTLS) still goes
     * out in clear; an SNI handler reads only, so it never touches that write.
     */
    ChannelHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
        if (byName.isEmpty()) {
            SslHandler handler = new SslHandler(fallback.current().newEngine(alloc), startTls);
            handler.setHandshakeTimeout(config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return handler;
        }
        return new SniHandler((Mapping<String, SslContext>) this::select, config.handshakeTimeout().toMillis());
    }

    /** The context for an SNI host name: exact, then a wildcard one label up, else the default. */
    private SslContext select(String hostName) {
        if (hostName != null) {
            String name = hostName.toLowerCase(Locale.ROOT);
            Reloading exact = byName.get(name);
            if (exact != null) {
                return exact.current();
            }
            int dot = name.indexOf('.');
            Reloading wildcard = dot > 0 ? byName.get("*" + name.substring(dot)) : null;
            if (wildcard != null) {
                return wildcard.current();
            }
        }
        return fallback.current();
    }

    /** One key source's context, rebuilt when its PEM files change (checked at most every reloadInterval). */
    private final class Reloading {
        private final TlsConfig.KeySource keys;
        private volatile SslContext context;
        private volatile long nextCheckNanos;
        private FileTime[] stamps; // guarded by this

        Reloading(TlsConfig.KeySource source) {
            this.keys = source instanceof TlsConfig.SelfSigned s ? s.generate() : source;
            this.stamps = stamps();
            this.context = build(keys);
            this.nextCheckNanos = System.nanoTime() + config.reloadInterval().toNanos();
        }

        SslContext current() {
            if (keys instanceof TlsConfig.PemFiles && !config.reloadInterval().isZero() && System.nanoTime() - nextCheckNanos >= 0) {
                reloadIfChanged();
            }
            return context;
        }

        private synchronized void reloadIfChanged() {
            if (System.nanoTime() - nextCheckNanos < 0) {
                return; // another thread just checked
            }
            nextCheckNanos = System.nanoTime() + config.reloadInterval().toNanos();
            FileTime[] now = stamps();
            if (Arrays.equals(now, stamps)) {
                return;
            }
            try {
                context = build(keys);
                stamps = now;
                LOG.info("TLS certificate reloaded from {}", ((TlsConfig.PemFiles) keys).certificateChain());
            } catch (RuntimeException e) {
                LOG.warn("TLS certificate changed but cannot be loaded, keeping the previous one: {}", e.getMessage());
            }
        }

        private FileTime[] stamps() {
            if (!(keys instanceof TlsConfig.PemFiles pem)) {
                return new FileTime[0];
            }
            try {
                return new FileTime[] {Files.getLastModifiedTime(pem.certificateChain()), Files.getLastModifiedTime(pem.privateKey())};
            } catch (IOException e) {
                return new FileTime[0];
            }
        }
    }

    private SslContext build(TlsConfig.KeySource keys) {
        SslContextBuilder builder = switch (keys) {
            case TlsConfig.PemFiles pem -> {
                requireReadable(pem.certificateChain().toFile(), "certificate");
                requireReadable(pem.privateKey().toFile(), "private key");
                yield SslContextBuilder.forServer(pem.certificateChain().toFile(), pem.privateKey().toFile(), pem.password());
            }
            case TlsConfig.KeyMaterial km -> SslContextBuilder.forServer(km.privateKey(), km.chain().toArray(X509Certificate[]::new));
            case TlsConfig.SelfSigned s -> throw new IllegalStateException("unreachable: generated before building");
        };
        builder.sslProvider(SslProvider.JDK)
                .protocols(config.protocols())
                .clientAuth(switch (config.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case REQUIRE -> ClientAuth.REQUIRE;
                });
        if (!config.cipherSuites().isEmpty()) {
            builder.ciphers(config.cipherSuites());
        }
        if (config.clientAuth() == TlsConfig.ClientAuth.OPTIONAL) {
            if (config.clientCaFile() != null) {
                requireReadable(config.clientCaFile().toFile(), "client CA file");
            }
            builder.trustManager(OptionalClientTrust.of(config.clientCaFile()));
        } else if (config.clientAuth() != TlsConfig.ClientAuth.NONE && config.clientCaFile() != null) {
            requireReadable(config.clientCaFile().toFile(), "client CA file");
            builder.trustManager(config.clientCaFile().toFile());
        }
        try {
            return builder.build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + rootMessage(e), e);
        }
    }

    private static void requireReadable(java.io.File f, String what) {
        if (!f.canRead()) {
            throw new IllegalArgumentException("cannot read the TLS " + what + " file " + f);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }

    /** What hooks see of a finished handshake, done at {@code at}. */
    static TlsInfo info(SslHandler handler, boolean implicit, java.time.Instant at) {
        SSLSession s = handler.engine().getSession();
        List<X509Certificate> peer = new ArrayList<>();
        try {
            for (Certificate c : s.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    peer.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException none) {
            // no client certificate
        }
        String serverName = null;
        if (s instanceof ExtendedSSLSession e) {
            for (SNIServerName n : e.getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    serverName = h.getAsciiName();
                }
            }
        }
        Object peerError = s.getValue(OptionalClientTrust.ERROR_KEY);
        return new TlsInfo(s.getProtocol(), s.getCipherSuite(), peer, serverName, implicit,
                TlsInfo.keySizeOf(s.getCipherSuite()), at, peerError instanceof String text ? text : null);
    }
}
