#!/usr/bin/env bash
# Postern throughput / CPU-per-message benchmark against Postfix's smtp-sink.
# See bench/README.md for usage and how to read the output.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_PROG=run.sh
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------- defaults ---
HOST=127.0.0.1
SUT_PORT=25251          # server under test (plain listener)
SINK_PORT=25252         # reference smtp-sink
SUT_PP_PORT=25253       # --proxy: server under test, PROXY-required listener
HAP_PLAIN_PORT=25261    # --proxy: haproxy frontend -> SUT_PORT, no header
HAP_PP_PORT=25262       # --proxy: haproxy frontend -> SUT_PP_PORT, send-proxy-v2
SESSIONS=20
MSG_SIZE=10240          # smtp-source -l (body bytes, headers not included)
RCPTS=1                 # smtp-source -r (recipients per transaction)
MSGS_REUSE=20000        # messages per run, reused connections (-d)
MSGS_CONN=10000         # messages per run, one connection per message
ROUNDS=3
WARMUP=20               # seconds of load on each JVM target before measuring
WARMUP_CHUNK=2000       # messages per smtp-source call during warm-up
MODES=reuse,conn
ORDER=abab              # abab | abba (alternate target order every round)
PROXY=0
PROXY_ONE_JVM=0
RUN_TIMEOUT=300         # seconds; hard limit for one smtp-source run
START_TIMEOUT=60        # seconds to wait for a server port to listen
PAUSE=1                 # seconds of idle between runs
SERVER_CPUS=""          # taskset -c list for the servers (empty: no pinning)
CLIENT_CPUS=""          # taskset -c list for smtp-source (empty: no pinning)
HAPROXY_THREADS=1
RESULTS_DIR="$BENCH_DIR/results"
SMTP_HELO=bench.example
SMTP_FROM=sender@bench.example
SMTP_TO=rcpt@bench.example

SERVER_CMD=${SERVER_CMD:-"./postern serve --discard --listen $HOST:%PORT%"}
PROXY_SERVER_CMD=${PROXY_SERVER_CMD:-"./postern serve --discard --listen $HOST:%PORT% --proxy-protocol required --trusted-proxies 127.0.0.1/32"}
SINK_CMD=${SINK_CMD:-}   # default filled in below (needs the smtp-sink path)
COMPARE_CMD=${COMPARE_CMD:-}   # optional second server (e.g. the previous build), measured like the SUT
COMPARE_NAME=${COMPARE_NAME:-baseline}
COMPARE_PORT=25254
declare -a ALSO_NAMES=() ALSO_CMDS=()   # --also NAME=CMD: more servers, on the ports after COMPARE_PORT
SERVER_NAME=${SERVER_NAME:-postern}
POSTERN_CMD=${POSTERN_CMD:-./postern}   # --proxy-one-jvm: the launcher to start with a generated --config

usage() {
    cat <<EOF
Usage: bench/run.sh [options]

Drives the server under test (SUT) and Postfix's smtp-sink with smtp-source,
interleaving runs, and reports msgs/s and server CPU µs per message.

Load:
  --messages-reuse N   messages per run, reused connections      [$MSGS_REUSE]
  --messages-conn N    messages per run, one connection per msg  [$MSGS_CONN]
  --messages N         set both of the above
  --sessions N         concurrent SMTP sessions (smtp-source -s) [$SESSIONS]
  --size BYTES         message body size (smtp-source -l)        [$MSG_SIZE]
  --rcpts N            recipients per message (smtp-source -r)   [$RCPTS]
  --modes LIST         comma list of: reuse, conn                [$MODES]
  --rounds N           interleaved rounds                        [$ROUNDS]
  --order abab|abba    target order per round (abba alternates)  [$ORDER]
  --warmup SECONDS     load on each SUT before measuring, discarded [$WARMUP]
  --pause SECONDS      idle time between runs                    [$PAUSE]
  --run-timeout SEC    hard limit per smtp-source run            [$RUN_TIMEOUT]
Targets:
  --proxy              compare SUT behind haproxy without vs with PROXY v2
  --proxy-one-jvm      as --proxy, but one Postern process with both listeners
                       (a plain one and a PROXY-required one, from a generated
                       --config file), so JIT and GC state are shared and only
                       the PROXY path differs
                       (instead of SUT vs smtp-sink)
  --server-name NAME   label for the SUT in reports                 [$SERVER_NAME]
  --compare-cmd CMD    also measure CMD (e.g. the previous build) in the same
                       rounds, warmed up like the SUT; adds its ratios to
                       smtp-sink and SUT / CMD (not with --proxy)
  --compare-name NAME  label for --compare-cmd                   [$COMPARE_NAME]
  --compare-port P     port for --compare-cmd                    [$COMPARE_PORT]
  --also NAME=CMD      one more server measured like the SUT (repeatable; e.g.
                       the same build with other options), on the ports after
                       --compare-port; ratios to smtp-sink and SUT / NAME
  --host ADDR          loopback address to listen/connect on     [$HOST]
  --sut-port P         SUT port                                  [$SUT_PORT]
  --sink-port P        smtp-sink port                            [$SINK_PORT]
  --sut-pp-port P      SUT PROXY-protocol port (--proxy)         [$SUT_PP_PORT]
  --hap-plain-port P   haproxy frontend, no header (--proxy)     [$HAP_PLAIN_PORT]
  --hap-pp-port P      haproxy frontend, send-proxy-v2 (--proxy) [$HAP_PP_PORT]
  --haproxy-threads N  haproxy nbthread                          [$HAPROXY_THREADS]
  --server-cpus LIST   pin servers (and haproxy) with taskset -c  [none]
  --client-cpus LIST   pin smtp-source with taskset -c           [none]
  --results-dir DIR    where to write <timestamp>.tsv/.json      [bench/results]
  -h, --help

Environment (%PORT% is replaced by the port; commands run from the repo root
via 'bash -c "exec ..."'; JAVA_OPTS is passed through):
  SERVER_CMD        [$SERVER_CMD]
  PROXY_SERVER_CMD  [$PROXY_SERVER_CMD]
  SINK_CMD          [smtp-sink [-u nobody] $HOST:%PORT% 1024]
  POSTERN_CMD       [$POSTERN_CMD]  (--proxy-one-jvm starts "\$POSTERN_CMD serve --discard --config FILE")
  COMPARE_CMD       [none]  (same as --compare-cmd; COMPARE_NAME for its label)
EOF
}

while [[ $# -gt 0 ]]; do
    opt=$1; val=${2:-}
    case $opt in
        --messages-reuse) need_uint "$opt" "$val"; MSGS_REUSE=$val; shift 2 ;;
        --messages-conn)  need_uint "$opt" "$val"; MSGS_CONN=$val; shift 2 ;;
        --messages)       need_uint "$opt" "$val"; MSGS_REUSE=$val; MSGS_CONN=$val; shift 2 ;;
        --sessions)       need_uint "$opt" "$val"; SESSIONS=$val; shift 2 ;;
        --size)           need_uint "$opt" "$val"; MSG_SIZE=$val; shift 2 ;;
        --rcpts)          need_uint "$opt" "$val"; RCPTS=$val; shift 2 ;;
        --modes)          MODES=$val; shift 2 ;;
        --rounds)         need_uint "$opt" "$val"; ROUNDS=$val; shift 2 ;;
        --order)          ORDER=$val; shift 2 ;;
        --warmup)         need_uint "$opt" "$val"; WARMUP=$val; shift 2 ;;
        --pause)          need_uint "$opt" "$val"; PAUSE=$val; shift 2 ;;
        --run-timeout)    need_uint "$opt" "$val"; RUN_TIMEOUT=$val; shift 2 ;;
        --proxy)          PROXY=1; shift ;;
        --proxy-one-jvm)  PROXY=1; PROXY_ONE_JVM=1; shift ;;
        --server-name)    SERVER_NAME=$val; shift 2 ;;
        --compare-cmd)    COMPARE_CMD=$val; shift 2 ;;
        --compare-name)   COMPARE_NAME=$val; shift 2 ;;
        --compare-port)   need_uint "$opt" "$val"; COMPARE_PORT=$val; shift 2 ;;
        --also)           [[ $val == *=* ]] || die "--also needs NAME=CMD"
                          ALSO_NAMES+=("${val%%=*}"); ALSO_CMDS+=("${val#*=}"); shift 2 ;;
        --host)           HOST=$val; shift 2 ;;
        --sut-port)       need_uint "$opt" "$val"; SUT_PORT=$val; shift 2 ;;
        --sink-port)      need_uint "$opt" "$val"; SINK_PORT=$val; shift 2 ;;
        --sut-pp-port)    need_uint "$opt" "$val"; SUT_PP_PORT=$val; shift 2 ;;
        --hap-plain-port) need_uint "$opt" "$val"; HAP_PLAIN_PORT=$val; shift 2 ;;
        --hap-pp-port)    need_uint "$opt" "$val"; HAP_PP_PORT=$val; shift 2 ;;
        --haproxy-threads) need_uint "$opt" "$val"; HAPROXY_THREADS=$val; shift 2 ;;
        --server-cpus)    SERVER_CPUS=$val; shift 2 ;;
        --client-cpus)    CLIENT_CPUS=$val; shift 2 ;;
        --results-dir)    RESULTS_DIR=$val; shift 2 ;;
        -h|--help)        usage; exit 0 ;;
        *) usage >&2; die "unknown option '$opt'" ;;
    esac
done

[[ $HOST =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--host must be a 127.0.0.0/8 address (loopback only)"
[[ $ORDER == abab || $ORDER == abba ]] || die "--order must be abab or abba"
(( SESSIONS >= 1 && ROUNDS >= 1 && RCPTS >= 1 )) || die "--sessions, --rounds, --rcpts must be >= 1"
IFS=, read -r -a MODE_LIST <<<"$MODES"
for m in "${MODE_LIST[@]}"; do
    [[ $m == reuse || $m == conn ]] || die "unknown mode '$m' (use reuse, conn)"
done
(( ${#MODE_LIST[@]} >= 1 )) || die "no modes"
[[ -z $COMPARE_CMD && ${#ALSO_NAMES[@]} -eq 0 ]] || (( ! PROXY )) || die "--compare-cmd and --also do not combine with --proxy"
# The default server commands embed the host; re-expand if --host changed it.
SERVER_CMD=${SERVER_CMD//127.0.0.1:%PORT%/$HOST:%PORT%}
PROXY_SERVER_CMD=${PROXY_SERVER_CMD//127.0.0.1:%PORT%/$HOST:%PORT%}

# ------------------------------------------------------------------ tools ---
SMTP_SOURCE=$(find_tool smtp-source) || die "smtp-source not found (Debian: apt-get install postfix)"
SMTP_SINK=$(find_tool smtp-sink) || die "smtp-sink not found"
command -v ss >/dev/null || die "ss (iproute2) is required"
command -v timeout >/dev/null || die "timeout (coreutils) is required"
if (( PROXY )); then
    HAPROXY=$(find_tool haproxy) || die "haproxy not found (needed for --proxy)"
fi
if [[ -n $SERVER_CPUS || -n $CLIENT_CPUS ]]; then
    command -v taskset >/dev/null || die "taskset is required for --server-cpus/--client-cpus"
fi
if [[ -z $SINK_CMD ]]; then
    # smtp-sink refuses to run as root without -u.
    if (( EUID == 0 )); then
        SINK_CMD="$SMTP_SINK -u nobody $HOST:%PORT% 1024"
    else
        SINK_CMD="$SMTP_SINK $HOST:%PORT% 1024"
    fi
fi
CLK_TCK=$(getconf CLK_TCK)

# ------------------------------------------------------ process handling ---
declare -a STARTED_PIDS=()   # every background process we started (pgroup leaders)
CLIENT_PID=""
WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/postern-bench.XXXXXX")

cleanup() {
    local rc=$? p
    trap - EXIT INT TERM HUP
    if [[ -n $CLIENT_PID ]]; then
        kill -TERM "$CLIENT_PID" 2>/dev/null; wait "$CLIENT_PID" 2>/dev/null
    fi
    for p in "${STARTED_PIDS[@]}"; do kill_tree "$p"; done
    if (( rc != 0 )) && [[ -d $WORK_DIR ]]; then
        for p in "$WORK_DIR"/*.log; do
            [[ -s $p ]] || continue
            echo "---- last lines of $(basename "$p") ----" >&2
            tail -n 15 "$p" >&2
        done
    fi
    rm -rf "$WORK_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM HUP

# ---------------------------------------------------------------- targets ---
# Each target: a label, the port smtp-source connects to, the PIDs whose CPU
# is "server CPU", and whether it needs JVM warm-up.
declare -a T_NAME=() T_PORT=() T_PIDS=() T_WARM=()
add_target() { T_NAME+=("$1"); T_PORT+=("$2"); T_PIDS+=("$3"); T_WARM+=("$4"); }

if (( PROXY )); then
    if (( PROXY_ONE_JVM )); then
        TWO_LISTENERS=$WORK_DIR/postern-two-listeners.yml
        printf 'listen:\n  - "%s"\n  - address: "%s"\n    proxy-protocol: required\n    trusted-proxies: ["127.0.0.1/32"]\n' \
            "$HOST:$SUT_PORT" "$HOST:$SUT_PP_PORT" >"$TWO_LISTENERS"
        run_server "$SERVER_NAME" "$SUT_PORT" "$POSTERN_CMD serve --discard --config $TWO_LISTENERS"; SUT_PID=$START_PID
        SUT_PP_PID=$SUT_PID
        port_listening "$SUT_PP_PORT" || die "the PROXY listener $SUT_PP_PORT is not listening"
    else
        run_server "$SERVER_NAME" "$SUT_PORT" "$SERVER_CMD"; SUT_PID=$START_PID
        run_server "$SERVER_NAME-pp" "$SUT_PP_PORT" "$PROXY_SERVER_CMD"; SUT_PP_PID=$START_PID
    fi
    HAP_CFG=$WORK_DIR/haproxy.cfg
    cat >"$HAP_CFG" <<EOF
global
    maxconn 4096
    nbthread $HAPROXY_THREADS
defaults
    mode tcp
    timeout connect 5s
    timeout client 120s
    timeout server 120s
frontend fe_plain
    bind $HOST:$HAP_PLAIN_PORT
    default_backend be_plain
backend be_plain
    server sut $HOST:$SUT_PORT
frontend fe_pp2
    bind $HOST:$HAP_PP_PORT
    default_backend be_pp2
backend be_pp2
    server sut $HOST:$SUT_PP_PORT send-proxy-v2
EOF
    port_listening "$HAP_PP_PORT" && die "port $HAP_PP_PORT is already in use"
    "$HAPROXY" -c -q -f "$HAP_CFG" >"$WORK_DIR/haproxy-check.log" 2>&1 \
        || { cat "$WORK_DIR/haproxy-check.log" >&2; die "haproxy config check failed"; }
    start_bg haproxy "$HAP_PLAIN_PORT" "$HAPROXY" -db -f "$HAP_CFG"; HAP_PID=$START_PID
    # Server CPU = SUT process (+ haproxy reported separately, in its own column).
    add_target "$SERVER_NAME-haproxy" "$HAP_PLAIN_PORT" "$SUT_PID" 1
    add_target "$SERVER_NAME-haproxy-pp2" "$HAP_PP_PORT" "$SUT_PP_PID" 1
    RATIOS="1/0"   # ratio: with PROXY v2 header / without
else
    run_server "$SERVER_NAME" "$SUT_PORT" "$SERVER_CMD"; SUT_PID=$START_PID
    run_server smtp-sink "$SINK_PORT" "$SINK_CMD"; SINK_PID=$START_PID
    HAP_PID=""
    add_target "$SERVER_NAME" "$SUT_PORT" "$SUT_PID" 1
    add_target smtp-sink "$SINK_PORT" "$SINK_PID" 0
    RATIOS="0/1"   # ratio: server under test / smtp-sink
    if [[ -n $COMPARE_CMD ]]; then
        run_server "$COMPARE_NAME" "$COMPARE_PORT" "$COMPARE_CMD"
        add_target "$COMPARE_NAME" "$COMPARE_PORT" "$START_PID" 1
        RATIOS="0/1 2/1 0/2"   # and the compared server / smtp-sink, server under test / compared server
    fi
    for (( i = 0; i < ${#ALSO_NAMES[@]}; i++ )); do
        run_server "${ALSO_NAMES[i]}" "$(( COMPARE_PORT + 1 + i ))" "${ALSO_CMDS[i]}"
        add_target "${ALSO_NAMES[i]}" "$(( COMPARE_PORT + 1 + i ))" "$START_PID" 1
        t=$(( ${#T_NAME[@]} - 1 )); RATIOS+=" $t/1 0/$t"
    done
fi
NT=${#T_NAME[@]}

# ------------------------------------------------------- smoke + warm-up ---
for (( t = 0; t < NT; t++ )); do
    smtp_source reuse "${T_PORT[t]}" "$SESSIONS" \
        || die "smoke test against ${T_NAME[t]} failed (smtp-source exit $?)"
done
log "smoke test OK (one message per session on every target)"

MAX_WARM_BATCHES=1000
for (( t = 0; t < NT; t++ )); do
    (( ${T_WARM[t]} && WARMUP > 0 )) || continue
    log "warming up ${T_NAME[t]} for ${WARMUP}s (results discarded)"
    end=$(( SECONDS + WARMUP )); b=0
    while (( SECONDS < end && b < MAX_WARM_BATCHES )); do
        wm=${MODE_LIST[b % ${#MODE_LIST[@]}]}
        smtp_source "$wm" "${T_PORT[t]}" "$WARMUP_CHUNK" \
            || die "warm-up against ${T_NAME[t]} failed (mode $wm)"
        b=$(( b + 1 ))
    done
    log "warm-up of ${T_NAME[t]} done: $b batches of $WARMUP_CHUNK messages"
done

# --------------------------------------------------------------- measure ---
mkdir -p "$RESULTS_DIR" || die "cannot create $RESULTS_DIR"
STAMP=$(date +%Y%m%dT%H%M%S)
TSV=$RESULTS_DIR/$STAMP.tsv
JSON=$RESULTS_DIR/$STAMP.json
printf 'round\tmode\ttarget\tmessages\tsessions\tsize\twall_s\tmsgs_per_s\tserver_cpu_s\tserver_cpu_us_per_msg\tclient_cpu_s\tclient_cpu_us_per_msg\thaproxy_cpu_us_per_msg\tserver_cpu_util\tother_cpu_util\n' >"$TSV"

fmt_row() { printf '%-5s %-5s %-22s %8s %8s %9s %10s %9s %11s %11s %11s %10s\n' "$@"; }
echo
echo "Postern benchmark  $(date -Is)  host=$(uname -n) cpus=$(nproc) kernel=$(uname -r)"
echo "sessions=$SESSIONS size=$MSG_SIZE rcpts=$RCPTS rounds=$ROUNDS warmup=${WARMUP}s modes=$MODES order=$ORDER"
echo "messages/run: reuse=$MSGS_REUSE conn=$MSGS_CONN   JAVA_OPTS=${JAVA_OPTS:-}"
echo
fmt_row round mode target msgs wall_s msgs/s srv_cpu_s srv_util srv_us/msg cli_us/msg hap_us/msg other_util

for (( r = 1; r <= ROUNDS; r++ )); do
    for mode in "${MODE_LIST[@]}"; do
        if [[ $mode == reuse ]]; then n=$MSGS_REUSE; else n=$MSGS_CONN; fi
        order=(); for (( t = 0; t < NT; t++ )); do order+=("$t"); done
        if [[ $ORDER == abba ]] && (( r % 2 == 0 )); then
            rev=(); for (( t = NT - 1; t >= 0; t-- )); do rev+=("$t"); done; order=("${rev[@]}")
        fi
        for t in "${order[@]}"; do
            (( PAUSE > 0 )) && sleep "$PAUSE"
            s0=$(tree_ticks "${T_PIDS[t]}")
            h0=0; [[ -n $HAP_PID ]] && h0=$(tree_ticks "$HAP_PID")
            c0=$(self_child_ticks); b0=$(sys_busy_ticks)
            w0=${EPOCHREALTIME/,/.}
            smtp_source "$mode" "${T_PORT[t]}" "$n"; rc=$?
            w1=${EPOCHREALTIME/,/.}
            b1=$(sys_busy_ticks); c1=$(self_child_ticks)
            s1=$(tree_ticks "${T_PIDS[t]}")
            h1=0; [[ -n $HAP_PID ]] && h1=$(tree_ticks "$HAP_PID")
            (( rc == 0 )) || die "run failed: round $r mode $mode target ${T_NAME[t]} (smtp-source exit $rc; 124 = timeout)"
            kill -0 "${T_PIDS[t]}" 2>/dev/null || die "${T_NAME[t]} died during the run"
            line=$(awk -v w0="$w0" -v w1="$w1" -v n="$n" -v hz="$CLK_TCK" \
                       -v s="$(( s1 - s0 ))" -v c="$(( c1 - c0 ))" -v h="$(( h1 - h0 ))" -v hap="${HAP_PID:-}" \
                       -v b="$(( b1 - b0 ))" 'BEGIN {
                wall = w1 - w0; if (wall <= 0) wall = 1e-9
                hs = (hap == "") ? "-" : sprintf("%.1f", h / hz / n * 1e6)
                printf "%.3f\t%.1f\t%.2f\t%.1f\t%.2f\t%.1f\t%s\t%.2f\t%.2f", wall, n / wall, s / hz, s / hz / n * 1e6, c / hz, c / hz / n * 1e6, hs, s / hz / wall, (b - s - c - h) / hz / wall }')
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$mode" "${T_NAME[t]}" "$n" "$SESSIONS" "$MSG_SIZE" "$line" >>"$TSV"
            IFS=$'\t' read -r wall rate scpu sus ccpu cus hus util oth <<<"$line"
            fmt_row "$r" "$mode" "${T_NAME[t]}" "$n" "$wall" "$rate" "$scpu" "$util" "$sus" "$cus" "$hus" "$oth"
        done
    done
done

# --------------------------------------------------------------- summary ---
# Medians per (mode, target), and ratios numerator-target / denominator-target.
PAIRS=""
for p in $RATIOS; do PAIRS+="${PAIRS:+|}${T_NAME[${p%/*}]}/${T_NAME[${p#*/}]}"; done
TARGETS=$(IFS='|'; echo "${T_NAME[*]}")
SUMMARY=$(awk -F'\t' -v targets="$TARGETS" -v pairs="$PAIRS" '
    function median(key,   n, i, j, t, v) {
        n = cnt[key]; for (i = 1; i <= n; i++) v[i] = vals[key, i]
        for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function max(key,   i, b) {
        b = vals[key, 1]; for (i = 2; i <= cnt[key]; i++) if (vals[key, i] + 0 > b + 0) b = vals[key, i]
        return b
    }
    NR == 1 { next }
    {
        mode = $2; tgt = $3
        if (!(mode in seenm)) { seenm[mode] = 1; modes[++nm] = mode }
        for (col = 7; col <= 15; col++) { k = mode SUBSEP tgt SUBSEP col; cnt[k]++; vals[k, cnt[k]] = $col }
    }
    END {
        nt = split(targets, tg, "|"); np = split(pairs, pr, "|")
        for (i = 1; i <= nm; i++) {
            m = modes[i]
            for (x = 1; x <= nt; x++) {
                printf "median\t%s\t%s", m, tg[x]
                for (col = 7; col <= 15; col++) {
                    k = m SUBSEP tg[x] SUBSEP col
                    if (vals[k, 1] == "-") printf "\t-"; else printf "\t%.2f", median(k)
                    med[m, tg[x], col] = median(k)
                }
                best[m, tg[x]] = max(m SUBSEP tg[x] SUBSEP 8)
                printf "\t%.2f\n", best[m, tg[x]]
            }
            for (x = 1; x <= np; x++) {
                split(pr[x], ab, "/"); A = ab[1]; B = ab[2]
                r_rate = med[m, B, 8] > 0 ? med[m, A, 8] / med[m, B, 8] : 0
                r_cpu  = med[m, B, 10] > 0 ? med[m, A, 10] / med[m, B, 10] : 0
                r_best = best[m, B] > 0 ? best[m, A] / best[m, B] : 0
                printf "ratio\t%s\t%s\t%.3f\t%.3f\t%.3f\n", m, pr[x], r_rate, r_cpu, r_best
            }
        }
    }' "$TSV")

echo
echo "Medians over $ROUNDS round(s):"
printf '%-5s %-22s %9s %10s %10s %9s %11s %11s %11s %10s\n' mode target wall_s msgs/s best_msg/s srv_util srv_us/msg cli_us/msg hap_us/msg other_util
while IFS=$'\t' read -r kind m tg wall rate scpu sus ccpu cus hus util oth bst; do
    [[ $kind == median ]] || continue
    printf '%-5s %-22s %9s %10s %10s %9s %11s %11s %11s %10s\n' "$m" "$tg" "$wall" "$rate" "$bst" "$util" "$sus" "$cus" "$hus" "$oth"
done <<<"$SUMMARY"
echo
echo "Ratios (msgs/s > 1: faster; CPU/msg > 1: costlier):"
printf '%-5s %-32s %14s %18s %18s\n' mode pair "msgs/s(median)" "CPU_us/msg(median)" "msgs/s(best run)"
while IFS=$'\t' read -r kind m pair rr rc rb; do
    [[ $kind == ratio ]] || continue
    printf '%-5s %-32s %14s %18s %18s\n' "$m" "$pair" "$rr" "$rc" "$rb"
done <<<"$SUMMARY"

if command -v jq >/dev/null; then
    {
        jq -n --arg ts "$STAMP" --arg host "$(uname -n)" --arg kernel "$(uname -r)" \
              --argjson cpus "$(nproc)" --arg java_opts "${JAVA_OPTS:-}" \
              --arg server_cmd "$SERVER_CMD" --arg proxy_server_cmd "$PROXY_SERVER_CMD" \
              --arg sink_cmd "$SINK_CMD" --argjson proxy "$PROXY" \
              --argjson sessions "$SESSIONS" --argjson size "$MSG_SIZE" --argjson rcpts "$RCPTS" \
              --argjson rounds "$ROUNDS" --argjson warmup "$WARMUP" --arg modes "$MODES" \
              --arg order "$ORDER" --argjson msgs_reuse "$MSGS_REUSE" --argjson msgs_conn "$MSGS_CONN" \
              --arg compare_cmd "$COMPARE_CMD" --arg also "$(for (( i = 0; i < ${#ALSO_NAMES[@]}; i++ )); do echo "${ALSO_NAMES[i]}=${ALSO_CMDS[i]}"; done)" \
              --arg commit "$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
              --rawfile tsv "$TSV" --arg summary "$SUMMARY" '
          def num: if . == "-" then null else tonumber end;
          ($tsv | split("\n") | map(select(length > 0) | split("\t"))) as $rows
          | ($rows[0]) as $hdr
          | {timestamp: $ts, host: $host, kernel: $kernel, cpus: $cpus, commit: $commit,
             config: {server_cmd: $server_cmd, proxy_server_cmd: $proxy_server_cmd, sink_cmd: $sink_cmd,
                      compare_cmd: $compare_cmd, also: ($also | split("\n") | map(select(length > 0))),
                      proxy: ($proxy == 1), java_opts: $java_opts, sessions: $sessions, size: $size,
                      rcpts: $rcpts, rounds: $rounds, warmup_s: $warmup, modes: ($modes | split(",")),
                      order: $order, messages_reuse: $msgs_reuse, messages_conn: $msgs_conn},
             runs: [$rows[1:][] | [$hdr, .] | transpose
                    | map({key: .[0], value: (if (.[0] == "mode" or .[0] == "target") then .[1] else (.[1] | num) end)})
                    | from_entries],
             medians: [$summary | split("\n")[] | split("\t") | select(.[0] == "median")
                       | {mode: .[1], target: .[2], wall_s: (.[3] | num), msgs_per_s: (.[4] | num),
                          server_cpu_s: (.[5] | num), server_cpu_us_per_msg: (.[6] | num),
                          client_cpu_s: (.[7] | num), client_cpu_us_per_msg: (.[8] | num),
                          haproxy_cpu_us_per_msg: (.[9] | num), server_cpu_util: (.[10] | num),
                          other_cpu_util: (.[11] | num), best_msgs_per_s: (.[12] | num)}],
             ratios: [$summary | split("\n")[] | split("\t") | select(.[0] == "ratio")
                      | {mode: .[1], numerator: (.[2] | split("/")[0]), denominator: (.[2] | split("/")[1]),
                         msgs_per_s: (.[3] | num), server_cpu_us_per_msg: (.[4] | num),
                         best_msgs_per_s: (.[5] | num)}]}'
    } >"$JSON" || { log "could not write JSON"; rm -f "$JSON"; }
fi
echo
echo "Results: $TSV${JSON:+ and $JSON}"
