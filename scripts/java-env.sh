# Sourced by ./postern, ./run-tests, .ci/run and the distribution's bin/postern (a POSIX shell there, so this
# file keeps to POSIX sh plus `local`): finds a Java 21 or newer and sets JAVA_HOME.
# Order: $JAVA_HOME if it is >= 21, else the newest >= 21 under /usr/lib/jvm, else the one on PATH if >= 21.
#   postern_select_jdk   a JDK (bin/javac too), for builds; also sets PATH and MAVEN_OPTS
#   postern_select_java  a runtime is enough (bin/java), to run the distribution
# Both set POSTERN_JAVA_MAJOR to the chosen one's major version.

postern_java_major() {
    # prints the major version of the given java binary, or 0
    local v
    v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)
    case "$v" in
        1.*) echo 1 ;;
        [0-9]*) echo "${v%%.*}" ;;
        *) echo 0 ;;
    esac
}

# postern_find_java_home TOOL: the best home that has bin/TOOL (javac: a JDK; java: any runtime) and is >= 21.
postern_find_java_home() {
    local tool="$1" best="" best_major=0 home major
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/$tool" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        major=$(postern_java_major "$JAVA_HOME/bin/java")
        if [ "$major" -ge 21 ]; then
            best="$JAVA_HOME"; best_major=$major
        fi
    fi
    if [ -z "$best" ]; then
        for home in /usr/lib/jvm/*; do
            [ -x "$home/bin/$tool" ] && [ -x "$home/bin/java" ] || continue
            [ -L "$home" ] && continue
            major=$(postern_java_major "$home/bin/java")
            if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
                best="$home"; best_major=$major
            fi
        done
    fi
    if [ -z "$best" ] && command -v "$tool" >/dev/null 2>&1; then
        home=$(dirname "$(dirname "$(readlink -f "$(command -v "$tool")")")")
        major=$(postern_java_major "$home/bin/java")
        if [ "$major" -ge 21 ]; then
            best="$home"; best_major=$major
        fi
    fi
    if [ -z "$best" ]; then
        return 1
    fi
    JAVA_HOME="$best"
    POSTERN_JAVA_MAJOR=$best_major
    export JAVA_HOME
}

postern_select_jdk() {
    if ! postern_find_java_home javac; then
        echo "postern: no JDK 21 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, PATH); install one and set JAVA_HOME" >&2
        return 1
    fi
    export PATH="$JAVA_HOME/bin:$PATH"
    if [ "$POSTERN_JAVA_MAJOR" -ge 24 ]; then
        # Maven 3.8's bundled Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run.
        case " ${MAVEN_OPTS:-} " in
            *sun-misc-unsafe-memory-access*) ;;
            *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
        esac
    fi
}

postern_select_java() {
    if ! postern_find_java_home java; then
        echo "postern: no Java 21 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, PATH); install a Java runtime" \
            "(JRE or JDK) 21 or newer and set JAVA_HOME" >&2
        return 1
    fi
}

# The JVM options both launchers (./postern and the distribution's bin/postern) pass for the chosen Java: from
# JDK 22 on, a JVM warns at start, in four lines, that Netty (on the class path) loads its native epoll transport,
# unless native access is allowed; JDK 24 warns once that Netty uses sun.misc.Unsafe (Netty stops using it on 25).
postern_jvm_options() {
    if [ "${POSTERN_JAVA_MAJOR:-0}" -ge 22 ]; then
        printf '%s' "--enable-native-access=ALL-UNNAMED"
    fi
    if [ "${POSTERN_JAVA_MAJOR:-0}" -eq 24 ]; then
        printf ' %s' "--sun-misc-unsafe-memory-access=allow"
    fi
    echo
}
