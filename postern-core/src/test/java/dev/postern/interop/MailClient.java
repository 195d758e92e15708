package dev.postern.interop;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.util.Properties;

/**
 * Angus Mail (the Jakarta Mail implementation) as a real client, connected from a chosen loopback
 * address so the test can tell it apart from the proxy. One instance is one SMTP connection.
 */
final class MailClient implements AutoCloseable {

    private final Session session;
    private final Transport transport;

    MailClient(String fromAddress, int port) throws MessagingException {
        this(fromAddress, 0, port);
    }

    /** Connects from {@code fromAddress}:{@code fromPort} (0: any port) to 127.0.0.1:{@code port}. */
    MailClient(String fromAddress, int fromPort, int port) throws MessagingException {
        this(fromAddress, fromPort, "127.0.0.1", port);
    }

    /** Connects from {@code fromAddress}:{@code fromPort} (0: any port) to {@code host}:{@code port}. */
    MailClient(String fromAddress, int fromPort, String host, int port) throws MessagingException {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", host);
        p.setProperty("mail.smtp.port", String.valueOf(port));
        p.setProperty("mail.smtp.localaddress", fromAddress);
        if (fromPort > 0) {
            p.setProperty("mail.smtp.localport", String.valueOf(fromPort));
        }
        p.setProperty("mail.smtp.localhost", "client.test");
        p.setProperty("mail.smtp.connectiontimeout", "5000");
        p.setProperty("mail.smtp.timeout", "10000");
        p.setProperty("mail.smtp.writetimeout", "10000");
        session = Session.getInstance(p);
        transport = session.getTransport("smtp");
        transport.connect();
    }

    /** Opens a connection, sends one message and closes. */
    static void sendOne(String fromAddress, int fromPort, int port, String subject) throws MessagingException {
        try (MailClient client = new MailClient(fromAddress, fromPort, port)) {
            client.send(subject);
        }
    }

    void send(String subject) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("sender@client.test"));
        m.setRecipient(RecipientType.TO, new InternetAddress("rcpt@mx.test"));
        m.setSubject(subject);
        m.setText("sent through a proxy\n");
        m.saveChanges();
        transport.sendMessage(m, m.getAllRecipients());
    }

    @Override
    public void close() throws MessagingException {
        transport.close();
    }
}
