#!/usr/bin/env bash
# Stand-in "server under test" for exercising bench/run.sh --proxy before
# Postern can accept the PROXY protocol: an haproxy listener on 127.0.0.1:PORT
# (with accept-proxy in "pp2" mode, without in "plain" mode) forwarding to an
# smtp-sink on 127.0.0.1:PORT+1000. Both run as children of this script, so
# run.sh's process-tree CPU accounting covers both.
#
#   PROXY_SERVER_CMD='bench/standin-sink.sh %PORT% pp2' \
#   SERVER_CMD='bench/standin-sink.sh %PORT% plain' bench/run.sh --proxy
set -u
port=${1:?usage: standin-sink.sh PORT plain|pp2}
kind=${2:-plain}
sinkport=$((port + 1000))
sink=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
hap=$(command -v haproxy || echo /usr/sbin/haproxy)
u=(); (( EUID == 0 )) && u=(-u nobody)
accept=""; [[ $kind == pp2 ]] && accept="accept-proxy"
cfg=$(mktemp "${TMPDIR:-/tmp}/standin-haproxy.XXXXXX")
cat >"$cfg" <<EOF
global
    maxconn 4096
    nbthread 1
defaults
    mode tcp
    timeout connect 5s
    timeout client 120s
    timeout server 120s
frontend fe
    bind 127.0.0.1:$port $accept
    default_backend be
backend be
    server sink 127.0.0.1:$sinkport
EOF
"$sink" "${u[@]}" "127.0.0.1:$sinkport" 1024 & spid=$!
"$hap" -db -f "$cfg" & hpid=$!
trap 'kill $hpid $spid 2>/dev/null; wait; rm -f "$cfg"; exit 0' TERM INT HUP
wait -n
kill $hpid $spid 2>/dev/null; wait; rm -f "$cfg"
