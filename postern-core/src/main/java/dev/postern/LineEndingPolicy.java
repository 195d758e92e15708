package dev.postern;

/**
 * What the server does with a bare CR or bare LF (one not part of CRLF), in command lines and in
 * message content. Whatever the policy, only {@code CRLF "." CRLF} ends DATA, so the server is immune
 * to SMTP smuggling (CVE-2023-51766 and its variants), and a NUL or bare CR in a command line is
 * always refused.
 */
public enum LineEndingPolicy {
    /** A bare CR or LF anywhere gets a 5xx reply and the connection is closed. */
    STRICT,
    /** The default: a bare LF (or bare CR in content) becomes CRLF; commands may end in a bare LF. */
    NORMALIZE,
    /** Content bytes are kept exactly as received; commands may end in a bare LF. */
    LEAVE
}
