/**
 * Postern's JUnit Jupiter extension: {@link dev.postern.junit.PosternExtension} runs an embedded SMTP
 * server for a test class or a test, and keeps the messages it accepts as
 * {@link dev.postern.junit.ReceivedMail}.
 */
module dev.postern.junit {
    exports dev.postern.junit;

    requires transitive dev.postern.core;
    requires transitive org.junit.jupiter.api;
    // withTls(): the test certificate is generated with Bouncy Castle (through postern-core)
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;
    // ReceivedMail.mimeMessage() only: Angus Mail is optional
    requires static transitive jakarta.mail;
}
