package dev.postern.examples.signup;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.util.Properties;

/**
 * Application code that sends mail with Angus Mail: a welcome message to a new user. It tells a
 * refused address (5xx: the user typed it wrong) from a temporary failure (4xx: try again later), which
 * is what its tests check against a Postern server that refuses on purpose.
 */
public final class WelcomeMailer {

    /** What became of a welcome message. */
    public enum Outcome {
        /** The server took it. */
        SENT,
        /** The server refused the address for good: ask the user to correct it. */
        BAD_ADDRESS,
        /** The server could not take it now: queue it and try later. */
        RETRY_LATER
    }

    private final Session session;
    private final String from;

    /** Sends through the SMTP server at {@code host:port}, from {@code from}. */
    public WelcomeMailer(String host, int port, String from) {
        Properties props = new Properties();
        props.put("mail.smtp.host", host);
        props.put("mail.smtp.port", String.valueOf(port));
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "10000");
        this.session = Session.getInstance(props);
        this.from = from;
    }

    /** Sends the welcome message to {@code address}. */
    public Outcome welcome(String address, String name) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(address));
        message.setSubject("Welcome, " + name + "!", "UTF-8");
        message.setText("Hello " + name + ",\n\nyour account is ready.\n", "UTF-8");
        try {
            Transport.send(message);
            return Outcome.SENT;
        } catch (SendFailedException e) {
            return replyCode(e) / 100 == 4 ? Outcome.RETRY_LATER : Outcome.BAD_ADDRESS;
        }
    }

    /** The SMTP reply code behind a failure, from Angus Mail's exception chain. */
    private static int replyCode(MessagingException e) {
        for (Exception x = e; x != null; x = x instanceof MessagingException m ? m.getNextException() : null) {
            if (x instanceof org.eclipse.angus.mail.smtp.SMTPAddressFailedException a) {
                return a.getReturnCode();
            }
        }
        return 550;
    }
}
