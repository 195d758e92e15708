package dev.postern.server;

import dev.postern.testing.SmtpLines;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.testing.TestTls;
import dev.postern.tls.TlsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The TLS flags of {@code postern serve} that are security rules, used on real connections to the
 * standalone server rather than only parsed: {@code --tls-client-auth require} and {@code --tls-ciphers}.
 */
@Timeout(60)
class ServeTlsPolicyTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** Starts {@code postern serve ARGS} with a self-signed certificate, on 127.0.0.1:0, hostname mx.test. */
    private TestServer serve(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--maildir", dir.resolve("mail").toString(), "--tls-self-signed"));
        all.addAll(List.of(args));
        CommandLine.ParseResult parsed = PosternMain.commandLine(Map.of()).parseArgs(all.toArray(String[]::new));
        ServeCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        StandaloneServer standalone = new StandaloneServer(command.settings());
        return servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
    }

    private static SmtpLines startTls(TestServer server) throws IOException {
        SmtpLines io = SmtpLines.connect(server.port());
        assertThat(io.reply()).startsWith("220 mx.test");
        assertThat(io.cmd("EHLO client.test")).contains("STARTTLS");
        assertThat(io.cmd("STARTTLS")).startsWith("220 2.0.0");
        return io;
    }

    @Test
    void tlsClientAuthRequireRefusesAClientWithoutACertificate() throws Exception {
        TlsConfig.KeyMaterial client = new TlsConfig.SelfSigned(List.of("client.test")).generate();
        Path ca = dir.resolve("ca.pem");
        TestTls.writePem(client, ca, dir.resolve("client.key"));
        TestServer server = serve("--tls-client-auth", "require", "--tls-client-ca", ca.toString());
        try (SmtpLines io = startTls(server)) {
            assertThatThrownBy(() -> {
                io.startTls(TestTls.client(null));
                io.cmd("EHLO client.test");
            }).isInstanceOf(IOException.class);
        }
        try (SmtpLines io = startTls(server)) {
            io.startTls(TestTls.client(client));
            assertThat(io.cmd("EHLO client.test")).startsWith("250-mx.test");
        }
    }

    @Test
    void tlsCiphersAreTheOnlySuitesAConnectionCanUse() throws Exception {
        TestServer server = serve("--tls-protocols", "TLSv1.3", "--tls-ciphers", "TLS_AES_128_GCM_SHA256");
        try (SmtpLines io = startTls(server)) {
            assertThatThrownBy(() -> io.startTls(TestTls.client(null), tls -> tls.setEnabledCipherSuites(
                    new String[] {"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"})))
                    .isInstanceOf(IOException.class);
        }
        try (SmtpLines io = startTls(server)) {
            SSLSocket tls = io.startTls(TestTls.client(null));
            assertThat(tls.getSession().getCipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
            assertThat(io.cmd("EHLO client.test")).startsWith("250-mx.test");
        }
    }
}
