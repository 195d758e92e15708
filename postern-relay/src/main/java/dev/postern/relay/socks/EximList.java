package dev.postern.relay.socks;

import java.util.ArrayList;
import java.util.List;

/**
 * Exim's list syntax (the Exim specification, chapter "Lists"; {@code string_nextinlist} in its sources):
 * items separated by a separator character, white space around each item ignored, a doubled separator
 * standing for one literal separator character, and a leading {@code <} followed by a punctuation or
 * control character choosing that character as the separator instead (as in {@code <; ::1 ; 127.0.0.1}).
 * A control-character separator cannot be doubled. An empty item between two separators is kept (the
 * caller decides whether it is an error); a separator at the very end does not make an empty item.
 */
public final class EximList {

    private EximList() {
    }

    /**
     * Splits a list.
     *
     * @param list             the text
     * @param defaultSeparator the separator when the list does not choose one with {@code <}
     * @return the items, trimmed
     */
    public static List<String> split(String list, char defaultSeparator) {
        return split(list, defaultSeparator, true);
    }

    /**
     * Splits a list whose separator is fixed: a leading {@code <} is an ordinary character, as in Exim when
     * {@code string_nextinlist} is given a separator (the options of one {@code socks_proxy} entry are
     * space-separated, always). Letting an entry choose its own separator would also let a {@code pass=}
     * option be cut from its value, which then escaped the redaction of errors (SocksProxyParserFuzzTest).
     *
     * @param list      the text
     * @param separator the separator
     * @return the items, trimmed
     */
    public static List<String> splitFixed(String list, char separator) {
        return split(list, separator, false);
    }

    private static List<String> split(String list, char defaultSeparator, boolean mayChoose) {
        List<String> items = new ArrayList<>();
        int n = list.length();
        int i = skipSpace(list, 0, '\0');
        char sep = defaultSeparator;
        if (mayChoose && i + 1 < n && list.charAt(i) == '<' && (isPunct(list.charAt(i + 1)) || isCntrl(list.charAt(i + 1)))) {
            sep = list.charAt(i + 1);
            i += 2;
        }
        boolean special = isCntrl(sep);
        while (true) {
            i = skipSpace(list, i, sep);
            if (i >= n) {
                return items;
            }
            StringBuilder item = new StringBuilder();
            while (i < n) {
                char c = list.charAt(i);
                if (c != sep) {
                    item.append(c);
                    i++;
                } else if (!special && i + 1 < n && list.charAt(i + 1) == sep) {
                    item.append(sep);
                    i += 2;
                } else {
                    i++;
                    break;
                }
            }
            int end = item.length();
            while (end > 0 && isSpace(item.charAt(end - 1))) {
                end--;
            }
            items.add(item.substring(0, end));
        }
    }

    /** C's isspace(), but never skipping the separator itself (a space-separated list). */
    private static int skipSpace(String s, int i, char sep) {
        while (i < s.length() && isSpace(s.charAt(i)) && s.charAt(i) != sep) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** C's ispunct() in the C locale: printable ASCII that is neither a letter, a digit nor a space. */
    private static boolean isPunct(char c) {
        return c > ' ' && c < 0x7f && !Character.isLetterOrDigit(c);
    }

    private static boolean isCntrl(char c) {
        return c < ' ' || c == 0x7f;
    }
}
