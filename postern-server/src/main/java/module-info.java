/**
 * The standalone Postern server ({@code postern serve}): command line, configuration file, Maildir
 * store, logging and HTTP monitoring around {@code dev.postern.core}. Its one API is the plugin SPI,
 * {@code dev.postern.server.plugin}.
 */
module dev.postern.server {
    requires transitive dev.postern.core;
    requires dev.postern.relay;
    requires ch.qos.logback.classic;
    requires com.fasterxml.jackson.databind;
    requires ch.qos.logback.core;
    requires info.picocli;
    requires java.management;
    requires java.net.http;
    requires jdk.httpserver;
    requires jdk.management;
    requires org.slf4j;
    requires logstash.logback.encoder;
    requires org.yaml.snakeyaml;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.metrics.instrumentation.jvm;
    requires io.prometheus.writer.text;

    // The plugin SPI (postern serve --plugin-dir), the only API of this module.
    exports dev.postern.server.plugin;
    uses dev.postern.server.plugin.HandlerPlugin;

    // picocli fills the command objects' annotated fields by reflection.
    opens dev.postern.server to info.picocli;
    opens dev.postern.server.admin to info.picocli;
    opens dev.postern.server.queue to info.picocli;
}
