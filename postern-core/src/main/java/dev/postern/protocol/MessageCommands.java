package dev.postern.protocol;

import dev.postern.DataProgress;
import dev.postern.LogLevel;
import dev.postern.SessionEvent;
import dev.postern.ReceivedMessage;
import dev.postern.Recipient;
import dev.postern.RecipientReplies;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpReply;
import dev.postern.message.ContentSink;
import dev.postern.message.HeaderBlockScanner;
import dev.postern.message.HeaderEdits;
import dev.postern.message.MessageSink;
import dev.postern.message.MessageSinkFactory;
import dev.postern.protocol.ProtocolContext.Phase;
import dev.postern.protocol.SmtpProtocol.Mode;
import io.netty.buffer.ByteBuf;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * DATA (RFC 5321 4.1.1.4) and BDAT (RFC 3030): reads the content of a transaction's message into a sink
 * from the {@link MessageSinkFactory}, runs the header hooks once the header block is complete, and hands
 * the finished message to onMessage.
 */
final class MessageCommands {

    private final ProtocolContext ctx;
    private final MessageSinkFactory sinks;
    private final ContentSink content = new Content();
    private volatile Mode mode = Mode.COMMAND;

    // the BDAT chunk being read
    private long chunkRemaining;
    private boolean chunkLast;
    private SmtpReply chunkDiscardReply; // non-null: read the chunk, drop it, then send this

    MessageCommands(ProtocolContext ctx, MessageSinkFactory sinks) {
        this.ctx = ctx;
        this.sinks = sinks;
    }

    /** What is being read now: commands, DATA content, or a BDAT chunk. */
    Mode mode() {
        return mode;
    }

    void data(String args) {
        if (!args.isBlank()) {
            ctx.send(Replies.NO_PARAMETERS);
            return;
        }
        SmtpReply refusal = readyForContent();
        if (refusal == null && ctx.transaction().chunking) {
            refusal = Replies.DATA_IN_BDAT;
        }
        if (refusal != null) {
            ctx.send(refusal);
            return;
        }
        SmtpReply rejection = beginMessage(true);
        if (rejection != null) {
            ctx.endTransaction();
            ctx.send(rejection);
            return;
        }
        mode = Mode.DATA;
        ctx.send(Replies.START_DATA);
    }

    /** DATA content up to the terminating dot line (RFC 5321 4.5.2: dot-unstuffed by the decoder). */
    void readData(ByteBuf in) {
        DataDecoder.Result r = ctx.transaction().decoder.decode(in, content);
        if (r != DataDecoder.Result.BARE_LINE_END && !receiving()) {
            return;
        }
        if (r == DataDecoder.Result.END) {
            finishMessage();
        } else if (r == DataDecoder.Result.BARE_LINE_END) {
            ctx.endTransaction();
            ctx.send(Replies.BARE_LINE_END_DATA);
        }
    }

    /** BDAT (RFC 3030 2): the chunk is read even when it is refused, since its octets are not commands. */
    void bdat(String args) {
        String[] parts = args.strip().split(" +");
        boolean last = parts.length == 2 && parts[1].equalsIgnoreCase("LAST");
        if (parts.length < 1 || parts.length > 2 || (parts.length == 2 && !last) || parts[0].isEmpty()
                || parts[0].length() > 18 || !parts[0].chars().allMatch(c -> c >= '0' && c <= '9')) {
            ctx.send(Replies.BDAT_SYNTAX);
            return;
        }
        chunkRemaining = Long.parseLong(parts[0]);
        chunkLast = last;
        chunkDiscardReply = readyForContent();
        if (chunkDiscardReply == null && !ctx.transaction().chunking) {
            SmtpReply rejection = beginMessage(false);
            if (rejection != null) {
                ctx.endTransaction();
                chunkDiscardReply = rejection;
            } else {
                ctx.transaction().chunking = true;
            }
        }
        mode = Mode.BDAT;
        if (chunkRemaining == 0) {
            endChunk();
        }
    }

    void readChunk(ByteBuf in) {
        int n = (int) Math.min(chunkRemaining, in.readableBytes());
        if (chunkDiscardReply != null) {
            in.skipBytes(n);
            chunkRemaining -= n;
        } else {
            int before = in.readerIndex();
            DataDecoder.Result r = ctx.transaction().decoder.decode(in, n, content);
            chunkRemaining -= in.readerIndex() - before;
            if (r == DataDecoder.Result.BARE_LINE_END) {
                ctx.endTransaction();
                ctx.send(Replies.BARE_LINE_END_DATA);
                return;
            }
            if (!receiving()) {
                return;
            }
        }
        if (chunkRemaining == 0) {
            endChunk();
        }
    }

    /**
     * onDataReceiving for the batch just read: applies a tarpit (a pause) or a rejection. Returns false
     * when the session is closing (a rejection that closes), so the caller stops.
     */
    private boolean receiving() {
        Transaction tx = ctx.transaction();
        if (tx.contentRejection != null) {
            return true;
        }
        DataProgress progress;
        try {
            progress = ctx.handler.onDataReceiving(ctx.session, tx.sink.size());
        } catch (Exception e) {
            progress = DataProgress.reject(ctx.failure(e, "onDataReceiving", true));
        }
        switch (progress) {
            case null -> { }
            case DataProgress.Continue c -> { }
            case DataProgress.Tarpit t -> ctx.pause(t.delay());
            case DataProgress.Reject reject -> {
                SmtpReply reply = reject.reply();
                if (reply.close()) {
                    ctx.log(LogLevel.INFO, "data_receiving_closed", "onDataReceiving closed the session: " + reply, null);
                    mode = Mode.COMMAND;
                    ctx.send(reply);
                    return false;
                }
                tx.contentRejection = reply; // sent once the content has ended
            }
        }
        return true;
    }

    private void endChunk() {
        mode = Mode.COMMAND;
        if (chunkDiscardReply != null) {
            SmtpReply r = chunkDiscardReply;
            chunkDiscardReply = null;
            ctx.send(r);
            return;
        }
        Transaction tx = ctx.transaction();
        if (chunkLast) {
            if (!tx.decoder.finish(content)) {
                ctx.endTransaction();
                ctx.send(Replies.BARE_LINE_END_DATA);
                return;
            }
            finishMessage();
        } else if (tx.sink.isOversize()) {
            // RFC 3030 2: the transaction is over once a chunk pushes it past the limit.
            ctx.endTransaction();
            ctx.send(Replies.MESSAGE_TOO_BIG);
        } else {
            ctx.send(SmtpReply.of(250, "2.0.0", tx.sink.size() + " octets received"));
        }
    }

    /** Null when the transaction may receive content; else the reply that says what is missing. */
    private SmtpReply readyForContent() {
        if (ctx.phase() != Phase.GREETED) {
            return ctx.helloFirst();
        }
        Transaction tx = ctx.transaction();
        if (tx == null) {
            return Replies.MAIL_FIRST;
        }
        if (tx.recipients.isEmpty()) {
            return Replies.RCPT_FIRST;
        }
        return null;
    }

    /** Prepares the transaction to receive content and runs onDataStart; returns its rejection, if any. */
    private SmtpReply beginMessage(boolean dotStuffed) {
        Transaction tx = ctx.transaction();
        tx.sink = sinks.open(ctx.config);
        tx.headers = new HeaderBlockScanner(ctx.config.maxHeaderBytes());
        tx.headerEdits = new HeaderEdits();
        tx.decoder = new DataDecoder(ctx.config.lineEndings(), dotStuffed);
        tx.contentStarted = ctx.clock.instant();
        try {
            ctx.handler.onDataStart(ctx.session, tx.headerEdits);
            return null;
        } catch (Exception e) {
            return ctx.failure(e, "onDataStart", true);
        }
    }

    /** The header block is complete (RFC 5322 2.1): onDataHeaders may edit it or refuse the message. */
    private void headersComplete(Transaction tx) {
        if (tx.headers.isTooLarge()) {
            tx.contentRejection = Replies.HEADER_TOO_BIG;
            return;
        }
        tx.headerEdits.fields(tx.headers.fields());
        try {
            ctx.handler.onDataHeaders(ctx.session, tx.headerEdits);
        } catch (Exception e) {
            tx.contentRejection = ctx.failure(e, "onDataHeaders", true);
        }
    }

    /**
     * The content has ended: the message goes to onMessage (onLmtpMessage on an LMTP listener) unless something
     * already refused it; then the reply, or on LMTP one reply per recipient.
     */
    private void finishMessage() {
        ctx.events.contentEnded();
        Instant contentEnded = ctx.clock.instant();
        mode = Mode.COMMAND;
        Transaction tx = ctx.transaction();
        if (!tx.headers.isComplete()) {
            tx.headers.finish();
            headersComplete(tx);
        }
        MessageSink sink = tx.sink;
        long octets = sink.size();
        SmtpReply refusal = null; // one for every recipient, known before any hook
        if (sink.isOversize()) {
            refusal = Replies.MESSAGE_TOO_BIG;
        } else if (tx.contentRejection != null) {
            refusal = tx.contentRejection;
        } else if (sink.failure() != null) {
            ctx.log(LogLevel.ERROR, "spool_failed", "cannot spool message", sink.failure());
            refusal = Replies.SPOOL_FAILED;
        }
        ReceivedMessage message = null;
        if (refusal == null) {
            message = new CompletedMessage(sink.message(tx.id, tx.envelope(), tx.contentStarted,
                    tx.headers.headerEnd(), tx.headerEdits), contentEnded);
            octets = message.size();
        }
        if (ctx.lmtp) {
            List<SmtpReply> replies = message == null ? Collections.nCopies(tx.recipients.size(), refusal)
                    : deliverLmtp(tx, message);
            SmtpReply summary = replies.getFirst(); // for observers: the first acceptance, else the first refusal
            for (SmtpReply r : replies) {
                if (r.code() < 400) {
                    summary = r;
                    break;
                }
            }
            if (summary.code() >= 400) {
                ctx.metrics.increment(Counter.MESSAGES_REJECTED);
            }
            ctx.events.messageReplied(octets, summary);
            ctx.endTransaction();
            ctx.sendPerRecipient(replies);
            return;
        }
        SmtpReply reply = refusal != null ? refusal : deliver(tx, message);
        if (reply.code() >= 400) {
            ctx.metrics.increment(Counter.MESSAGES_REJECTED);
        }
        ctx.events.messageReplied(octets, reply);
        ctx.endTransaction();
        ctx.send(reply);
    }

    /** SMTP: the message to onMessage, which takes it for every recipient or for none. */
    private SmtpReply deliver(Transaction tx, ReceivedMessage message) {
        try {
            ctx.handler.onMessage(ctx.session, message);
        } catch (Exception e) {
            return ctx.failure(e, "onMessage", true);
        }
        SmtpReply reply = SmtpReply.of(250, "2.0.0", "Ok: queued as " + tx.id);
        accepted(tx, message, tx.recipients.size(), reply);
        return reply;
    }

    /** LMTP: the message to onLmtpMessage, which decides per recipient; the replies in RCPT order. */
    private List<SmtpReply> deliverLmtp(Transaction tx, ReceivedMessage message) {
        RecipientReplies decided = new RecipientReplies(tx.recipients);
        SmtpReply all = null;
        try {
            ctx.handler.onLmtpMessage(ctx.session, message, decided);
        } catch (Exception e) {
            all = ctx.failure(e, "onLmtpMessage", true);
        }
        List<SmtpReply> replies = new ArrayList<>(tx.recipients.size());
        int accepted = 0;
        SmtpReply first = null;
        for (int i = 0; i < tx.recipients.size(); i++) {
            Recipient recipient = tx.recipients.get(i);
            SmtpReply reply = all != null ? all : decided.rejection(i);
            if (reply == null) {
                reply = SmtpReply.of(250, "2.0.0", "<" + recipient.path().address() + "> Ok: queued as " + tx.id);
                accepted++;
                first = first == null ? reply : first;
            } else if (all == null) {
                ctx.log(SessionEvent.of(LogLevel.INFO, "recipient_refused", "message " + tx.id + " refused for <"
                                + recipient.path().address() + ">: " + reply)
                        .with("message_id", tx.id).with("to", recipient.path().address()).with("reply", reply.toString()));
            }
            replies.add(reply);
        }
        if (accepted > 0) {
            accepted(tx, message, accepted, first);
        }
        return replies;
    }

    /** The message was taken for {@code recipients} of the transaction's recipients. */
    private void accepted(Transaction tx, ReceivedMessage message, int recipients, SmtpReply reply) {
        ctx.session.countMessage();
        ctx.metrics.increment(Counter.MESSAGES_ACCEPTED);
        ctx.metrics.add(Counter.MESSAGE_BYTES_ACCEPTED, message.size());
        String count = recipients == tx.recipients.size() ? recipients + " recipient(s)"
                : recipients + " of " + tx.recipients.size() + " recipient(s)";
        ctx.log(SessionEvent.of(LogLevel.INFO, "message_accepted", "message " + tx.id + " accepted from "
                        + tx.reversePath + " for " + count + ", " + message.size() + " octets")
                .with("message_id", tx.id).with("from", tx.reversePath.toString())
                .with("recipients", recipients).with("octets", message.size())
                .with("reply", reply.toString()));
    }

    /** The decoded content on its way to the sink and, until it is complete, the header scanner. */
    private final class Content implements ContentSink {
        @Override
        public void write(ByteBuf buf, int index, int length) {
            Transaction tx = ctx.transaction();
            tx.sink.write(buf, index, length);
            if (!tx.headers.isComplete() && tx.headers.feed(buf, index, length)) {
                headersComplete(tx);
            }
        }

        @Override
        public void write(byte[] bytes) {
            Transaction tx = ctx.transaction();
            tx.sink.write(bytes);
            if (!tx.headers.isComplete() && tx.headers.feed(bytes)) {
                headersComplete(tx);
            }
        }
    }
}
