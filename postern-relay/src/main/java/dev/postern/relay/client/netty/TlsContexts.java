package dev.postern.relay.client.netty;

import dev.postern.relay.client.TlsMode;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The client TLS context of each {@link TlsMode}. */
public final class TlsContexts {

    private TlsContexts() {
    }

    /**
     * @param mode   the mode
     * @param caFile PEM certificates to trust instead of the system trust store ({@link TlsMode#VERIFY}), or null
     * @return the context, or null for {@link TlsMode#NONE}
     * @throws IllegalArgumentException when the CA file cannot be read or holds no certificate
     */
    public static SslContext forMode(TlsMode mode, Path caFile) {
        try {
            return switch (mode) {
                case NONE -> null;
                // Opportunistic and required TLS protect against passive eavesdropping only, as most MX
                // certificates do not verify (RFC 7435): any certificate, no name check.
                case OPPORTUNISTIC, REQUIRED -> SslContextBuilder.forClient()
                        .trustManager(InsecureTrustManagerFactory.INSTANCE)
                        .endpointIdentificationAlgorithm(null)
                        .build();
                case VERIFY -> {
                    SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
                    if (caFile != null) {
                        if (!Files.isReadable(caFile)) {
                            throw new IllegalArgumentException("TLS CA file is not readable: " + caFile);
                        }
                        b.trustManager(caFile.toFile());
                    }
                    yield b.build();
                }
            };
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot set up TLS (" + mode + (caFile == null ? "" : ", CA file " + caFile)
                    + "): " + e.getMessage(), e);
        }
    }
}
