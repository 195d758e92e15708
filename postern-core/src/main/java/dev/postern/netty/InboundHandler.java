package dev.postern.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;

/**
 * What Netty's {@code ChannelInboundHandlerAdapter} is to a handler (every event passed on unless
 * overridden), without its annotations. Netty reads a handler's annotations by reflection when it is first
 * added to a pipeline: {@code @Sharable} on the class, {@code @Skip} on each method the adapter leaves
 * alone. The JVM's first annotation read this way costs about 25 ms (the JDK spins a proxy class for each
 * annotation type, with the class-file API and lambdas it loads for that), a tenth of a cold start
 * (bench/startup.sh). Handlers extending this class declare every method, so Netty finds no annotation
 * to read; the price is a call per event that an adapter would have skipped, which the profile cannot see.
 * Not checked for sharing: a handler added to two pipelines must be safe for it (Admission is).
 */
abstract class InboundHandler implements ChannelInboundHandler {

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelUnregistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    @SuppressWarnings("deprecation") // ChannelHandler's; ChannelInboundHandler's is current
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        ctx.fireExceptionCaught(cause);
    }
}
