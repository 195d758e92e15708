package dev.postern.protocol;

import dev.postern.Envelope;
import dev.postern.MailParameters;
import dev.postern.Recipient;
import dev.postern.ReversePath;
import dev.postern.SmtpReply;
import dev.postern.message.HeaderBlockScanner;
import dev.postern.message.HeaderEdits;
import dev.postern.message.MessageSink;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The mail transaction in progress (RFC 5321 3.3): from an accepted MAIL to the end of its message or a
 * reset. Its content belongs to it too, so that ending the transaction always releases the content's sink.
 */
final class Transaction {

    /** The transaction's id, which its message keeps. */
    final String id;
    final ReversePath reversePath;
    final MailParameters mailParameters;
    final MailFromParameters.Accepted parameters;
    final List<Recipient> recipients = new ArrayList<>();

    // the message, once DATA or the first BDAT has started it
    MessageSink sink;
    HeaderBlockScanner headers;
    HeaderEdits headerEdits;
    DataDecoder decoder;
    Instant contentStarted;
    SmtpReply contentRejection; // a header hook's refusal, sent once the content has been read
    boolean chunking; // BDAT started the message: DATA and RCPT are out of sequence now

    Transaction(String id, ReversePath reversePath, MailParameters mailParameters, MailFromParameters.Accepted parameters) {
        this.id = id;
        this.reversePath = reversePath;
        this.mailParameters = mailParameters;
        this.parameters = parameters;
    }

    Envelope envelope() {
        return new Envelope(reversePath, mailParameters, recipients, parameters.body(), parameters.smtpUtf8(),
                parameters.declaredSize());
    }
}
