package dev.postern.testing;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.util.Properties;

/** Angus Mail (the Jakarta Mail implementation) as a real client in socket tests. */
public final class AngusMail {

    private AngusMail() {
    }

    /**
     * Settings for {@code protocol} (smtp, or smtps for implicit TLS) to 127.0.0.1:{@code port}, with
     * bounded waits: 5 s to connect, 10 s for each read and write.
     */
    public static Properties settings(String protocol, int port) {
        Properties p = new Properties();
        p.put("mail." + protocol + ".host", "127.0.0.1");
        p.put("mail." + protocol + ".port", String.valueOf(port));
        p.put("mail." + protocol + ".connectiontimeout", "5000");
        p.put("mail." + protocol + ".timeout", "10000");
        p.put("mail." + protocol + ".writetimeout", "10000");
        return p;
    }

    /** A UTF-8 text message from {@code from} to {@code to} (addresses separated by commas). */
    public static MimeMessage message(Session session, String from, String to, String subject, String text)
            throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from));
        m.setRecipients(RecipientType.TO, to);
        m.setSubject(subject, "UTF-8");
        m.setText(text, "UTF-8");
        return m;
    }
}
