package dev.postern.server;

/** A config file that cannot be read or holds a setting that is not allowed; the message names the file. */
final class ConfigException extends Exception {

    ConfigException(String message) {
        super(message, null, false, false);
    }
}
