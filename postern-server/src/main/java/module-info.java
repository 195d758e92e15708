/**
 * The standalone Postern server ({@code postern serve}): command line, configuration file, Maildir
 * store, logging and HTTP monitoring around {@code dev.postern.core}. Nothing here is a library API.
 */
module dev.postern.server {
    requires dev.postern.core;
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
    requires org.yaml.snakeyaml;

    // picocli fills the command objects' annotated fields by reflection.
    opens dev.postern.server to info.picocli;
    opens dev.postern.server.admin to info.picocli;
    opens dev.postern.server.queue to info.picocli;
}
