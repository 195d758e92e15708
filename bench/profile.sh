#!/usr/bin/env bash
# Profiles ./postern serve --discard under smtp-source load with async-profiler (fetched from Maven
# Central), once through HAProxy plainly and once with send-proxy-v2, in ONE server process, and
# writes a flame graph (.html) and collapsed stacks (.collapsed) per run, plus a diff of the two.
# This is how the PROXY path's cost was found (see bench/README.md). Loopback only.
# --paths direct adds (or, alone, only runs) smtp-source straight to the plain listener, as
# bench/run.sh measures it; --threads splits the stacks by thread. POSTERN_CMD (default ./postern)
# profiles another build.
#
#   bench/profile.sh [--messages N] [--mode conn|reuse] [--paths direct,plain,pp2] [--threads] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=20000; MODE=conn; OUT=bench/results/profile-$(date +%Y%m%dT%H%M%S); AP_VERSION=4.2
PATHS=plain,pp2; AP_OPTS=""
while (( $# )); do
    case $1 in
        --messages) MESSAGES=$2; shift 2 ;;
        --mode) MODE=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --paths) PATHS=$2; shift 2 ;;
        --threads) AP_OPTS=,threads; shift ;;
        -h|--help) sed -n 2,10p "$0"; exit 0 ;;
        *) echo "profile.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
. scripts/java-env.sh && postern_select_jdk
SRC=$(command -v smtp-source || echo /usr/sbin/smtp-source)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
[[ -x $SRC && -x $HAPROXY ]] || { echo "needs smtp-source (postfix) and haproxy" >&2; exit 1; }
mkdir -p "$OUT"
AP_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar
[[ -f $AP_JAR ]] || mvn -q -B dependency:get -Dartifact=tools.profiler:async-profiler:$AP_VERSION >/dev/null
unzip -o -q "$AP_JAR" linux-x64/libasyncProfiler.so -d "$OUT"
LIB=$(realpath "$OUT/linux-x64/libasyncProfiler.so")
cat >"$OUT/Attach.java" <<'JAVA'
import com.sun.tools.attach.VirtualMachine;
public class Attach { public static void main(String[] a) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(a[0]);
    try { vm.loadAgentPath(a[1], a[2]); } finally { vm.detach(); } } }
JAVA
printf 'listen:\n  - "127.0.0.1:25251"\n  - address: "127.0.0.1:25253"\n    proxy-protocol: required\n    trusted-proxies: ["127.0.0.1/32"]\n' >"$OUT/postern.yml"
cat >"$OUT/haproxy.cfg" <<CFG
global
    maxconn 4096
    nbthread 1
defaults
    mode tcp
    timeout connect 5s
    timeout client 120s
    timeout server 120s
frontend fe_plain
    bind 127.0.0.1:25261
    default_backend be_plain
backend be_plain
    server sut 127.0.0.1:25251
frontend fe_pp2
    bind 127.0.0.1:25262
    default_backend be_pp2
backend be_pp2
    server sut 127.0.0.1:25253 send-proxy-v2
CFG
JAVA_OPTS="-XX:+EnableDynamicAgentLoading ${JAVA_OPTS:-}" setsid ${POSTERN_CMD:-./postern} serve --discard --config "$OUT/postern.yml" >"$OUT/postern.log" 2>&1 &
SERVER=$!
setsid "$HAPROXY" -db -f "$OUT/haproxy.cfg" >"$OUT/haproxy.log" 2>&1 &
HAP=$!
trap 'kill -- -$SERVER -$HAP 2>/dev/null || true' EXIT
for _ in $(seq 60); do ss -ltn | grep -q ':25253 ' && break; sleep 1; done
JPID=$(pgrep -P "$SERVER" java || echo "$SERVER")
LOAD=("$SRC" -s 20 -l 10240 -r 1 -M bench.example -f a@bench.example -t b@bench.example)
[[ $MODE == reuse ]] && LOAD+=(-d)
echo "warming up" >&2
declare -A PORT=([direct]=25251 [plain]=25261 [pp2]=25262)
IFS=, read -r -a RUNS <<<"$PATHS"
for _ in 1 2 3 4 5 6; do for name in "${RUNS[@]}"; do "${LOAD[@]}" -m 3000 "127.0.0.1:${PORT[$name]}"; done; done
for name in "${RUNS[@]}"; do
    port=${PORT[$name]}
    "$JAVA_HOME/bin/java" "$OUT/Attach.java" "$JPID" "$LIB" "start,event=cpu,interval=200us$AP_OPTS" >/dev/null
    t0=$(awk '{print $14+$15}' "/proc/$JPID/stat")
    "${LOAD[@]}" -m "$MESSAGES" "127.0.0.1:$port"
    t1=$(awk '{print $14+$15}' "/proc/$JPID/stat")
    "$JAVA_HOME/bin/java" "$OUT/Attach.java" "$JPID" "$LIB" "dump,file=$(realpath "$OUT")/$name.collapsed,collapsed" >/dev/null
    "$JAVA_HOME/bin/java" "$OUT/Attach.java" "$JPID" "$LIB" "stop,file=$(realpath "$OUT")/$name.html" >/dev/null
    echo "$name: server CPU $(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / MESSAGES )) us/msg" | tee -a "$OUT/summary.txt"
done
[[ -f $OUT/plain.collapsed && -f $OUT/pp2.collapsed ]] && python3 - "$OUT/plain.collapsed" "$OUT/pp2.collapsed" <<'PY' | tee "$OUT/diff.txt"
import collections, sys
def load(path):
    incl, total = collections.Counter(), 0
    for line in open(path):
        stack, n = line.rsplit(' ', 1)
        n = int(n); total += n
        for frame in set(stack.split(';')):
            incl[frame] += n
    return total, incl
(ta, a), (tb, b) = load(sys.argv[1]), load(sys.argv[2])
print(f"samples: plain {ta}, pp2 {tb} ({(tb - ta) / ta:+.1%}); frames by extra inclusive samples:")
for f in sorted(set(a) | set(b), key=lambda f: b[f] - a[f], reverse=True)[:40]:
    print(f"{b[f] - a[f]:7d} {a[f]:7d} {b[f]:7d}  {f[:140]}")
PY
echo "written to $OUT" >&2
