# shellcheck shell=bash
# Shared shell helpers of the benchmarks (bench/run.sh, bench/relay.sh, bench/standin-relay.sh).
# Sourced, not run. The functions use these globals of the sourcing script, when they apply:
#   BENCH_PROG     name in error messages (default: the script's file name)
#   REPO_ROOT      servers are started from there
#   WORK_DIR       the run's temporary directory (server logs, smtp-source.log)
#   HOST           listening address (127.x.y.z)
#   START_TIMEOUT  seconds a server gets to listen
#   SERVER_CPUS / CLIENT_CPUS   taskset -c lists, or empty
#   STARTED_PIDS   array: start_bg appends every process group it starts
#   SESSIONS MSG_SIZE RCPTS SMTP_HELO SMTP_FROM SMTP_TO RUN_TIMEOUT SMTP_SOURCE   smtp_source's load
#   CLIENT_PID     set while smtp_source runs (so that a trap can stop it)

die() { echo "${BENCH_PROG:-$(basename "$0")}: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
need_uint() { is_uint "$2" || die "$1 needs a non-negative integer, got '$2'"; }

# find_tool NAME: path of a program in $PATH or where Debian and others put Postfix's tools.
find_tool() {
    local t=$1 d
    if command -v "$t" >/dev/null 2>&1; then command -v "$t"; return 0; fi
    for d in /usr/sbin /usr/lib/postfix/sbin /usr/libexec/postfix /usr/local/sbin; do
        [[ -x $d/$t ]] && { echo "$d/$t"; return 0; }
    done
    return 1
}

kill_tree() {   # kill_tree PID: TERM the process group, then KILL after a grace period
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for (( i = 0; i < 50; i++ )); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid ignored SIGTERM, sending SIGKILL"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}

port_listening() { [[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]]; }

# start_bg NAME PORT CMD...: start a server in its own session/process group
# (so that cleanup can kill it with all its children). Sets START_PID.
start_bg() {
    local name=$1 port=$2; shift 2
    local pin=()
    [[ -n $SERVER_CPUS ]] && pin=(taskset -c "$SERVER_CPUS")
    port_listening "$port" && die "port $port is already in use (before starting $name)"
    log "starting $name: $*"
    # Not a process-group leader (no job control), so setsid does not fork:
    # $! is the server's own PID.
    (cd "$REPO_ROOT" && exec setsid "${pin[@]}" "$@") </dev/null >"$WORK_DIR/$name.log" 2>&1 &
    START_PID=$!
    STARTED_PIDS+=("$START_PID")
    local deadline=$(( SECONDS + START_TIMEOUT )) i
    for (( i = 0; i < START_TIMEOUT * 10 + 10; i++ )); do
        port_listening "$port" && break
        kill -0 "$START_PID" 2>/dev/null || die "$name exited before listening on port $port (see log below)"
        (( SECONDS >= deadline )) && die "$name did not listen on port $port within ${START_TIMEOUT}s"
        sleep 0.1
    done
    port_listening "$port" || die "$name did not listen on port $port"
    # Sanity: the listening socket must belong to the process tree we measure.
    local owner
    owner=$(ss -Htlnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)
    if [[ -n $owner ]] && ! tree_pids "$START_PID" | grep -qx "$owner"; then
        die "port $port is owned by pid $owner, which is not in $name's process tree (pid $START_PID)"
    fi
    log "$name is listening on $HOST:$port (pid $START_PID${owner:+, socket owner $owner})"
}

# run_server NAME PORT TEMPLATE: expand %PORT% and start via bash -c "exec ..."
run_server() {
    local name=$1 port=$2 tmpl=$3
    local cmd=${tmpl//%PORT%/$port}
    start_bg "$name" "$port" bash -c "exec $cmd"
}

# tree_pids PID: PID and all its live descendants, one per line.
tree_pids() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { kids[$2] = kids[$2] " " $1 }
        END {
            n = 1; q[1] = root; print root
            for (i = 1; i <= n; i++) {
                c = split(kids[q[i]], a, " ")
                for (j = 1; j <= c; j++) { q[++n] = a[j]; print a[j] }
            }
        }'
}

# tree_ticks PID: utime+stime (clock ticks) summed over the process tree, plus
# cutime+cstime: the CPU of children that exited and were reaped by a process of
# the tree (Postfix's master reaps smtpd, cleanup, smtp... when they reach max_use
# or max_idle; the CPU of a process is thus counted live, then in its parent).
# /proc/PID/stat already covers all threads of each process.
tree_ticks() {
    local p total=0 rest f
    for p in $(tree_pids "$1"); do
        rest=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        rest=${rest##*) }          # drop "pid (comm) " (comm may contain spaces)
        read -r -a f <<<"$rest"    # f[0] is field 3 (state); utime=f[11], stime=f[12], cutime=f[13], cstime=f[14]
        total=$(( total + f[11] + f[12] + f[13] + f[14] ))
    done
    echo "$total"
}

# Busy CPU ticks of the whole machine (user+nice+system+irq+softirq, all CPUs).
sys_busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }

# Children's CPU (cutime+cstime) of the main shell ($$, not the $(...) subshell):
# grows when the main shell reaps smtp-source (via timeout) in smtp_source().
self_child_ticks() {
    local rest f
    rest=$(cat "/proc/$$/stat"); rest=${rest##*) }
    read -r -a f <<<"$rest"
    echo $(( f[13] + f[14] ))
}

# smtp_source MODE PORT COUNT: run one load batch; returns smtp-source's status.
smtp_source() {
    local mode=$1 port=$2 count=$3 args pin=()
    args=(-s "$SESSIONS" -l "$MSG_SIZE" -m "$count" -r "$RCPTS"
          -M "$SMTP_HELO" -f "$SMTP_FROM" -t "$SMTP_TO")
    [[ $mode == reuse ]] && args+=(-d)
    [[ -n $CLIENT_CPUS ]] && pin=(taskset -c "$CLIENT_CPUS")
    # Background + wait so that Ctrl-C reaches our trap promptly.
    timeout -k 5 "$RUN_TIMEOUT" "${pin[@]}" "$SMTP_SOURCE" "${args[@]}" "$HOST:$port" \
        </dev/null >>"$WORK_DIR/smtp-source.log" 2>&1 &
    CLIENT_PID=$!
    wait "$CLIENT_PID"; local rc=$?
    CLIENT_PID=""
    return $rc
}

# ------------------------------------------------------- private Postfix ---
# A Postfix instance of its own, all under one directory BASE, that relays
# everything to one smtp-sink: BASE/etc (main.cf, master.cf), BASE/spool
# (queue_directory), BASE/data (data_directory), BASE/maillog. The system's
# /etc/postfix is only read (postfix-files, the compiled-in program
# directories), never written. Needs root: Postfix's master must be.

# postfix_write_instance BASE NAME LISTEN_HOST LISTEN_PORT SINK_HOST SINK_PORT DEST_CONCURRENCY PROCESS_LIMIT
postfix_write_instance() {
    local base=$1 name=$2 lhost=$3 lport=$4 shost=$5 sport=$6 conc=$7 plimit=$8
    mkdir -p "$base/etc" "$base/spool" "$base/data" || return 1
    # Postfix's unprivileged daemons and postlogd need to reach their files;
    # data_directory belongs to mail_owner (the queue's subdirectories are made by
    # "postfix start" itself).
    chmod 755 "$base" "$base/etc" || return 1
    chown "$(postconf -h -c "$base/etc" mail_owner 2>/dev/null || echo postfix)" "$base/data" || return 1
    cat >"$base/etc/main.cf" <<MAINCF
# Generated by bench/lib.sh for a benchmark run; removed with it.
compatibility_level = 3.6
queue_directory = $base/spool
data_directory = $base/data
syslog_name = $name
maillog_file = $base/maillog
maillog_file_prefixes = $base
myhostname = $name.relay.bench.example
mydomain = relay.bench.example
myorigin = \$myhostname
# No local delivery at all: every recipient domain is remote, and remote mail
# goes to the relayhost (the smtp-sink), to which the mynetworks clients may relay.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:5.1.1 no local delivery in this benchmark instance
relayhost = [$shost]:$sport
mynetworks = 127.0.0.0/8
inet_interfaces = $lhost
inet_protocols = ipv4
smtp_tls_security_level = none
smtpd_tls_security_level = none
# Postern does no reverse DNS lookup by default either.
smtpd_peername_lookup = no
append_dot_mydomain = no
biff = no
readme_directory = no
default_process_limit = $plimit
smtpd_client_connection_count_limit = 0
smtp_destination_concurrency_limit = $conc
MAINCF
    cat >"$base/etc/master.cf" <<MASTERCF
# Generated by bench/lib.sh. No chroot, no local/virtual/lmtp/pipe delivery, no pickup, no TLS.
# service  type  private unpriv  chroot  wakeup  maxproc command
$lhost:$lport inet n      -       n       -       -       smtpd
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
MASTERCF
}

# postfix_master_pid BASE: the running master's PID, or nothing.
postfix_master_pid() {
    local pid
    pid=$(tr -d ' \n' <"$1/spool/pid/master.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid" && echo "$pid"
}

# pid_running PID: the process exists and is not a zombie.
pid_running() {
    local rest
    rest=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    rest=${rest##*) }
    [[ ${rest:0:1} != Z ]]
}

# postfix_queued BASE: messages in the instance's queues (files, not counting the
# pid/, public/, private/ directories).
postfix_queued() {
    local d n=0 c
    for d in maildrop incoming active deferred hold corrupt; do
        [[ -d $1/spool/$d ]] || continue
        c=$(find "$1/spool/$d" -type f 2>/dev/null | wc -l)
        n=$(( n + c ))
    done
    echo "$n"
}

# pid_start_time PID: the start time field of /proc/PID/stat (tells a PID from its reuse).
pid_start_time() {
    local rest f
    rest=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    rest=${rest##*) }; read -r -a f <<<"$rest"
    [[ ${f[0]} == Z ]] && return 1   # a zombie has finished (its parent may be slow to reap it)
    echo "${f[19]}"
}

# postfix_stop POSTFIX BASE: "postfix -c BASE/etc stop" (bounded), then make sure
# the master and every process it had are gone, killing exactly those PIDs if not.
postfix_stop() {
    local postfix=$1 base=$2 master p i alive
    local -a procs=()
    master=$(postfix_master_pid "$base") || master=""
    [[ -n $master ]] || return 0
    for p in $(tree_pids "$master"); do procs+=("$p:$(pid_start_time "$p")"); done
    timeout -k 2 20 "$postfix" -c "$base/etc" stop >>"$base/postfix-ctl.log" 2>&1 \
        || log "postfix -c $base/etc stop failed (see $base/postfix-ctl.log)"
    for (( i = 0; i < 100; i++ )); do
        alive=0
        for p in "${procs[@]}"; do
            [[ $(pid_start_time "${p%%:*}" 2>/dev/null) == "${p#*:}" ]] && alive=1
        done
        (( alive )) || return 0
        sleep 0.1
    done
    for p in "${procs[@]}"; do
        if [[ $(pid_start_time "${p%%:*}" 2>/dev/null) == "${p#*:}" ]]; then
            log "Postfix process ${p%%:*} still there after 'postfix stop': SIGKILL"
            kill -KILL "${p%%:*}" 2>/dev/null
        fi
    done
    return 0
}
