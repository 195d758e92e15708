package dev.postern.server;

import dev.postern.server.ValueConverters.ClientAuthConverter;
import dev.postern.server.ValueConverters.DurationConverter;
import dev.postern.server.ValueConverters.StartTlsConverter;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The TLS flags of {@code postern serve}, mixed into {@link ServeCommand}: where the certificate comes
 * from and how TLS is spoken, both after STARTTLS and on {@code --tls-listen} listeners. In the config
 * file they are the keys of the {@code tls:} mapping, named without {@code --tls-} ({@link ConfigFile}).
 */
final class TlsOptions {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain, leaf first, for STARTTLS and --tls-listen; needs --tls-key. Both files are "
                    + "re-read when they change. Default: none (no TLS).")
    private Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1). Default: none.")
    private Path key;

    @Option(names = "--tls-key-password-file", paramLabel = "FILE",
            description = "File whose first line is the password of an encrypted --tls-key. Default: none (the key is not encrypted).")
    private Path keyPasswordFile;

    @Option(names = "--tls-self-signed",
            description = "Instead of --tls-cert, generate a certificate for --hostname at start; clients cannot verify it "
                    + "(fine for tests and opportunistic STARTTLS between MTAs). Default: off.")
    private boolean selfSigned;

    @Option(names = "--starttls", paramLabel = "off|optional|required", defaultValue = "optional",
            converter = StartTlsConverter.class,
            description = "With a certificate, STARTTLS on the --listen addresses: offered (optional), offered and needed "
                    + "before MAIL (required: for submission, never for a public MX), or off. Default: ${DEFAULT-VALUE}.")
    private StartTlsMode startTls;

    @Option(names = "--tls-protocols", paramLabel = "VERSION", split = ",", defaultValue = "TLSv1.3,TLSv1.2",
            description = "TLS versions offered. Default: ${DEFAULT-VALUE}.")
    private List<String> protocols;

    @Option(names = "--tls-ciphers", paramLabel = "SUITE", split = ",",
            description = "Cipher suites allowed, by their JDK (IANA) names, e.g. TLS_AES_256_GCM_SHA384. Default: the JDK's.")
    private List<String> ciphers;

    @Option(names = "--tls-client-auth", paramLabel = "none|optional|require", defaultValue = "none",
            converter = ClientAuthConverter.class,
            description = "Ask clients for a certificate: optional, or require (a client without a trusted one fails the "
                    + "handshake). Default: ${DEFAULT-VALUE}.")
    private TlsConfig.ClientAuth clientAuth;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = "PEM file of the CAs that client certificates must chain to, with --tls-client-auth. Default: the JDK's trusted CAs.")
    private Path clientCa;

    @Option(names = "--tls-handshake-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "A TLS handshake that takes longer closes the connection. Default: ${DEFAULT-VALUE}.")
    private Duration handshakeTimeout;

    @Option(names = "--tls-reload-interval", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How often --tls-cert and --tls-key are checked for a renewed certificate; 0 never. Default: ${DEFAULT-VALUE}.")
    private Duration reloadInterval;

    StartTlsMode startTls() {
        return startTls;
    }

    /**
     * The TLS settings, or null when no certificate is configured (then the server speaks plain SMTP).
     *
     * @param hostname the server's name: the name of a self-signed certificate
     * @throws ParameterException for settings that contradict each other or name a file that cannot be read
     */
    TlsConfig config(String hostname) {
        if ((cert == null) != (key == null)) {
            throw usage("--tls-cert and --tls-key go together: give both PEM files (cert and key in the tls: mapping of "
                    + "the config file)");
        }
        if (selfSigned && cert != null) {
            throw usage("--tls-self-signed and --tls-cert exclude each other: give the certificate's PEM files or have "
                    + "one generated, not both");
        }
        if (keyPasswordFile != null && key == null) {
            throw usage("--tls-key-password-file needs --tls-key, the encrypted key that its password opens");
        }
        if (clientCa != null && clientAuth == TlsConfig.ClientAuth.NONE) {
            throw usage("--tls-client-ca needs --tls-client-auth optional or require: with none, no client certificate "
                    + "is asked for");
        }
        if (cert == null && !selfSigned) {
            // Refused rather than ignored: the operator counts on TLS that would not be there.
            if (startTls == StartTlsMode.REQUIRED) {
                throw usage(needsCertificate("--starttls required"));
            }
            if (clientAuth != TlsConfig.ClientAuth.NONE) {
                throw usage(needsCertificate("--tls-client-auth " + clientAuth.name().toLowerCase(Locale.ROOT)));
            }
            return null;
        }
        TlsConfig.KeySource keys = selfSigned ? new TlsConfig.SelfSigned(List.of(hostname))
                : new TlsConfig.PemFiles(readable(cert, "--tls-cert"), readable(key, "--tls-key"), password());
        SSLParameters jdk = jdkParameters();
        List<String> tlsVersions = Stream.of(jdk.getProtocols()).filter(p -> p.startsWith("TLSv")).toList();
        return TlsConfig.builder(keys)
                .protocols(supported("--tls-protocols", protocols, jdk.getProtocols(),
                        " (it offers " + String.join(", ", tlsVersions) + ")").toArray(String[]::new))
                .cipherSuites(ciphers == null ? List.of() : supported("--tls-ciphers", ciphers, jdk.getCipherSuites(), ""))
                .clientAuth(clientAuth)
                .clientCaFile(clientCa == null ? null : readable(clientCa, "--tls-client-ca"))
                .handshakeTimeout(handshakeTimeout)
                .reloadInterval(reloadInterval)
                .build();
    }

    /** The one-line error for {@code what} when no certificate is configured. */
    static String needsCertificate(String what) {
        return what + " needs a certificate: give --tls-cert and --tls-key, or --tls-self-signed (cert and key, or "
                + "self-signed, in the tls: mapping of the config file)";
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Checked here, so that a missing file is named with its flag instead of failing the start. */
    private Path readable(Path file, String flag) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw usage("cannot read the " + flag + " file " + file);
        }
        return file;
    }

    /** The first line of the password file, without its line end; null without one. */
    private String password() {
        if (keyPasswordFile == null) {
            return null;
        }
        try {
            return SecretFile.firstLine(keyPasswordFile, "--tls-key-password-file", "the key's password");
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /**
     * {@code names}, stripped, each one this JDK supports: a misspelt name would otherwise stop the server
     * at start (protocols) or at the first handshake, far from the flag that caused it.
     */
    private List<String> supported(String flag, List<String> names, String[] jdkNames, String hint) {
        List<String> known = List.of(jdkNames);
        List<String> stripped = names.stream().map(String::strip).toList();
        for (String name : stripped) {
            if (!known.contains(name)) {
                throw usage(flag + ": this JDK does not support '" + name + "'" + hint);
            }
        }
        return stripped;
    }

    private static SSLParameters jdkParameters() {
        try {
            return SSLContext.getDefault().getSupportedSSLParameters();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no TLS implementation", e);
        }
    }
}
