package dev.postern.relay.testing;

import dev.postern.testing.PeerProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test CA and a server certificate it signed, made with the openssl command line (EC P-256, two days).
 *
 * @param ca         the CA certificate (PEM), to trust
 * @param serverCert the server certificate (PEM)
 * @param serverKey  its key (PEM)
 */
public record TestCertificates(Path ca, Path serverCert, Path serverKey) {

    public static final String OPENSSL = "/usr/bin/openssl";

    /**
     * @param dir            where the files go
     * @param subjectAltName e.g. {@code DNS:localhost}
     */
    public static TestCertificates create(Path dir, String subjectAltName) throws IOException, InterruptedException {
        Path ca = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        Path csr = dir.resolve("server.csr");
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server.key");
        Path ext = Files.writeString(dir.resolve("server.ext"),
                "subjectAltName=" + subjectAltName + "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
        openssl(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=Postern Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
        openssl(List.of("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=postern-test-server"));
        openssl(List.of("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString()));
        return new TestCertificates(ca, cert, key);
    }

    private static void openssl(List<String> args) throws IOException, InterruptedException {
        PeerProcess.requireProgram(OPENSSL);
        List<String> command = new ArrayList<>();
        command.add(OPENSSL);
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("openssl " + args + " failed:\n" + out);
        }
    }
}
