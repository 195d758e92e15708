#!/usr/bin/env bash
# Memory figures (a benchmark, not a test; see bench/README.md, "Memory"):
#   bench/memory.sh idle [N]            heap, direct memory and RSS per idle connection, N connections (10000)
#   bench/memory.sh messages [N] [MB]   peak heap with N concurrent messages of MB megabytes (50, 20)
# Builds Postern if needed (through ./postern), then runs bench/MemoryBench.java on its class path with
# JAVA_OPTS (default -Xmx1g). The clients are a python3 process on 127.0.0.1; N idle connections need
# about N file descriptors in each process (ulimit -n).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
. scripts/java-env.sh
postern_select_jdk >/dev/null
./postern serve --help >/dev/null   # builds postern-server/target/{classes,lib} when missing or stale
mode="${1:-idle}"
shift || true
case "$mode" in
    idle) args=(idle "${1:-10000}") ;;
    messages) args=(messages "${1:-50}" "${2:-20}") ;;
    *) sed -n '2,7p' "$0" >&2; exit 2 ;;
esac
need=$(( ${args[1]} + 1000 ))
if [[ "$(ulimit -n)" -lt $need ]]; then
    ulimit -n "$need" 2>/dev/null || { echo "memory.sh: ulimit -n is $(ulimit -n); $need needed" >&2; exit 1; }
fi
cp="postern-server/target/classes:postern-server/target/lib/*"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" ${JAVA_OPTS:--Xmx1g} -cp "$cp" bench/MemoryBench.java "${args[@]}"
