package dev.postern.protocol;

/** RFC 5321 4.1.3 address literals: IPv4, {@code IPv6:...}, or a General-address-literal. */
final class AddressLiterals {

    private AddressLiterals() {
    }

    static boolean isValid(String literal) {
        if (literal.regionMatches(true, 0, "IPv6:", 0, 5)) {
            return isIpv6(literal.substring(5));
        }
        if (!literal.isEmpty() && Character.isDigit(literal.charAt(0))) {
            return isIpv4(literal);
        }
        // General-address-literal = Standardized-tag ":" 1*dcontent
        int colon = literal.indexOf(':');
        if (colon <= 0 || colon == literal.length() - 1) {
            return false;
        }
        for (int i = 0; i < colon; i++) {
            char c = literal.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '-') {
                return false;
            }
        }
        for (int i = colon + 1; i < literal.length(); i++) {
            char c = literal.charAt(i);
            // dcontent = %d33-90 / %d94-126
            if (!((c >= 33 && c <= 90) || (c >= 94 && c <= 126))) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return false;
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return false;
        }
        String hexPart = s;
        int groupsNeeded = 8;
        int lastColon = s.lastIndexOf(':');
        if (lastColon >= 0 && s.indexOf('.', lastColon) > 0) {
            // IPv6v4-full / IPv6v4-comp: the last 32 bits as dotted quad
            if (!isIpv4(s.substring(lastColon + 1))) {
                return false;
            }
            hexPart = s.substring(0, lastColon + 1) + "0";
            groupsNeeded = 7;
        }
        int dc = hexPart.indexOf("::");
        if (dc >= 0 && hexPart.indexOf("::", dc + 1) >= 0) {
            return false;
        }
        String[] groups = hexPart.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty()) {
                // allowed only as part of the single "::"
                if (dc < 0) {
                    return false;
                }
                continue;
            }
            if (g.length() > 4 || !g.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return false;
            }
            count++;
        }
        if (groupsNeeded == 7) {
            count--; // the placeholder "0" stood for the dotted quad (two groups)
            count += 2;
            groupsNeeded = 8;
        }
        return dc >= 0 ? count < groupsNeeded : count == groupsNeeded;
    }
}
