# Sourced by ./postern, ./run-tests and .ci/run: picks a JDK >= 21 and sets JAVA_HOME, PATH and MAVEN_OPTS.
# Order: $JAVA_HOME if it is >= 21, else the newest JDK >= 21 under /usr/lib/jvm, else `java` on PATH if >= 21.

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

postern_select_jdk() {
    local best="" best_major=0 home major
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        major=$(postern_java_major "$JAVA_HOME/bin/java")
        if [ "$major" -ge 21 ]; then
            best="$JAVA_HOME"; best_major=$major
        fi
    fi
    if [ -z "$best" ]; then
        for home in /usr/lib/jvm/*; do
            [ -x "$home/bin/javac" ] || continue
            [ -L "$home" ] && continue
            major=$(postern_java_major "$home/bin/java")
            if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
                best="$home"; best_major=$major
            fi
        done
    fi
    if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
        home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
        major=$(postern_java_major "$home/bin/java")
        if [ "$major" -ge 21 ]; then
            best="$home"; best_major=$major
        fi
    fi
    if [ -z "$best" ]; then
        echo "postern: no JDK 21 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, PATH); install one and set JAVA_HOME" >&2
        return 1
    fi
    export JAVA_HOME="$best"
    export PATH="$JAVA_HOME/bin:$PATH"
    if [ "$best_major" -ge 24 ]; then
        # Maven 3.8's bundled Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run.
        case " ${MAVEN_OPTS:-} " in
            *sun-misc-unsafe-memory-access*) ;;
            *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
        esac
    fi
}
