package dev.postern.relay.client;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.testing.Requests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.postern.relay.client.SmtpSinkDeliveryTest.deliver;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The destination goes away in the middle of a transaction (its process dies while the message is being sent)
 * and comes back on the same address: the attempt in flight is deferred, never reported delivered, and the
 * next attempt through the same client delivers on a new connection.
 */
@Timeout(60)
class DestinationOutageTest {

    /** A one-connection SMTP server on {@code port}: answers everything; with {@code dieInData}, closes after 354 and a line. */
    private static final class Destination implements AutoCloseable {
        final ServerSocket socket;
        final List<String> received = new CopyOnWriteArrayList<>();

        Destination(int port, boolean dieInData) throws IOException {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            Thread.ofVirtual().start(() -> serve(dieInData));
        }

        private void serve(boolean dieInData) {
            try (Socket s = socket.accept()) {
                OutputStream out = s.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                out.write("220 mx.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                boolean data = false;
                String line;
                while ((line = in.readLine()) != null) {
                    received.add(line);
                    String reply;
                    if (data) {
                        if (dieInData) {
                            s.setSoLinger(true, 0); // gone, as a killed process: RST
                            return;
                        }
                        if (!line.equals(".")) {
                            continue;
                        }
                        data = false;
                        reply = "250 2.0.0 queued\r\n";
                    } else if (line.startsWith("EHLO")) {
                        reply = "250-mx.test\r\n250 8BITMIME\r\n";
                    } else if (line.equals("DATA")) {
                        data = true;
                        reply = "354 go ahead\r\n";
                    } else if (line.equals("QUIT")) {
                        out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                        return;
                    } else {
                        reply = "250 2.1.0 ok\r\n";
                    }
                    out.write(reply.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aDestinationThatDiesMidTransactionDefersAndTheNextAttemptDeliversWhenItIsBack() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        try (RelayClient client = RelayClient.create(RelayClientConfig.builder().target("smtp://127.0.0.1:" + port)
                .heloName("client.test").commandTimeout(Duration.ofSeconds(5)).build())) {
            try (Destination dying = new Destination(port, true)) {
                DeliveryReport first = deliver(client, Requests.to(client, "a@example.net"));
                assertThat(statuses(first)).containsExactly(Status.DEFERRED);
                assertThat(dying.received).contains("DATA");
            }
            // nothing listens now: an attempt fails to connect and is deferred too
            DeliveryReport meanwhile = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(meanwhile)).containsExactly(Status.DEFERRED);

            try (Destination back = new Destination(port, false)) {
                DeliveryReport again = deliver(client, Requests.to(client, "a@example.net"));
                assertThat(statuses(again)).containsExactly(Status.DELIVERED);
                assertThat(back.received).contains("DATA", ".");
            }
        }
    }
}
