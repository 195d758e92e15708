#!/usr/bin/env bash
# Stand-in for Postern's relay, to test bench/relay.sh before `postern serve` can
# relay, and to check that the harness is fair: a second private Postfix, set up
# exactly like relay.sh's, but run in the foreground ("postfix start-fg") as a
# descendant of this script, so that relay.sh's process-tree CPU accounting
# covers it as it covers a JVM. Every ratio should come out near 1.0.
#
#   RELAY_SERVER_NAME=standin \
#   RELAY_SERVER_CMD='bench/standin-relay.sh %HOST% %PORT% %SINK_PORT% %QUEUE_DIR% %CONCURRENCY%' \
#   bench/relay.sh --warmup 0
#
# SIGTERM/SIGINT: "postfix stop", and this script waits until the master and its
# processes are gone.
set -u
host=${1:?usage: standin-relay.sh HOST PORT SINK_PORT DIR [CONCURRENCY]}
port=${2:?}; sinkport=${3:?}; dir=${4:?}; conc=${5:-10}
BENCH_PROG=standin-relay.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
POSTFIX=$(find_tool postfix) || die "postfix not found"
base=$dir/standin-postfix
# Process limit 100: the same as relay.sh's Postfix for up to 35 sessions.
postfix_write_instance "$base" standin "$host" "$port" "$host" "$sinkport" "$conc" 100 \
    || die "could not write the configuration in $base"
# shellcheck disable=SC2317  # called by the trap
stop() { postfix_stop "$POSTFIX" "$base"; exit 0; }
trap stop TERM INT HUP
# postfix-script runs "master -s" when not PID 1: it stays in the foreground, a
# descendant of this script (in a session of its own, hence the trap above).
"$POSTFIX" -c "$base/etc" start-fg </dev/null &
child=$!
while kill -0 "$child" 2>/dev/null; do wait "$child"; done
die "postfix start-fg exited (see $base/maillog)"
