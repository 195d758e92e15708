package dev.postern.relay.queue;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A DSN parsed back with Angus Mail: the message, its three parts, and the delivery-status fields. */
record ParsedDsn(MimeMessage message, MimeMultipart parts, String text, InternetHeaders perMessage,
                 List<InternetHeaders> perRecipient, BodyPart returned) {

    static ParsedDsn parse(byte[] bytes) throws MessagingException, IOException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
        MimeMultipart parts = (MimeMultipart) message.getContent();
        String text = (String) parts.getBodyPart(0).getContent();
        List<InternetHeaders> recipients = new ArrayList<>();
        InternetHeaders perMessage;
        try (InputStream status = parts.getBodyPart(1).getInputStream()) {
            perMessage = new InternetHeaders(status);
            while (status.available() > 0) {
                InternetHeaders group = new InternetHeaders(status);
                if (group.getAllHeaderLines().hasMoreElements()) {
                    recipients.add(group);
                }
            }
        }
        return new ParsedDsn(message, parts, text, perMessage, recipients,
                parts.getCount() > 2 ? parts.getBodyPart(2) : null);
    }

    /** One field of one recipient group, unfolded. */
    String field(int recipient, String name) {
        String v = perRecipient.get(recipient).getHeader(name, null);
        return v == null ? null : v.replaceAll("\r\n\\s+", " ").strip();
    }
}
