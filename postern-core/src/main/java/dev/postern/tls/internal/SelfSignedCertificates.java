package dev.postern.tls.internal;

import dev.postern.tls.TlsConfig;

import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Generates a self-signed server certificate (ECDSA P-256, SHA-256) with the given names as subject
 * alternative names. The JDK has no public API for building certificates, and Netty's own
 * {@code SelfSignedCertificate} neither sets SANs nor works on current JDKs without Bouncy Castle, so
 * this uses Bouncy Castle's certificate builder directly ({@code bcpkix}, an optional dependency of
 * postern-core).
 */
public final class SelfSignedCertificates {

    private SelfSignedCertificates() {
    }

    /** A new key and certificate for {@code names} (DNS names or IP literals; the first is the CN), valid for a year. */
    public static TlsConfig.KeyMaterial generate(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a certificate needs at least one name");
        }
        try {
            return build(names);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("a self-signed certificate needs Bouncy Castle on the class path "
                    + "(org.bouncycastle:bcpkix-jdk18on)", e);
        }
    }

    private static TlsConfig.KeyMaterial build(List<String> names) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            var subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, names.getFirst()).build();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365))),
                    subject, pair.getPublic());
            GeneralName[] alternatives = names.stream()
                    .map(n -> new GeneralName(isIpLiteral(n) ? GeneralName.iPAddress : GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new TlsConfig.KeyMaterial(pair.getPrivate(), List.of(certificate));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
                 | org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
