#!/usr/bin/env bash
# The tracker benchmark: wrk sends announces for many distinct peers over 1,000
# torrents to murder_tracker and to Debian's opentracker, alternately, on the
# same machine in the same run:
#   - one connection per request (Connection: close), both trackers;
#   - keep-alive, murder_tracker (opentracker closes every connection anyway);
# then a paced load as a 10,000-host deploy makes it (one swarm, each peer
# re-announcing every 15 s: 667 announces a second, a connection each) and its
# p99 reply time (issue 14); then fills a fresh murder_tracker with 1,000,000
# peers across 1,000 torrents and reads its resident memory.
#
# Usage: tracker_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_QUICK,
# BENCH_SECONDS (10 per wrk run), BENCH_RUNS (3), BENCH_FILL_PEERS (1000000),
# BENCH_DEFER_ACCEPT (seconds of TCP_DEFER_ACCEPT for murder_tracker; 0, off),
# BENCH_PACED_SECONDS (45: three rounds of the 10,000 peers).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../integration/lib.sh"
source "$here/bench_lib.sh"

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
RUNS=${BENCH_RUNS:-3}
FILL=${BENCH_FILL_PEERS:-1000000}
TORRENTS=1000
CONNECTIONS=64
export TORRENTS WRK_THREADS=2

sandbox_init
chmod 755 "$SANDBOX"  # opentracker runs as nobody in a chroot here
mkdir -m 755 "$SANDBOX/ot"
for i in $(seq "$TORRENTS"); do printf '%040x\n' "$i"; done > "$SANDBOX/ot/whitelist"

ours=$(free_port)
"$BIN/murder_tracker" --bind 127.0.0.1 --port "$ours" --allowed_list "$SANDBOX/ot/whitelist" --peer_timeout 3600 \
  --tcp_defer_accept "${BENCH_DEFER_ACCEPT:-0}" --daemon --pidfile "$SANDBOX/ours.pid" --logfile "$SANDBOX/ours.log" > /dev/null || fail "murder_tracker did not start"
PIDFILES+=("$SANDBOX/ours.pid")
theirs=$(free_port)
opentracker -i 127.0.0.1 -p "$theirs" -P "$theirs" -w whitelist -d "$SANDBOX/ot" -u nobody > "$SANDBOX/ot.log" 2>&1 &
PIDS+=($!)
wait_until 10 sh -c "ss -Hltn 'sport = :$theirs' | grep -q ." || fail "opentracker did not listen"

# wrk_figures FILE NAME: "rps p99_ms errors" from wrk's output in FILE.
wrk_figures() {
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1")
  # wrk prints latencies as 812.00us, 3.21ms or 1.02s.
  p99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
          printf "%.2f", v * (u == "us" ? 0.001 : u == "s" ? 1000 : 1) }' "$1")
  errors=$(awk '/Socket errors|Non-2xx/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i } END { print n + 0 }' "$1")
  [ -n "$rps" ] || { cat "$1" >&2; fail "wrk printed no rate for $2"; }
  echo "$rps $p99 $errors"
}

# load PORT NAME [WRK ARGS...]: one wrk run; appends "rps p99_ms errors" to $SANDBOX/NAME.
load() {
  local port=$1 name=$2; shift 2
  PEERS=200000 wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" --latency -s "$here/announce.lua" "$@" \
    "http://127.0.0.1:$port" > "$SANDBOX/wrk.out" 2>&1 || { cat "$SANDBOX/wrk.out" >&2; fail "wrk failed on $name"; }
  wrk_figures "$SANDBOX/wrk.out" "$name" >> "$SANDBOX/$name"
}

echo "tracker: wrk, $WRK_THREADS threads, $CONNECTIONS connections, ${SECONDS_PER_RUN} s a run, $RUNS runs each, alternating"
for _ in $(seq "$RUNS"); do
  load "$ours" murder-close -H "Connection: close"
  load "$theirs" opentracker-close -H "Connection: close"
  load "$ours" murder-keepalive
done

rows="$BENCH_OUT/tracker.tsv"
printf 'tracker\tconnections\tannounces/s\tp99 ms\terrors\truns (announces/s)\n' > "$rows"
declare -A RPS
for name in murder-close opentracker-close murder-keepalive; do
  RPS[$name]=$(cut -d' ' -f1 "$SANDBOX/$name" | median)
  printf '%s\t%s\t%.0f\t%s\t%s\t%s\n' "${name%-*}" "${name#*-}" "${RPS[$name]}" "$(cut -d' ' -f2 "$SANDBOX/$name" | median)" \
    "$(awk '{ n += $3 } END { print n }' "$SANDBOX/$name")" "$(cut -d' ' -f1 "$SANDBOX/$name" | tr '\n' ' ')" >> "$rows"
done
table "$rows"
target "murder_tracker / opentracker, connection per request" "$(calc "${RPS[murder-close]} / ${RPS[opentracker-close]}")" ">=" 1 "x"
target "murder_tracker keep-alive / opentracker" "$(calc "${RPS[murder-keepalive]} / ${RPS[opentracker-close]}")" ">=" 3 "x"

# Paced: 10,000 peers of one swarm, each announcing every 15 s (20 connections
# waiting 30 ms before each request: 667 a second), a connection per announce.
# The first round fills the swarm; the p99 is over all rounds.
PACED_SECONDS=${BENCH_PACED_SECONDS:-45}
[ "$BENCH_QUICK" = 0 ] || PACED_SECONDS=5
mark=$(cpu_now)
TORRENTS=1 PEERS=10000 DELAY_MS=30 wrk -t "$WRK_THREADS" -c 20 -d "${PACED_SECONDS}s" --latency -s "$here/announce.lua" \
  -H "Connection: close" "http://127.0.0.1:$ours" > "$SANDBOX/paced.out" 2>&1 || { cat "$SANDBOX/paced.out"; fail "wrk failed (paced)"; }
paced_busy=$(cpu_busy "$mark")
paced=$(wrk_figures "$SANDBOX/paced.out" paced)
read -r paced_rps paced_p99 paced_errors <<< "$paced"
echo "paced: 10000 peers in one swarm re-announcing every 15 s: $paced_rps announces/s for $PACED_SECONDS s, p99 $paced_p99 ms, $paced_errors errors (CPU $paced_busy % busy)" |
  tee "$BENCH_OUT/tracker_paced.txt"
[ "$paced_errors" = 0 ] || fail "the paced load had $paced_errors errors"
target "murder_tracker p99 reply, 10,000 peers re-announcing every 15 s" "$paced_p99" "<" 5 " ms"

# Memory: a fresh tracker holding FILL peers across 1,000 torrents.
"$BIN/murder_tracker" --bind 127.0.0.1 --port 0 --allowed_list "$SANDBOX/ot/whitelist" --peer_timeout 3600 \
  --daemon --pidfile "$SANDBOX/fill.pid" --logfile "$SANDBOX/fill.log" > "$SANDBOX/fill.port" || fail "murder_tracker did not start"
PIDFILES+=("$SANDBOX/fill.pid")
fill_port=$(sed 's/.*://' "$SANDBOX/fill.port")
fill_pid=$(cat "$SANDBOX/fill.pid")
peers_held() { curl -sf "http://127.0.0.1:$fill_port/metrics" | awk '$1 == "murder_tracker_peers" { print $2 }'; }
rss_before=$(awk '/^VmRSS/ { print $2 }' "/proc/$fill_pid/status")
started=$(now)
# Each wrk thread walks its share of peer ids in order and then announces them
# again; a run long enough for the slowest thread to get through its share
# fills the tracker. Retried once, twice as long, if it was not.
for duration in $(( FILL / 20000 + 10 )) $(( FILL / 10000 + 20 )); do
  [ "$(peers_held)" -ge "$FILL" ] && break
  PEERS=$FILL NUMWANT=0 wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${duration}s" -s "$here/announce.lua" \
    "http://127.0.0.1:$fill_port" > /dev/null 2>&1 || fail "wrk failed filling the tracker"
done
held=$(peers_held)
[ "$held" -ge "$FILL" ] || fail "the tracker holds only $held of $FILL peers"
rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$fill_pid/status")
echo "memory: $held peers in $TORRENTS torrents, RSS $rss MiB (empty: $(calc "$rss_before / 1024") MiB), filled in $(since "$started") s"
printf 'peers\ttorrents\tRSS MiB\n%s\t%s\t%s\n' "$held" "$TORRENTS" "$rss" > "$BENCH_OUT/tracker-memory.tsv"
[ "$FILL" -lt 1000000 ] || target "murder_tracker RSS with 1,000,000 peers" "$rss" "<=" 150 " MiB"
