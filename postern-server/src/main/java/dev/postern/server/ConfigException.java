package dev.postern.server;

/**
 * A config file that cannot be read or holds a setting that is not allowed; the message names the file.
 * The message is one line, whatever the file held: a value it quotes may hold line breaks (a YAML quoted
 * string spanning lines), which are shown as {@code \n} and {@code \r}, and other control characters as
 * {@code \}{@code uXXXX} (found by ConfigFileFuzzTest: an error must be one line).
 */
final class ConfigException extends Exception {

    ConfigException(String message) {
        super(oneLine(message), null, false, false);
    }

    static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c < 0x20 && c != '\t' || c == 0x7f) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
