#!/usr/bin/env bash
# Start-up benchmark (issue 13): an embedded Postern against GreenMail 2.1.13 (SMTP only), cold (fresh
# JVMs, alternating) and warm (one JVM, interleaved): start, first greeting, QUIT, stop. See bench/README.md.
set -euo pipefail
BENCH_PROG=startup.sh
REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$REPO_ROOT/bench/lib.sh"

JVMS=7 WARMUP=20 CYCLES=50 BUILD=1 CLASSES=1 MODES=cold,warm CORE_ROOT= WRITE_LIST=0
JAVA_OPTS=${JAVA_OPTS:-}
usage() {
    cat <<USAGE
usage: bench/startup.sh [options]
  --jvms N        fresh JVMs per server for the cold figures [7]
  --warmup N      warm-up cycles per server in the warm JVM [20]
  --cycles N      measured cycles per server in the warm JVM [50]
  --modes LIST    cold,warm (either or both) [cold,warm]
  --no-build      use postern-core/target as it is
  --no-classes    skip counting the classes each server loads in a fresh JVM
  --write-class-list  instead of measuring, rewrite postern-core's cold-start class list (the Netty and
                  Postern classes one cold cycle loads, in order; dev.postern.netty.ColdStart loads them ahead)
  --core DIR      measure the postern-core of another source tree (e.g. an older commit's, from
                  git archive), built there with mvn -DskipTests package [this tree]
JAVA_OPTS (environment) is passed to every measured JVM; the JDK is the build's (scripts/java-env.sh).
USAGE
}
while (( $# )); do
    case $1 in
        --jvms) need_uint "$1" "${2:-}"; JVMS=$2; shift ;;
        --warmup) need_uint "$1" "${2:-}"; WARMUP=$2; shift ;;
        --cycles) need_uint "$1" "${2:-}"; CYCLES=$2; shift ;;
        --modes) MODES=${2:-}; shift ;;
        --no-build) BUILD=0 ;;
        --no-classes) CLASSES=0 ;;
        --write-class-list) WRITE_LIST=1 ;;
        --core) CORE_ROOT=$(cd "${2:-}" && pwd) || die "--core needs a directory"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option $1" ;;
    esac
    shift
done

. "$REPO_ROOT/scripts/java-env.sh" >/dev/null 2>&1
postern_select_jdk >/dev/null 2>&1 || true
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAVAC=${JAVA_HOME:+$JAVA_HOME/bin/}javac
OUT=$REPO_ROOT/bench/startup/target
mkdir -p "$OUT/classes"

CORE_ROOT=${CORE_ROOT:-$REPO_ROOT}
cd "$CORE_ROOT"
if (( BUILD )); then
    log "building postern-core in $CORE_ROOT (mvn -pl postern-core -am -DskipTests package)"
    mvn -q -pl postern-core -am -DskipTests package >&2
fi
CORE_JAR=$(ls "$CORE_ROOT"/postern-core/target/postern-core-*.jar | grep -Ev -- '-(tests|sources|javadoc)\.jar$' | head -1)
[[ -f $CORE_JAR ]] || die "no postern-core jar in $CORE_ROOT: build first, or drop --no-build"
mvn -q -pl postern-core dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$OUT/core.cp" >&2
cd "$REPO_ROOT"
mvn -q -f bench/startup/pom.xml dependency:build-classpath -Dmdep.outputFile="$OUT/peers.cp" >&2
# one SLF4J for both servers: the peers' (2.x, with its silent provider)
CP="$OUT/classes:$CORE_JAR:$(tr ':' '\n' < "$OUT/core.cp" | grep -v '/slf4j-api/' | paste -sd:):$(cat "$OUT/peers.cp")"
echo "$CP" > "$OUT/bench.cp"   # for running StartupBench by hand (bench/README.md)
"$JAVAC" -q -d "$OUT/classes" -cp "$CP" bench/startup/src/main/java/dev/postern/bench/StartupBench.java 2>/dev/null \
    || "$JAVAC" -d "$OUT/classes" -cp "$CP" bench/startup/src/main/java/dev/postern/bench/StartupBench.java

if (( WRITE_LIST )); then
    LIST=$REPO_ROOT/postern-core/src/main/resources/dev/postern/netty/cold-start-classes.txt
    # shellcheck disable=SC2086
    "$JAVA" $JAVA_OPTS -Dpostern.coldStartLoading=false -Xlog:class+load=info:file="$OUT/classes-list.log" -cp "$CP" \
        dev.postern.bench.StartupBench once postern >/dev/null
    grep 'source: file:' "$OUT/classes-list.log" | grep -E '/netty-[a-z-]+-[0-9][^/]*\.jar|/postern-core-[^/]*\.jar' \
        | sed 's/.*\] \([^ ]*\) source:.*/\1/' > "$LIST"
    log "wrote $(wc -l < "$LIST") class names to $LIST"
    exit 0
fi
echo "postern-core: $CORE_JAR"
echo "java: $("$JAVA" -version 2>&1 | head -1); JAVA_OPTS: ${JAVA_OPTS:-none}; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
if [[ ,$MODES, == *,cold,* ]]; then
    "$JAVA" $JAVA_OPTS -cp "$CP" dev.postern.bench.StartupBench cold "$JVMS" $JAVA_OPTS
fi
if (( CLASSES )) && [[ ,$MODES, == *,cold,* ]]; then
    for s in postern greenmail netty postern-named; do
        # shellcheck disable=SC2086
        "$JAVA" $JAVA_OPTS -Xlog:class+load=info:file="$OUT/classes-$s.log" -cp "$CP" dev.postern.bench.StartupBench once "$s" >/dev/null
    done
    echo "  classes    postern $(wc -l < "$OUT/classes-postern.log")   greenmail $(wc -l < "$OUT/classes-greenmail.log")   netty $(wc -l < "$OUT/classes-netty.log")   postern-named $(wc -l < "$OUT/classes-postern-named.log")   (loaded by the JVM for one cold cycle, JDK's own included; lists in $OUT/classes-*.log)"
fi
if [[ ,$MODES, == *,warm,* ]]; then
    # shellcheck disable=SC2086
    "$JAVA" $JAVA_OPTS -cp "$CP" dev.postern.bench.StartupBench warm "$WARMUP" "$CYCLES"
fi
