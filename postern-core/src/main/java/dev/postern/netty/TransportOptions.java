package dev.postern.netty;

import java.util.concurrent.ScheduledExecutorService;

/**
 * Where a server's network event loops come from, chosen with {@code SmtpServer.Builder}: Netty's native
 * epoll transport or the JDK's NIO, loops shared by every server of the JVM or the server's own, or a
 * group the application lends.
 *
 * @param nativeTransport  epoll where Netty's native library loads (Linux), else NIO
 * @param sharedEventLoops run on the JVM's shared loops (when {@code ioThreads} is 0 and nothing is lent)
 * @param lent             the application's Netty group, used as it is and never shut down; null for none
 */
record TransportOptions(boolean nativeTransport, boolean sharedEventLoops, ScheduledExecutorService lent) {
}
