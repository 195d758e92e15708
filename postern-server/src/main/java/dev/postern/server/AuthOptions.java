package dev.postern.server;

import dev.postern.SmtpServerConfig;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.server.auth.UsersAuthenticator;
import dev.postern.server.auth.UsersFileException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The AUTH flags of {@code postern serve}, mixed into {@link ServeCommand}: SMTP AUTH (RFC 4954) checked
 * against a users file ({@link UsersAuthenticator}), for a submission server. In the config file they are
 * top-level keys, like the other flags.
 */
final class AuthOptions {

    /** Whether AUTH is offered, and whether MAIL needs it. */
    enum Mode { OFF, OPTIONAL, REQUIRED }

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--auth", paramLabel = "off|optional|required", defaultValue = "off", converter = ModeConverter.class,
            description = "SMTP AUTH checked against --users: offered (optional), or offered and needed before MAIL "
                    + "(required: for a submission port, never for a public MX). Only over TLS unless "
                    + "--auth-allow-plaintext. Default: ${DEFAULT-VALUE}.")
    private Mode mode;

    @Option(names = "--users", paramLabel = "FILE",
            description = "Users file, htpasswd-compatible: user:hash per line, bcrypt (htpasswd -B) or Argon2id (PHC "
                    + "string), or {plain}password for CRAM-MD5 only; re-read when it changes; must not be readable by "
                    + "group or others. Needed unless --auth off. Default: none.")
    private Path users;

    @Option(names = "--auth-allow-plaintext",
            description = "Offer AUTH on connections without TLS too (PLAIN and LOGIN then send passwords in clear). "
                    + "Default: off (AUTH only after STARTTLS or on --tls-listen).")
    private boolean allowPlaintext;

    @Option(names = "--auth-mechanisms", paramLabel = "MECHANISM[,MECHANISM...]", split = ",", defaultValue = "PLAIN,LOGIN",
            converter = MechanismConverter.class,
            description = "SASL mechanisms offered, in this order: PLAIN, LOGIN, CRAM-MD5 (needs {plain} passwords). "
                    + "XOAUTH2 cannot be checked against a users file. Default: ${DEFAULT-VALUE}.")
    private List<AuthMechanism> mechanisms;

    @Option(names = "--max-auth-failures", paramLabel = "N", defaultValue = "5",
            description = "Failed AUTH attempts from one client address (the real client's, after a PROXY header or "
                    + "XCLIENT) within --auth-failure-window; then its AUTH gets 454 4.7.0, after a growing delay, until "
                    + "the window has passed. 0 for no limit. Default: ${DEFAULT-VALUE}.")
    private int maxAuthFailures;

    @Option(names = "--auth-failure-window", paramLabel = "DURATION", defaultValue = "10m",
            converter = ValueConverters.DurationConverter.class,
            description = "How long failed AUTH attempts are counted, and a client over --max-auth-failures is refused. "
                    + "Default: ${DEFAULT-VALUE}.")
    private Duration authFailureWindow;

    @Option(names = "--received-auth-user",
            description = "Name the authenticated user in the Received field, as Postfix's (Authenticated sender: "
                    + "USER). Default: off (the field says ESMTPA / ESMTPSA only).")
    private boolean receivedAuthUser;

    /** The library's AUTH failure throttle, from --max-auth-failures and --auth-failure-window. */
    void configure(SmtpServerConfig.Builder server) {
        server.authFailureLimit(maxAuthFailures, authFailureWindow);
    }

    /**
     * The AUTH settings; reads the users file.
     *
     * @param tlsUsable whether some connection can have TLS (a certificate, and STARTTLS or an implicit-TLS listener)
     * @param given     the long names of the options the flags and the config file set
     * @param warnings  gets what deserves a warning at start
     * @throws ParameterException one line for settings that contradict each other or a users file that cannot be used
     */
    AuthSettings settings(boolean tlsUsable, Set<String> given, List<String> warnings) {
        if (mode == Mode.OFF) {
            List<String> unused = Stream.of("--users", "--auth-allow-plaintext", "--auth-mechanisms")
                    .filter(given::contains).toList();
            if (!unused.isEmpty()) {
                warnings.add(String.join(", ", unused) + " not used: --auth is off");
            }
            return new AuthSettings(AuthConfig.NONE, null, receivedAuthUser);
        }
        String auth = "--auth " + mode.name().toLowerCase(Locale.ROOT);
        if (users == null) {
            throw usage(auth + " needs --users FILE, the users file (user:hash per line, as htpasswd -B writes it)");
        }
        if (mechanisms.contains(AuthMechanism.XOAUTH2)) {
            throw usage("--auth-mechanisms XOAUTH2: a users file holds passwords and cannot check OAuth 2.0 bearer tokens, "
                    + "which only their issuer can; leave XOAUTH2 out (an embedding application can check tokens in onAuth)");
        }
        if (mechanisms.size() != EnumSet.copyOf(mechanisms).size()) {
            throw usage("--auth-mechanisms lists a mechanism twice: " + names(mechanisms));
        }
        if (!tlsUsable && !allowPlaintext) {
            throw usage(auth + " offers AUTH only over TLS, and no connection can have TLS: give a certificate "
                    + "(--tls-cert and --tls-key, or --tls-self-signed) with STARTTLS or --tls-listen, or allow AUTH in "
                    + "clear with --auth-allow-plaintext");
        }
        if (allowPlaintext && (mechanisms.contains(AuthMechanism.PLAIN) || mechanisms.contains(AuthMechanism.LOGIN))) {
            warnings.add("--auth-allow-plaintext: PLAIN and LOGIN send passwords in clear on connections without TLS");
        }
        UsersAuthenticator authenticator;
        try {
            authenticator = UsersAuthenticator.open(users);
            warnings.addAll(authenticator.warnings(mechanisms));
        } catch (UsersFileException | IOException e) {
            throw usage(e.getMessage());
        }
        AuthConfig config = new AuthConfig(mechanisms, mode == Mode.REQUIRED, allowPlaintext);
        return new AuthSettings(config, authenticator, receivedAuthUser);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static String names(List<AuthMechanism> mechanisms) {
        return mechanisms.stream().map(AuthMechanism::wireName).collect(Collectors.joining(","));
    }

    static final class ModeConverter implements ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            try {
                return Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not one of off, optional, required");
            }
        }
    }

    static final class MechanismConverter implements ITypeConverter<AuthMechanism> {
        @Override
        public AuthMechanism convert(String value) {
            return AuthMechanism.byWireName(value.strip()).orElseThrow(() -> new TypeConversionException("'" + value
                    + "' is not one of " + Arrays.stream(AuthMechanism.values()).map(AuthMechanism::wireName)
                    .collect(Collectors.joining(", "))));
        }
    }
}
