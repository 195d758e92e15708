package dev.postern.junit;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.util.Properties;
import java.util.function.Consumer;

/** Angus Mail, as the code under test would use it: an SMTP session to the test server. */
final class Mail {

    private Mail() {
    }

    static Session session(PosternExtension smtp, Consumer<Properties> settings) {
        Properties props = new Properties();
        props.put("mail.smtp.host", smtp.host());
        props.put("mail.smtp.port", String.valueOf(smtp.port()));
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "10000");
        settings.accept(props);
        return Session.getInstance(props);
    }

    static MimeMessage message(Session session, String from, String subject, String text, String... to) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from));
        for (String t : to) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(t));
        }
        m.setSubject(subject, "UTF-8");
        m.setText(text, "UTF-8");
        return m;
    }

    static void send(PosternExtension smtp, String from, String subject, String text, String... to) throws MessagingException {
        Transport.send(message(session(smtp, p -> { }), from, subject, text, to));
    }
}
