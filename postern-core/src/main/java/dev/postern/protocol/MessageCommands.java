package dev.postern.protocol;

import dev.postern.LogLevel;
import dev.postern.SessionEvent;
import dev.postern.ReceivedMessage;
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
    private int messageSeq;

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
        }
        if (chunkRemaining == 0) {
            endChunk();
        }
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
            return Replies.HELO_FIRST;
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

    /** The content has ended: the message goes to onMessage unless something already refused it. */
    private void finishMessage() {
        ctx.events.contentEnded();
        mode = Mode.COMMAND;
        Transaction tx = ctx.transaction();
        if (!tx.headers.isComplete()) {
            tx.headers.finish();
            headersComplete(tx);
        }
        MessageSink sink = tx.sink;
        long octets = sink.size();
        SmtpReply reply;
        if (sink.isOversize()) {
            reply = Replies.MESSAGE_TOO_BIG;
        } else if (tx.contentRejection != null) {
            reply = tx.contentRejection;
        } else if (sink.failure() != null) {
            ctx.log(LogLevel.ERROR, "spool_failed", "cannot spool message", sink.failure());
            reply = Replies.SPOOL_FAILED;
        } else {
            String id = ctx.session.id() + "." + (++messageSeq);
            ReceivedMessage message = sink.message(id, tx.envelope(), tx.contentStarted, tx.headers.headerEnd(),
                    tx.headerEdits);
            octets = message.size();
            try {
                ctx.handler.onMessage(ctx.session, message);
                ctx.session.countMessage();
                ctx.metrics.increment(Counter.MESSAGES_ACCEPTED);
                ctx.metrics.add(Counter.MESSAGE_BYTES_ACCEPTED, message.size());
                reply = SmtpReply.of(250, "2.0.0", "Ok: queued as " + id);
                ctx.log(SessionEvent.of(LogLevel.INFO, "message_accepted", "message " + id + " accepted from "
                                + tx.reversePath + " for " + tx.recipients.size() + " recipient(s), " + message.size() + " octets")
                        .with("message_id", id).with("from", tx.reversePath.toString())
                        .with("recipients", tx.recipients.size()).with("octets", message.size())
                        .with("reply", reply.toString()));
            } catch (Exception e) {
                reply = ctx.failure(e, "onMessage", true);
            }
        }
        if (reply.code() >= 400) {
            ctx.metrics.increment(Counter.MESSAGES_REJECTED);
        }
        ctx.events.messageReplied(octets, reply);
        ctx.endTransaction();
        ctx.send(reply);
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
