#!/usr/bin/env bash
# Relay benchmark: Postern as a relay against a private Postfix as a relay, in
# the same run, both forwarding to one Postfix smtp-sink, both durable (fsync
# before 250). See bench/README.md ("Relay benchmark").
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_PROG=relay.sh
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------- defaults ---
HOST=127.0.0.1
RELAY_PORT=25271        # Postern (RELAY_SERVER_CMD)
POSTFIX_PORT=25272      # the private Postfix's smtpd
SINK_PORT=25273         # the smtp-sink both relay to
SESSIONS=20
MSG_SIZE=10240          # smtp-source -l
RCPTS=1                 # smtp-source -r
MSGS_REUSE=5000         # messages per run, reused connections (-d)
MSGS_CONN=5000          # messages per run, one connection per message
ROUNDS=3
WARMUP=20               # seconds of load through the JVM relay before measuring
WARMUP_CHUNK=1000
MODES=reuse,conn
ORDER=abab
CONCURRENCY=10          # connections per destination, both relays
RUN_TIMEOUT=300         # hard limit for one smtp-source run
DRAIN_TIMEOUT=300       # hard limit for the sink to receive a run's messages after smtp-source ended
START_TIMEOUT=60
PAUSE=1                 # idle seconds before every run
SETTLE=0.5              # seconds after the last arrival before the relay's CPU is read
POLL=0.01               # seconds between two looks at the sink's counter
SERVER_CPUS=""
CLIENT_CPUS=""
RESULTS_DIR="$BENCH_DIR/results"
WORK_PARENT=${TMPDIR:-/tmp}
SMTP_HELO=bench.example
SMTP_FROM=sender@bench.example
SMTP_TO=rcpt@bench.example
SKIP_POSTERN=0
SKIP_POSTFIX=0
KEEP_WORK=0

RELAY_SERVER_CMD=${RELAY_SERVER_CMD:-"./postern serve --listen %HOST%:%PORT% --relay smtp://%HOST%:%SINK_PORT% --domains bench.example --relay-networks 127.0.0.0/8 --queue-dir %QUEUE_DIR% --max-connections-per-destination %CONCURRENCY%"}
RELAY_SERVER_NAME=${RELAY_SERVER_NAME:-postern}

usage() {
    cat <<EOF
Usage: bench/relay.sh [options]

Relays smtp-source's load through Postern and through a private Postfix
instance, both forwarding to one smtp-sink, interleaved, and reports end-to-end
and accepted msgs/s and the relay's CPU µs per message. Needs root (Postfix).

Load:
  --messages-reuse N   messages per run, reused connections      [$MSGS_REUSE]
  --messages-conn N    messages per run, one connection per msg  [$MSGS_CONN]
  --messages N         set both of the above
  --sessions N         concurrent SMTP sessions (smtp-source -s) [$SESSIONS]
  --size BYTES         message body size (smtp-source -l)        [$MSG_SIZE]
  --rcpts N            recipients per message (smtp-source -r)   [$RCPTS]
  --modes LIST         comma list of: reuse, conn                [$MODES]
  --rounds N           measured rounds                           [$ROUNDS]
  --order abab|abba    target order per round (abba alternates)  [$ORDER]
  --warmup SECONDS     load through the JVM relay first, discarded [$WARMUP]
  --pause SECONDS      idle time before every run                [$PAUSE]
  --settle SECONDS     wait after the last arrival before reading CPU [$SETTLE]
  --run-timeout SEC    hard limit per smtp-source run            [$RUN_TIMEOUT]
  --drain-timeout SEC  hard limit for the sink to get the rest   [$DRAIN_TIMEOUT]
Relays:
  --concurrency N      connections per destination: Postfix's
                       smtp_destination_concurrency_limit and
                       %CONCURRENCY% in RELAY_SERVER_CMD          [$CONCURRENCY]
  --only-postfix       do not start RELAY_SERVER_CMD (test the Postfix half)
  --only-postern       do not start the private Postfix
  --server-name NAME   label of RELAY_SERVER_CMD in reports       [$RELAY_SERVER_NAME]
  --host ADDR          loopback address to listen/connect on     [$HOST]
  --relay-port P       RELAY_SERVER_CMD's port                   [$RELAY_PORT]
  --postfix-port P     private Postfix's smtpd port              [$POSTFIX_PORT]
  --sink-port P        smtp-sink port                            [$SINK_PORT]
  --server-cpus LIST   pin relays and sink with taskset -c        [none]
  --client-cpus LIST   pin smtp-source with taskset -c           [none]
  --work-dir DIR       parent of the temporary directory (queues!) [$WORK_PARENT]
  --results-dir DIR    where to write relay-<timestamp>.tsv/.json [bench/results]
  --keep-work          keep the temporary directory (logs, Postfix's maillog,
                       the emptied queues) after stopping everything
  -h, --help

Environment (run from the repo root via 'bash -c "exec ..."'; JAVA_OPTS is
passed through). Placeholders: %HOST% %PORT% %SINK_PORT% %QUEUE_DIR% (an empty
directory of this run) %CONCURRENCY%:
  RELAY_SERVER_CMD  [$RELAY_SERVER_CMD]
  RELAY_SERVER_NAME [$RELAY_SERVER_NAME]
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
        --settle)         [[ $val =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--settle needs seconds"; SETTLE=$val; shift 2 ;;
        --run-timeout)    need_uint "$opt" "$val"; RUN_TIMEOUT=$val; shift 2 ;;
        --drain-timeout)  need_uint "$opt" "$val"; DRAIN_TIMEOUT=$val; shift 2 ;;
        --concurrency)    need_uint "$opt" "$val"; CONCURRENCY=$val; shift 2 ;;
        --only-postfix)   SKIP_POSTERN=1; shift ;;
        --only-postern)   SKIP_POSTFIX=1; shift ;;
        --server-name)    RELAY_SERVER_NAME=$val; shift 2 ;;
        --host)           HOST=$val; shift 2 ;;
        --relay-port)     need_uint "$opt" "$val"; RELAY_PORT=$val; shift 2 ;;
        --postfix-port)   need_uint "$opt" "$val"; POSTFIX_PORT=$val; shift 2 ;;
        --sink-port)      need_uint "$opt" "$val"; SINK_PORT=$val; shift 2 ;;
        --server-cpus)    SERVER_CPUS=$val; shift 2 ;;
        --client-cpus)    CLIENT_CPUS=$val; shift 2 ;;
        --work-dir)       WORK_PARENT=$val; shift 2 ;;
        --results-dir)    RESULTS_DIR=$val; shift 2 ;;
        --keep-work)      KEEP_WORK=1; shift ;;
        -h|--help)        usage; exit 0 ;;
        *) usage >&2; die "unknown option '$opt'" ;;
    esac
done

[[ $HOST =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--host must be a 127.0.0.0/8 address (loopback only)"
[[ $ORDER == abab || $ORDER == abba ]] || die "--order must be abab or abba"
(( SESSIONS >= 1 && ROUNDS >= 1 && RCPTS >= 1 && CONCURRENCY >= 1 )) \
    || die "--sessions, --rounds, --rcpts, --concurrency must be >= 1"
(( MSGS_REUSE >= 1 && MSGS_CONN >= 1 )) || die "--messages must be >= 1"
(( SKIP_POSTERN && SKIP_POSTFIX )) && die "--only-postfix and --only-postern exclude each other"
IFS=, read -r -a MODE_LIST <<<"$MODES"
for m in "${MODE_LIST[@]}"; do
    [[ $m == reuse || $m == conn ]] || die "unknown mode '$m' (use reuse, conn)"
done
(( ${#MODE_LIST[@]} >= 1 )) || die "no modes"

# ------------------------------------------------------------------ tools ---
SMTP_SOURCE=$(find_tool smtp-source) || die "smtp-source not found (Debian: apt-get install postfix)"
SMTP_SINK=$(find_tool smtp-sink) || die "smtp-sink not found"
command -v ss >/dev/null || die "ss (iproute2) is required"
command -v timeout >/dev/null || die "timeout (coreutils) is required"
if (( ! SKIP_POSTFIX )); then
    POSTFIX=$(find_tool postfix) || die "postfix not found (Debian: apt-get install postfix)"
    command -v postconf >/dev/null || [[ -x /usr/sbin/postconf ]] || die "postconf not found"
    (( EUID == 0 )) || die "the private Postfix needs root (its master runs as root); or use --only-postern"
    getent passwd "$(postconf -h mail_owner 2>/dev/null || echo postfix)" >/dev/null \
        || die "Postfix's mail_owner user is missing (a broken postfix install?)"
fi
if [[ -n $SERVER_CPUS || -n $CLIENT_CPUS ]]; then
    command -v taskset >/dev/null || die "taskset is required for --server-cpus/--client-cpus"
fi
CLK_TCK=$(getconf CLK_TCK)

# ------------------------------------------------------ process handling ---
declare -a STARTED_PIDS=()   # process groups we started (Postern, smtp-sink)
CLIENT_PID=""
PF_BASE=""                   # the private Postfix's directory, once it may be running
mkdir -p "$WORK_PARENT" || die "cannot create $WORK_PARENT"
WORK_DIR=$(mktemp -d "$WORK_PARENT/postern-relay-bench.XXXXXX") || die "mktemp failed in $WORK_PARENT"
# Postfix's daemons open files in there as mail_owner, not as root.
chmod 755 "$WORK_DIR"

cleanup() {
    local rc=$? p
    trap - EXIT INT TERM HUP
    if [[ -n $CLIENT_PID ]]; then
        kill -TERM "$CLIENT_PID" 2>/dev/null; wait "$CLIENT_PID" 2>/dev/null
    fi
    [[ -n $PF_BASE ]] && postfix_stop "$POSTFIX" "$PF_BASE"
    for p in "${STARTED_PIDS[@]}"; do kill_tree "$p"; done
    if (( rc != 0 )) && [[ -d $WORK_DIR ]]; then
        for p in "$WORK_DIR"/*.log "$WORK_DIR"/postfix/maillog; do
            [[ -s $p ]] || continue
            echo "---- last lines of ${p#"$WORK_DIR"/} ----" >&2
            tail -c 3000 "$p" | tr '\r' '\n' | tail -n 15 >&2   # the sink's counter has CRs, no LFs
        done
    fi
    [[ -n ${SLEEP_FD:-} ]] && exec {SLEEP_FD}>&-
    if (( KEEP_WORK )); then
        log "kept $WORK_DIR (remove it yourself)"
    else
        rm -rf "$WORK_DIR"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM HUP

# A sleep without a fork, for the polling loop: read with a timeout from a FIFO
# that nobody writes to.
mkfifo "$WORK_DIR/sleep.fifo" || die "mkfifo failed"
exec {SLEEP_FD}<>"$WORK_DIR/sleep.fifo"
nap() { read -r -t "$1" -u "$SLEEP_FD" _ 2>/dev/null; return 0; }

FS_TYPE=$(stat -f -c %T "$WORK_DIR" 2>/dev/null || echo unknown)
case $FS_TYPE in
    tmpfs|ramfs) log "WARNING: $WORK_DIR is on $FS_TYPE: fsync costs nothing there, both queues are not durable; use --work-dir on a disk" ;;
esac

# ------------------------------------------------------------------ sink ---
SINK_LOG=$WORK_DIR/smtp-sink.log
SINK_N=0
# sink_count: sets SINK_N to smtp-sink's message counter (-c prints
# "sess=N quit=N mesg=N" followed by CR after every session end, QUIT and ".").
sink_count() {
    local t
    t=$(tail -c 160 "$SINK_LOG" 2>/dev/null)
    if [[ $t == *$'\r' ]]; then t=${t%$'\r'}; else t=${t%$'\r'*}; fi   # last complete record
    t=${t##*$'\r'}
    t=${t##*mesg=}
    if [[ $t =~ ^[0-9]+$ ]]; then SINK_N=$t; else SINK_N=0; fi
}

# wait_sink TARGET TIMEOUT ALIVE_PID: until the sink counted TARGET messages; sets
# ARRIVED (epoch seconds, when it was seen). Fails on timeout or when the relay died.
wait_sink() {
    local target=$1 deadline=$(( SECONDS + $2 )) alive=$3
    while :; do
        sink_count
        if (( SINK_N >= target )); then ARRIVED=${EPOCHREALTIME/,/.}; return 0; fi
        (( SECONDS >= deadline )) && return 1
        pid_running "$alive" || return 2
        nap "$POLL"
    done
}

SINK_U=(); (( EUID == 0 )) && SINK_U=(-u nobody)
# start_bg sends its output to $WORK_DIR/smtp-sink.log, which is SINK_LOG: the counter.
start_bg smtp-sink "$SINK_PORT" "$SMTP_SINK" -c "${SINK_U[@]}" "$HOST:$SINK_PORT" 1024
SINK_PID=$START_PID

# ---------------------------------------------------------------- relays ---
declare -a T_NAME=() T_PORT=() T_PID=() T_WARM=()
add_target() { T_NAME+=("$1"); T_PORT+=("$2"); T_PID+=("$3"); T_WARM+=("$4"); }

POSTERN_QUEUE=$WORK_DIR/postern-queue
mkdir -p "$POSTERN_QUEUE"
RELAY_CMD=$RELAY_SERVER_CMD
RELAY_CMD=${RELAY_CMD//%HOST%/$HOST}
RELAY_CMD=${RELAY_CMD//%PORT%/$RELAY_PORT}
RELAY_CMD=${RELAY_CMD//%SINK_PORT%/$SINK_PORT}
RELAY_CMD=${RELAY_CMD//%QUEUE_DIR%/$POSTERN_QUEUE}
RELAY_CMD=${RELAY_CMD//%CONCURRENCY%/$CONCURRENCY}
if (( ! SKIP_POSTERN )) && [[ $RELAY_CMD == "./postern serve "* ]]; then
    # Outside start_bg's listen timeout: ./postern may build first; and fail clearly on a build
    # whose serve cannot relay yet.
    log "checking that ./postern serve has the relay flags (builds Postern if needed)"
    help=$(cd "$REPO_ROOT" && timeout -k 5 900 ./postern serve --help 2>"$WORK_DIR/postern-help.log") \
        || die "./postern serve --help failed (see postern-help.log below; build with mvn -DskipTests package)"
    for f in --relay --domains --relay-networks --queue-dir --max-connections-per-destination; do
        grep -q -- "${f}[= ]" <<<"$help" || die "this build of ./postern serve has no $f option: relaying is not there yet (use --only-postfix, or set RELAY_SERVER_CMD)"
    done
fi
if (( ! SKIP_POSTERN )); then
    start_bg "$RELAY_SERVER_NAME" "$RELAY_PORT" bash -c "exec $RELAY_CMD"
    add_target "$RELAY_SERVER_NAME" "$RELAY_PORT" "$START_PID" 1
fi

POSTFIX_PROCS=$(( 2 * SESSIONS + CONCURRENCY + 20 )); (( POSTFIX_PROCS < 100 )) && POSTFIX_PROCS=100
if (( ! SKIP_POSTFIX )); then
    base=$WORK_DIR/postfix
    port_listening "$POSTFIX_PORT" && die "port $POSTFIX_PORT is already in use (before starting Postfix)"
    postfix_write_instance "$base" postfix-bench "$HOST" "$POSTFIX_PORT" "$HOST" "$SINK_PORT" \
        "$CONCURRENCY" "$POSTFIX_PROCS" || die "could not write the Postfix configuration in $base"
    pf_pin=(); [[ -n $SERVER_CPUS ]] && pf_pin=(taskset -c "$SERVER_CPUS")
    log "starting a private Postfix: $POSTFIX -c $base/etc start (queue in $base/spool)"
    PF_BASE=$base   # from here on, cleanup stops it
    timeout -k 5 "$START_TIMEOUT" "${pf_pin[@]}" "$POSTFIX" -c "$base/etc" start \
        </dev/null >>"$base/postfix-ctl.log" 2>&1 || die "postfix start failed (see postfix/maillog)"
    PF_MASTER=$(postfix_master_pid "$base") || die "no Postfix master after start"
    deadline=$(( SECONDS + START_TIMEOUT ))
    until port_listening "$POSTFIX_PORT"; do
        (( SECONDS < deadline )) || die "Postfix did not listen on $POSTFIX_PORT within ${START_TIMEOUT}s"
        pid_running "$PF_MASTER" || die "the Postfix master exited"
        sleep 0.1
    done
    owner=$(ss -Htlnp "sport = :$POSTFIX_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)
    if [[ -n $owner ]] && ! tree_pids "$PF_MASTER" | grep -qx "$owner"; then
        die "port $POSTFIX_PORT is owned by pid $owner, not by the private Postfix (master $PF_MASTER)"
    fi
    log "Postfix is listening on $HOST:$POSTFIX_PORT (master pid $PF_MASTER)"
    add_target postfix "$POSTFIX_PORT" "$PF_MASTER" 0
fi
NT=${#T_NAME[@]}

# ------------------------------------------------------- smoke + warm-up ---
SENT_TOTAL=0   # messages smtp-source has sent (the sink should count exactly these)
# relay_batch T MODE N: N messages into target T, then wait until the sink has them.
relay_batch() {
    local t=$1 mode=$2 n=$3 before rc
    sink_count; before=$SINK_N
    SENT_TOTAL=$(( SENT_TOTAL + n ))
    smtp_source "$mode" "${T_PORT[t]}" "$n" || { rc=$?; log "smtp-source against ${T_NAME[t]} failed (exit $rc)"; return 1; }
    wait_sink $(( before + n )) "$DRAIN_TIMEOUT" "${T_PID[t]}" \
        || { log "${T_NAME[t]}: the sink has $(( SINK_N - before )) of $n messages"; return 1; }
}

for (( t = 0; t < NT; t++ )); do
    relay_batch "$t" reuse "$SESSIONS" || die "smoke test through ${T_NAME[t]} failed"
done
log "smoke test OK (one message per session relayed to the sink through every target)"

for (( t = 0; t < NT; t++ )); do
    (( T_WARM[t] && WARMUP > 0 )) || continue
    log "warming up ${T_NAME[t]} for ${WARMUP}s (results discarded)"
    end=$(( SECONDS + WARMUP )); b=0
    while (( SECONDS < end && b < 1000 )); do
        wm=${MODE_LIST[b % ${#MODE_LIST[@]}]}
        relay_batch "$t" "$wm" "$WARMUP_CHUNK" || die "warm-up through ${T_NAME[t]} failed (mode $wm)"
        b=$(( b + 1 ))
    done
    log "warm-up of ${T_NAME[t]} done: $b batches of $WARMUP_CHUNK messages"
done

# --------------------------------------------------------------- measure ---
mkdir -p "$RESULTS_DIR" || die "cannot create $RESULTS_DIR"
STAMP=$(date +%Y%m%dT%H%M%S)
TSV=$RESULTS_DIR/relay-$STAMP.tsv
JSON=$RESULTS_DIR/relay-$STAMP.json
printf 'round\tmode\ttarget\tmessages\tsessions\tsize\taccept_s\taccept_msgs_per_s\te2e_s\te2e_msgs_per_s\trelay_cpu_s\trelay_cpu_util\trelay_cpu_us_per_msg\tsink_cpu_us_per_msg\tclient_cpu_us_per_msg\tother_cpu_util\n' >"$TSV"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

fmt_row() { printf '%-5s %-5s %-14s %6s %8s %9s %8s %9s %9s %9s %11s %10s %10s %10s\n' "$@"; }
echo
echo "Relay benchmark  $(date -Is)  host=$(uname -n) cpus=$(nproc) kernel=$(uname -r) load=$LOAD_BEFORE"
echo "sessions=$SESSIONS size=$MSG_SIZE rcpts=$RCPTS rounds=$ROUNDS warmup=${WARMUP}s modes=$MODES order=$ORDER concurrency=$CONCURRENCY"
echo "messages/run: reuse=$MSGS_REUSE conn=$MSGS_CONN   queues on $FS_TYPE   JAVA_OPTS=${JAVA_OPTS:-}"
echo
fmt_row round mode target msgs accept_s acc_msg/s e2e_s e2e_msg/s relay_cpu relay_util relay_us/msg sink_us/msg cli_us/msg other_util

for (( r = 1; r <= ROUNDS; r++ )); do
    for mode in "${MODE_LIST[@]}"; do
        if [[ $mode == reuse ]]; then n=$MSGS_REUSE; else n=$MSGS_CONN; fi
        order=(); for (( t = 0; t < NT; t++ )); do order+=("$t"); done
        if [[ $ORDER == abba ]] && (( r % 2 == 0 )); then
            rev=(); for (( t = NT - 1; t >= 0; t-- )); do rev+=("$t"); done; order=("${rev[@]}")
        fi
        for t in "${order[@]}"; do
            (( PAUSE > 0 )) && sleep "$PAUSE"
            sink_count; before=$SINK_N
            s0=$(tree_ticks "${T_PID[t]}"); k0=$(tree_ticks "$SINK_PID")
            c0=$(self_child_ticks); b0=$(sys_busy_ticks)
            w0=${EPOCHREALTIME/,/.}
            SENT_TOTAL=$(( SENT_TOTAL + n ))
            smtp_source "$mode" "${T_PORT[t]}" "$n"; rc=$?
            w1=${EPOCHREALTIME/,/.}
            c1=$(self_child_ticks)
            (( rc == 0 )) || die "run failed: round $r mode $mode target ${T_NAME[t]} (smtp-source exit $rc; 124 = timeout)"
            wait_sink $(( before + n )) "$DRAIN_TIMEOUT" "${T_PID[t]}"; rc=$?
            (( rc == 0 )) || die "round $r mode $mode: ${T_NAME[t]} delivered $(( SINK_N - before )) of $n messages to the sink $( ((rc == 2)) && echo "and died" || echo "within ${DRAIN_TIMEOUT}s")"
            w2=$ARRIVED
            nap "$SETTLE"
            s1=$(tree_ticks "${T_PID[t]}"); k1=$(tree_ticks "$SINK_PID"); b1=$(sys_busy_ticks)
            w3=${EPOCHREALTIME/,/.}
            pid_running "${T_PID[t]}" || die "${T_NAME[t]} died during the run"
            line=$(awk -v w0="$w0" -v w1="$w1" -v w2="$w2" -v w3="$w3" -v n="$n" -v hz="$CLK_TCK" \
                       -v s="$(( s1 - s0 ))" -v k="$(( k1 - k0 ))" -v c="$(( c1 - c0 ))" -v b="$(( b1 - b0 ))" 'BEGIN {
                acc = w1 - w0; if (acc <= 0) acc = 1e-9
                e2e = w2 - w0; if (e2e < acc) e2e = acc
                all = w3 - w0; if (all <= 0) all = 1e-9
                printf "%.3f\t%.1f\t%.3f\t%.1f\t%.2f\t%.2f\t%.1f\t%.1f\t%.1f\t%.2f",
                    acc, n / acc, e2e, n / e2e, s / hz, s / hz / all, s / hz / n * 1e6,
                    k / hz / n * 1e6, c / hz / n * 1e6, (b - s - k - c) / hz / all }')
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$mode" "${T_NAME[t]}" "$n" "$SESSIONS" "$MSG_SIZE" "$line" >>"$TSV"
            IFS=$'\t' read -r acc arate e2e erate scpu util sus kus cus oth <<<"$line"
            fmt_row "$r" "$mode" "${T_NAME[t]}" "$n" "$acc" "$arate" "$e2e" "$erate" "$scpu" "$util" "$sus" "$kus" "$cus" "$oth"
        done
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Nothing may be left in either queue, and the sink must have exactly what was sent.
sink_count
LEFT=""
if (( ! SKIP_POSTFIX )); then
    q=$(postfix_queued "$PF_BASE"); (( q == 0 )) || LEFT+="postfix: $q queue files left; "
fi
if (( ! SKIP_POSTERN )) && [[ -d $POSTERN_QUEUE/content ]]; then
    q=$(find "$POSTERN_QUEUE/content" -type f | wc -l); (( q == 0 )) || LEFT+="$RELAY_SERVER_NAME: $q queue files left; "
fi
(( SINK_N == SENT_TOTAL )) || LEFT+="the sink counted $SINK_N messages, $SENT_TOTAL were sent (duplicates?); "
[[ -n $LEFT ]] && log "WARNING: $LEFT"

# --------------------------------------------------------------- summary ---
# Per (mode, target): median of every column, min and max of e2e msgs/s and CPU/msg;
# per mode: ratios first target / second target (Postern / Postfix).
A=${T_NAME[0]}; B=${T_NAME[NT - 1]}
SUMMARY=$(awk -F'\t' -v A="$A" -v B="$B" '
    function sortv(key, v,   n, i, j, t) {
        n = cnt[key]; for (i = 1; i <= n; i++) v[i] = vals[key, i] + 0
        for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        return n
    }
    function median(key,   v, n) { n = sortv(key, v); return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
    function lo(key,   v) { sortv(key, v); return v[1] }
    function hi(key,   v, n) { n = sortv(key, v); return v[n] }
    NR == 1 { next }
    {
        mode = $2; tgt = $3
        if (!(mode in seenm)) { seenm[mode] = 1; modes[++nm] = mode }
        for (col = 7; col <= 16; col++) { k = mode SUBSEP tgt SUBSEP col; cnt[k]++; vals[k, cnt[k]] = $col }
    }
    END {
        for (i = 1; i <= nm; i++) {
            m = modes[i]
            for (x = 0; x < 2; x++) {
                tg = x ? B : A
                if (x && A == B) break
                printf "median\t%s\t%s", m, tg
                for (col = 7; col <= 16; col++) { med[m, tg, col] = median(m SUBSEP tg SUBSEP col); printf "\t%.2f", med[m, tg, col] }
                printf "\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\n", lo(m SUBSEP tg SUBSEP 10), hi(m SUBSEP tg SUBSEP 10),
                    lo(m SUBSEP tg SUBSEP 13), hi(m SUBSEP tg SUBSEP 13), hi(m SUBSEP tg SUBSEP 16)
            }
            if (A == B) continue
            r_e2e = med[m, B, 10] > 0 ? med[m, A, 10] / med[m, B, 10] : 0
            r_acc = med[m, B, 8] > 0 ? med[m, A, 8] / med[m, B, 8] : 0
            r_cpu = med[m, B, 13] > 0 ? med[m, A, 13] / med[m, B, 13] : 0
            printf "ratio\t%s\t%s/%s\t%.3f\t%.3f\t%.3f\n", m, A, B, r_e2e, r_acc, r_cpu
        }
    }' "$TSV")

echo
echo "Medians over $ROUNDS round(s) [min-max over the rounds]:"
printf '%-5s %-14s %9s %9s %17s %10s %17s %10s %10s %10s %14s\n' mode target acc_msg/s e2e_s e2e_msg/s relay_util relay_us/msg sink_us/msg cli_us/msg other_util other_util_max
while IFS=$'\t' read -r kind m tg acc arate e2e erate scpu util sus kus cus oth elo ehi slo shi omax; do
    [[ $kind == median ]] || continue
    printf '%-5s %-14s %9s %9s %17s %10s %17s %10s %10s %10s %14s\n' "$m" "$tg" "$arate" "$e2e" \
        "$erate [$elo-$ehi]" "$util" "$sus [$slo-$shi]" "$kus" "$cus" "$oth" "$omax"
done <<<"$SUMMARY"
if (( NT == 2 )); then
    echo
    echo "Ratios $A / $B (msgs/s > 1: $A faster; CPU/msg > 1: $A costlier):"
    printf '%-5s %16s %18s %20s\n' mode "e2e_msgs/s" "accepted_msgs/s" "relay_CPU_us/msg"
    while IFS=$'\t' read -r kind m _pair re ra rc; do
        [[ $kind == ratio ]] || continue
        printf '%-5s %16s %18s %20s\n' "$m" "$re" "$ra" "$rc"
    done <<<"$SUMMARY"
fi
echo
echo "Noise: load average before $LOAD_BEFORE, after $LOAD_AFTER; other_util is the CPU (in cores)"
echo "used by everything else during each run (machine busy time minus relay, sink and client)."

if command -v jq >/dev/null; then
    {
        jq -n --arg ts "$STAMP" --arg host "$(uname -n)" --arg kernel "$(uname -r)" \
              --argjson cpus "$(nproc)" --arg java_opts "${JAVA_OPTS:-}" \
              --arg relay_cmd "$RELAY_SERVER_CMD" --arg relay_name "$RELAY_SERVER_NAME" \
              --arg postfix_version "$(postconf -d -h mail_version 2>/dev/null || echo unknown)" \
              --arg fs "$FS_TYPE" --arg load_before "$LOAD_BEFORE" --arg load_after "$LOAD_AFTER" \
              --argjson sessions "$SESSIONS" --argjson size "$MSG_SIZE" --argjson rcpts "$RCPTS" \
              --argjson rounds "$ROUNDS" --argjson warmup "$WARMUP" --arg modes "$MODES" \
              --arg order "$ORDER" --argjson msgs_reuse "$MSGS_REUSE" --argjson msgs_conn "$MSGS_CONN" \
              --argjson concurrency "$CONCURRENCY" --arg left "$LEFT" --argjson sink_total "$SINK_N" \
              --arg commit "$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
              --rawfile tsv "$TSV" --arg summary "$SUMMARY" '
          def num: tonumber;
          ($tsv | split("\n") | map(select(length > 0) | split("\t"))) as $rows
          | ($rows[0]) as $hdr
          | {timestamp: $ts, host: $host, kernel: $kernel, cpus: $cpus, commit: $commit,
             load_before: $load_before, load_after: $load_after,
             config: {relay_server_cmd: $relay_cmd, relay_server_name: $relay_name,
                      postfix_version: $postfix_version, queue_filesystem: $fs, java_opts: $java_opts,
                      sessions: $sessions, size: $size, rcpts: $rcpts, rounds: $rounds, warmup_s: $warmup,
                      modes: ($modes | split(",")), order: $order, messages_reuse: $msgs_reuse,
                      messages_conn: $msgs_conn, concurrency: $concurrency},
             sink_messages_total: $sink_total, left_in_queues: $left,
             runs: [$rows[1:][] | [$hdr, .] | transpose
                    | map({key: .[0], value: (if (.[0] == "mode" or .[0] == "target") then .[1] else (.[1] | num) end)})
                    | from_entries],
             medians: [$summary | split("\n")[] | split("\t") | select(.[0] == "median")
                       | {mode: .[1], target: .[2], accept_s: (.[3] | num), accept_msgs_per_s: (.[4] | num),
                          e2e_s: (.[5] | num), e2e_msgs_per_s: (.[6] | num), relay_cpu_s: (.[7] | num),
                          relay_cpu_util: (.[8] | num), relay_cpu_us_per_msg: (.[9] | num),
                          sink_cpu_us_per_msg: (.[10] | num), client_cpu_us_per_msg: (.[11] | num),
                          other_cpu_util: (.[12] | num), e2e_msgs_per_s_min: (.[13] | num),
                          e2e_msgs_per_s_max: (.[14] | num), relay_cpu_us_per_msg_min: (.[15] | num),
                          relay_cpu_us_per_msg_max: (.[16] | num), other_cpu_util_max: (.[17] | num)}],
             ratios: [$summary | split("\n")[] | split("\t") | select(.[0] == "ratio")
                      | {mode: .[1], pair: .[2], e2e_msgs_per_s: (.[3] | num),
                         accept_msgs_per_s: (.[4] | num), relay_cpu_us_per_msg: (.[5] | num)}]}'
    } >"$JSON" || { log "could not write JSON"; rm -f "$JSON"; JSON=""; }
else
    JSON=""
fi
echo
echo "Results: $TSV${JSON:+ and $JSON}"
