#!/usr/bin/env bash
# The fleet benchmark: the time until the last of N hosts holds S MiB, for
#   murder  `murderctl peer` (torrent made, h0 seeding), median of BENCH_RUNS;
#           `murderctl deploy` end to end (packing and hashing included), phases timed
#   aria2   opentracker on h0, aria2c seeding on h0 and leeching on h1..hN
#   scp     a parallel-scp push from h0 (Debian's pssh)
#   ring    the ceiling: each host sends the payload to the next over one raw
#           TCP stream (h0 to h1, ..., hN to h0; tests/tools/raw_stream), so
#           every link carries it once each way with no protocol on top
#   limit   S/B: one copy through one link
# h0 is tracker and seeder, h1..hN receive. Every link is shaped to B in each
# direction. Every method moves the same bytes: the payload tree as it is in
# murder's default tree mode (aria2 a torrent of the same directory, scp its
# file), or with BENCH_MODE=tgz one .tgz, which murder also extracts.
#
# murder peer and aria2 alternate, run by run, so that drift on this shared
# machine hits both alike.
#
# Usage: fleet_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_NS ("10 20 40"),
# BENCH_SIZES (MiB, "32 128"), BENCH_RATE (Mbit/s, 100), BENCH_RUNS (3),
# BENCH_METHODS (some of "peer aria2 ring scp deploy", and "peer3": murderctl
# peer at SSH concurrency 3; all but peer3 by default), BENCH_LABEL
# (names this grid's files and tables: "light" for scripts/bench's CPU-light
# grid), BENCH_SUPER_SEED (1: murder's seeder super-seeds, `super_seeding =
# true`), BENCH_EVERY_REQUEST (1: a plain seeder, `seed_every_request = true`),
# BENCH_PIECE_KIB (murder's piece size, `piece_size`; its own rule by default),
# BENCH_MAX_CONNECTIONS (each peer's connection cap, `max_connections`; murder_client's default),
# BENCH_LIBTORRENT (libtorrent settings over murder's for seeder and peers,
# e.g. "request_queue_time=3 aio_threads=4", murder.toml's [libtorrent]),
# BENCH_CONCURRENCY (murderctl's SSH sessions at once, [ssh] concurrency; 100),
# BENCH_MODE (murder's transfer_mode: "tree", the default, or "tgz").
set -euo pipefail
here=$(dirname "$0")
source "$here/../integration/lib.sh"
source "$here/../fleet/fleet_lib.sh"
source "$here/bench_lib.sh"

read -r -a NS <<< "${BENCH_NS:-10 20 40}"
read -r -a SIZES <<< "${BENCH_SIZES:-32 128}"
RATE=${BENCH_RATE:-100}
RUNS=${BENCH_RUNS:-3}
METHODS=" ${BENCH_METHODS:-peer aria2 ring scp deploy} "
MAXN=$(printf '%s\n' "${NS[@]}" | sort -n | tail -1)
LABEL=${BENCH_LABEL:-}
GRID="fleet${LABEL:+-$LABEL}"
MODE=${BENCH_MODE:-tree}
case $MODE in tree|tgz) ;; *) echo "fleet_bench.sh: BENCH_MODE must be tree or tgz, not '$MODE'" >&2; exit 2 ;; esac
OT_PORT=6969

# Not under /tmp: each host mounts its own /tmp. A /24 of its own, so that the
# benchmark can run beside the fleet tests.
sandbox_init /var/tmp
FLEET_NET=198.19.0
chmod 755 "$SANDBOX"  # opentracker runs as nobody and reads its whitelist here
at_exit 'rm -f /tmp/[bd][0-9]*.tgz.torrent /tmp/[bd][0-9]*.tree.torrent'
started=$(now)
fleet_up $((MAXN + 1)) "${RATE}mbit"
echo "fleet: $((MAXN + 1)) hosts, links ${RATE} Mbit/s each way, up in $(since "$started") s"
H0=${FLEET_HOSTS[0]}

# ctl N ARGS...: murderctl with h0 as tracker and seeder and h1..hN as peers.
ctl() {
  local n=$1 peers="" i; shift
  for i in $(seq 1 "$n"); do peers+="\"${FLEET_HOSTS[$i]}\", "; done
  cat > "$SANDBOX/murder-$n.toml" <<TOML
remote_murder_path = "/srv/murder"
default_destination_path = "/srv/app"
transfer_mode = "$MODE"
super_seeding = $([ "${BENCH_SUPER_SEED:-0}" = 1 ] && echo true || echo false)
seed_every_request = $([ "${BENCH_EVERY_REQUEST:-0}" = 1 ] && echo true || echo false)
$([ -z "${BENCH_PIECE_KIB:-}" ] || echo "piece_size = $((BENCH_PIECE_KIB * 1024))")
$([ -z "${BENCH_MAX_CONNECTIONS:-}" ] || echo "max_connections = $BENCH_MAX_CONNECTIONS")
[libtorrent]
$(for setting in ${BENCH_LIBTORRENT:-}; do echo "${setting%%=*} = ${setting#*=}"; done)
[roles]
tracker = "$H0"
seeder = "$H0"
peer = [${peers%, }]
[ssh]
config = "$SANDBOX/ssh_config"
connect_timeout = 10
concurrency = ${BENCH_CONCURRENCY:-100}
TOML
  "$BIN/murderctl" -c "$SANDBOX/murder-$n.toml" ${CTL_CONCURRENCY:+--concurrency "$CTL_CONCURRENCY"} \
    --format json --log-dir "$SANDBOX/ctl-logs" "$@" \
    2>> "$SANDBOX/murderctl.log"
}

# on_hosts N COMMAND...: runs COMMAND on h1..hN, in parallel.
on_hosts() {
  local n=$1 i pids=(); shift
  for i in $(seq 1 "$n"); do on_host "$i" "$@" & pids+=($!); done
  for i in "${pids[@]}"; do wait "$i"; done
}

# check_copies N FILE_ON_HOST SOURCE: every host holds FILE, byte for byte the source.
check_copies() {
  local n=$1 file=$2 source=$3 i
  for i in $(seq 1 "$n"); do
    cmp -s "$source" "/proc/${FLEET_KEEPER[$i]}/root$file" || fail "h$i does not hold $file as the source has it"
  done
}

rows="$BENCH_OUT/$GRID.tsv"
printf 'N\tMiB\tmethod\tseconds\tx limit\tseed copies\tdeliver s\tCPU busy %%\truns (s)\n' > "$rows"
# record N S METHOD: the median of the runs in TIMES (and of BUSY, COPIES,
# DELIVERS) as a row; the medians stay in RESULT_*, COPIES_*, BUSY_*, DELIVER_*.
record() {
  local n=$1 s=$2 method=$3 med copies=- deliver=- busy key
  med=$(printf '%s\n' "${TIMES[@]}" | median)
  busy=$(printf '%s\n' "${BUSY[@]}" | median | cut -d. -f1)
  [ "${#COPIES[@]}" = 0 ] || copies=$(printf '%s\n' "${COPIES[@]}" | median)
  [ "${#DELIVERS[@]}" = 0 ] || deliver=$(printf '%s\n' "${DELIVERS[@]}" | median)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$s" "$method" "$med" "$(calc "$med / ${LIMIT[$s]}")" \
    "$copies" "$deliver" "$busy" "${TIMES[*]}" >> "$rows"
  echo "  N=$n S=${s}MiB $method: median $med s (runs: ${TIMES[*]}; seed copies ${COPIES[*]:--}; CPU busy ${BUSY[*]} %)"
  key="${method//[^a-z0-9]/_}_${n}_${s}"
  eval "RESULT_$key=$med BUSY_$key=$busy"
  [ "$copies" = - ] || eval "COPIES_$key=$copies"
  [ "$deliver" = - ] || eval "DELIVER_$key=$deliver"
}
# measure RUNS FUNCTION ARGS...: runs FUNCTION (which sets SECS) RUNS times into TIMES and BUSY.
measure() {
  local runs=$1 mark; shift
  TIMES=(); BUSY=(); COPIES=(); DELIVERS=()
  for _ in $(seq "$runs"); do
    mark=$(cpu_now); COPY=""; DELIVER=""
    "$@"
    TIMES+=("$SECS"); BUSY+=("$(cpu_busy "$mark")")
    [ -z "$COPY" ] || COPIES+=("$COPY")
    [ -z "$DELIVER" ] || DELIVERS+=("$DELIVER")
  done
}

# swarm_point N S: murder peer and aria2 (those in METHODS), RUNS rounds of one
# run each in turn, then a row per method.
swarm_point() {
  local n=$1 s=$2 method mark
  local -A times busy copies delivers
  local -a methods=()
  [[ $METHODS != *" peer "* ]] || methods+=(murder_peer)
  [[ $METHODS != *" peer3 "* ]] || methods+=(murder_peer_c3)
  [[ $METHODS != *" aria2 "* ]] || methods+=(aria2_run)
  [[ $METHODS != *" ring "* ]] || methods+=(ring_run)
  [ "${#methods[@]}" -gt 0 ] || return 0
  for _ in $(seq "$RUNS"); do
    for method in "${methods[@]}"; do
      mark=$(cpu_now); COPY=""; DELIVER=""
      "$method" "$n" "$s"
      times[$method]+="$SECS "; busy[$method]+="$(cpu_busy "$mark") "
      copies[$method]+="${COPY:+$COPY }"; delivers[$method]+="${DELIVER:+$DELIVER }"
    done
  done
  for method in "${methods[@]}"; do
    read -r -a TIMES <<< "${times[$method]}"; read -r -a BUSY <<< "${busy[$method]}"
    read -r -a COPIES <<< "${copies[$method]}"; read -r -a DELIVERS <<< "${delivers[$method]}"
    case $method in
      murder_peer) record "$n" "$s" "murder peer" ;;
      murder_peer_c3) record "$n" "$s" "murder peer c3" ;;
      ring_run) record "$n" "$s" ring ;;
      *) record "$n" "$s" aria2 ;;
    esac
  done
}

# --- one run of each method --------------------------------------------------
# Each sets SECS (not printed: a failure inside $(...) would end only a subshell).

murder_peer_c3() { CTL_CONCURRENCY=3 PEER_FILES=murder3 murder_peer "$@"; }

murder_peer() {  # N S RUN -> SECS, COPY
  local n=$1 s=$2 tag="b$2" t0 name=${PEER_FILES:-murder}
  rm -rf "$SANDBOX/ctl-logs"
  # A seeder of its own for each run, so that its stop row gives this run's copies.
  ctl "$MAXN" start_seeding tag="$tag" > "$SANDBOX/seed.json" || { cat "$SANDBOX/seed.json" >&2; fail "start_seeding failed"; }
  t0=$(now)
  ctl "$n" peer tag="$tag" > "$SANDBOX/peer.json" || { cat "$SANDBOX/peer.json" >&2; fail "murderctl peer failed"; }
  SECS=$(since "$t0")
  jq -r '.results[] | select(.task == "peer") | .seconds' "$SANDBOX/peer.json" > "$BENCH_OUT/$GRID-hosts-$name-n$n-s$s.txt"
  # Each row's detail ends "..., T s, delivered in D s": the download and the
  # delivery (extraction into place) of each host.
  jq -r '.results[] | select(.task == "peer") | "\(.host) \(.seconds) \(.detail)"' "$SANDBOX/peer.json" |
    sed -n 's/^\([^ ]*\) \([0-9.]*\) .*, \([0-9.]*\) s, delivered in \([0-9.]*\) s$/\1 \2 \3 \4/p' \
    > "$BENCH_OUT/$GRID-split-$name-n$n-s$s.txt"
  DELIVER=$(awk 'BEGIN { m = 0 } $4 > m { m = $4 } END { print m }' "$BENCH_OUT/$GRID-split-$name-n$n-s$s.txt")
  check_copies "$n" "/srv/app/$tag/data.bin" "$SANDBOX/payload-$s/data.bin"
  # The last run's client logs stay with the results, for a look at the slowest host.
  mkdir -p "$BENCH_OUT/$GRID-logs-$name-n$n-s$s"
  cp "$SANDBOX/peer.json" "$SANDBOX"/ctl-logs/* "$BENCH_OUT/$GRID-logs-$name-n$n-s$s/"
  for i in $(seq 1 "$n"); do
    cp "/proc/${FLEET_KEEPER[$i]}/root/srv/murder/log/peer-$tag.log" "$BENCH_OUT/$GRID-logs-$name-n$n-s$s/h$i.log"
  done
  ctl "$n" stop_peering tag="$tag" > "$SANDBOX/stop.json" || { cat "$SANDBOX/stop.json" >&2; fail "stop_peering failed"; }
  ctl "$MAXN" stop_seeding tag="$tag" > "$SANDBOX/stop-seed.json" ||
    { cat "$SANDBOX/stop-seed.json" >&2; fail "stop_seeding failed"; }
  # The row reads "stopped 1 process; uploaded 1.02 copies (34.2 MB)".
  COPY=$(jq -r '.results[] | select(.task == "stop_seeding") | .detail' "$SANDBOX/stop-seed.json" |
           sed -n 's/.*uploaded \([0-9.]*\) copies.*/\1/p')
  [ -n "$COPY" ] || { cat "$SANDBOX/stop-seed.json" >&2; fail "stop_seeding did not give the copies uploaded"; }
  echo "$COPY" >> "$BENCH_OUT/$GRID-copies-n$n-s$s.txt"
  on_hosts "$n" rm -rf "/srv/app/$tag" "/tmp/$tag.tgz" "/tmp/$tag.tree.torrent"
}

# aria2c as an operator would run it on a private network: no DHT or local
# discovery, seeding on (ratio 0: without limit), ports from 7881 (h0's murder
# seeder has 6881). Each run ends every aria2c it started, by pid.
ARIA_OPTS=(--quiet --seed-ratio=0.0 --enable-dht=false --enable-dht6=false --bt-enable-lpd=false --listen-port=7881-7999)
aria2_run() {  # N S -> SECS
  local n=$1 s=$2 t0 i pids=() seeder
  rm -rf "$SANDBOX/aria-done"; mkdir "$SANDBOX/aria-done"
  start_on_host 0 aria2c "${ARIA_OPTS[@]}" --dir="$SANDBOX" --bt-seed-unverified=true "$SANDBOX/aria-$s.torrent" \
    > "$SANDBOX/aria-seed.log" 2>&1
  seeder=$STARTED_PID
  # Ready once opentracker counts the seeder in the torrent's scrape.
  wait_until 30 sh -c "nsenter -t ${FLEET_KEEPER[0]} -n curl -sf \
      'http://$H0:$OT_PORT/scrape?info_hash=$(sed 's/../%&/g' <<< "${OT_HASH[$s]}")' | grep -q '8:completei[1-9]'" ||
    fail "the aria2c seeder did not announce to opentracker"
  t0=$(now)
  for i in $(seq 1 "$n"); do
    start_on_host "$i" env MARK="$SANDBOX/aria-done/$i" aria2c "${ARIA_OPTS[@]}" --dir=/srv/aria \
      --on-bt-download-complete="$SANDBOX/aria-mark" --log="$SANDBOX/aria-$i.full" --log-level=notice \
      "$SANDBOX/aria-$s.torrent" > "$SANDBOX/aria-$i.log" 2>&1
    pids+=("$STARTED_PID")
  done
  wait_until $((60 + n * 5)) sh -c "[ \$(ls '$SANDBOX/aria-done' | wc -l) -ge $n ]" ||
    { grep -ih "error\|fail\|exception" "$SANDBOX/aria-1.full" "$SANDBOX/aria-seed.log" | tail -5 >&2; fail "aria2c: only $(ls "$SANDBOX/aria-done" | wc -l) of $n hosts finished"; }
  for i in $(seq 1 "$n"); do awk -v a="$t0" '{ printf "%.2f\n", $1 - a }' "$SANDBOX/aria-done/$i"; done |
    sort -g > "$BENCH_OUT/$GRID-hosts-aria2-n$n-s$s.txt"
  SECS=$(tail -1 "$BENCH_OUT/$GRID-hosts-aria2-n$n-s$s.txt")
  kill "${pids[@]}" "$seeder" 2>/dev/null; for i in "${pids[@]}" "$seeder"; do wait "$i" 2>/dev/null || true; done
  check_copies "$n" "/srv/aria/${CARRY[$s]}" "$SANDBOX/${CARRY[$s]}"
  on_hosts "$n" rm -rf /srv/aria
}

# The ceiling: every host receives the payload from the one before it and
# sends it to the one after, over one raw TCP stream each way (sendfile out,
# 1 MiB reads in). What the links and the machine carry with no swarm on top.
RING_PORT=7100
ring_run() {  # N S -> SECS
  local n=$1 s=$2 t0 i pids=()
  rm -rf "$SANDBOX/ring-done"; mkdir "$SANDBOX/ring-done"
  for i in $(seq 0 "$n"); do
    start_on_host "$i" sh -c "'$BIN/raw_stream' receive $RING_PORT /srv/ring.bin && date +%s.%N > '$SANDBOX/ring-done/$i'"
    pids+=("$STARTED_PID")
  done
  for i in $(seq 0 "$n"); do
    wait_until 10 on_host "$i" sh -c "ss -Hltn 'sport = :$RING_PORT' | grep -q ." || fail "raw_stream did not listen on h$i"
  done
  t0=$(now)
  for i in $(seq 0 "$n"); do
    start_on_host "$i" "$BIN/raw_stream" send "${FLEET_HOSTS[$(( (i + 1) % (n + 1) ))]}" "$RING_PORT" "$SANDBOX/${CARRY[$s]}"
    pids+=("$STARTED_PID")
  done
  wait_until $((60 + n)) sh -c "[ \$(ls '$SANDBOX/ring-done' | wc -l) -gt $n ]" ||
    fail "raw streams: only $(ls "$SANDBOX/ring-done" | wc -l) of $((n + 1)) hosts received the payload"
  for i in $(seq 1 "$n"); do awk -v a="$t0" '{ printf "%.2f\n", $1 - a }' "$SANDBOX/ring-done/$i"; done |
    sort -g > "$BENCH_OUT/$GRID-hosts-ring-n$n-s$s.txt"
  SECS=$(tail -1 "$BENCH_OUT/$GRID-hosts-ring-n$n-s$s.txt")
  for i in "${pids[@]}"; do wait "$i" || fail "a raw stream failed"; done
  check_copies "$n" /srv/ring.bin "$SANDBOX/${CARRY[$s]}"
  on_hosts "$n" rm -f /srv/ring.bin; on_host 0 rm -f /srv/ring.bin
}

scp_run() {  # N S -> SECS
  local n=$1 s=$2 t0
  printf '%s\n' "${FLEET_HOSTS[@]:1:$n}" > "$SANDBOX/scp-hosts"
  t0=$(now)
  on_host 0 parallel-scp -h "$SANDBOX/scp-hosts" -p "$n" -t 0 -x "-F $SANDBOX/ssh_config" \
    "$SANDBOX/${CARRY[$s]}" "/srv/${CARRY[$s]}" > "$SANDBOX/scp.out" 2>&1 || { cat "$SANDBOX/scp.out" >&2; fail "parallel-scp failed"; }
  SECS=$(since "$t0")
  # Lines read "[1] 18:02:03 [SUCCESS] host": whole seconds are enough here.
  sed -n 's/^\[[0-9]*\] \([0-9:]*\) \[SUCCESS\].*/\1/p' "$SANDBOX/scp.out" |
    while read -r at; do awk -v a="$t0" -v b="$(date -d "$at" +%s)" 'BEGIN { d = b - a; printf "%.2f\n", d < 0 ? 0 : d }'; done |
    sort -g > "$BENCH_OUT/$GRID-hosts-scp-n$n-s$s.txt"
  check_copies "$n" "/srv/${CARRY[$s]}" "$SANDBOX/${CARRY[$s]}"
  on_hosts "$n" rm -f "/srv/${CARRY[$s]}"
}

murder_deploy() {  # N S -> SECS; prints the phases
  local n=$1 s=$2 tag="d$1s$2" t0 phases
  t0=$(now)
  ctl "$n" deploy tag="$tag" files_path="$SANDBOX/payload-$s" > "$SANDBOX/deploy.json" ||
    { cat "$SANDBOX/deploy.json" >&2; fail "murderctl deploy failed"; }
  SECS=$(since "$t0")
  phases=$(jq -r '.results | group_by(.task) | map({t: .[0].task, s: (map(.seconds) | max)}) | .[] | "\(.t) \(.s)"' \
             "$SANDBOX/deploy.json")
  local order="start_tracker create_torrent start_seeding peer stop_peering stop_seeding stop_tracker" p line=""
  for p in $order; do line+="$p $(awk -v p="$p" '$1 == p { printf "%.2f", $2 }' <<< "$phases") s, "; done
  printf 'N=%s S=%sMiB deploy %s s: %s\n' "$n" "$s" "$SECS" "${line%, }" >> "$BENCH_OUT/$GRID-deploy-phases.txt"
  check_copies "$n" "/srv/app/$tag/data.bin" "$SANDBOX/payload-$s/data.bin"
  on_hosts "$n" rm -rf "/srv/app/$tag" "/tmp/$tag.tgz" "/tmp/$tag.tree.torrent"
  on_host 0 rm -rf "/tmp/$tag.tgz" "/tmp/$tag.tgz.torrent" "/tmp/$tag.tree" "/tmp/$tag.tree.torrent"
}

# --- the grid ----------------------------------------------------------------

ctl "$MAXN" distribute_files > "$SANDBOX/distribute.json" ||
  { cat "$SANDBOX/distribute.json"; fail "distribute_files failed"; }
printf '#!/bin/sh\ndate +%%s.%%N > "$MARK"\n' > "$SANDBOX/aria-mark"
chmod 755 "$SANDBOX/aria-mark"
: > "$BENCH_OUT/$GRID-deploy-phases.txt"

# Payloads: S MiB of random data each, made into a torrent by murder on h0. The
# other methods carry what murder carries: the payload's file in tree mode,
# murder's .tgz in tgz mode. CARRY[S] names it, in the sandbox.
declare -A LIMIT OT_HASH CARRY
ctl "$MAXN" start_tracker > /dev/null || fail "start_tracker failed"
mkdir -m 755 "$SANDBOX/ot"
for s in "${SIZES[@]}"; do
  mkdir "$SANDBOX/payload-$s"
  head -c $((s * 1048576)) /dev/urandom > "$SANDBOX/payload-$s/data.bin"
  ctl "$MAXN" create_torrent tag="b$s" files_path="$SANDBOX/payload-$s" > "$SANDBOX/seed.json" ||
    { cat "$SANDBOX/seed.json"; fail "create_torrent failed"; }
  if [ "$MODE" = tgz ]; then
    CARRY[$s]=$s.tgz; cp "/proc/${FLEET_KEEPER[0]}/root/tmp/b$s.tgz" "$SANDBOX/${CARRY[$s]}"
  else
    CARRY[$s]=$s.bin; cp "$SANDBOX/payload-$s/data.bin" "$SANDBOX/${CARRY[$s]}"
  fi
  LIMIT[$s]=$(calc "$(stat -c %s "$SANDBOX/${CARRY[$s]}") * 8 / ($RATE * 1000000)")
  mktorrent -l 18 -a "http://$H0:$OT_PORT/announce" -o "$SANDBOX/aria-$s.torrent" "$SANDBOX/${CARRY[$s]}" > /dev/null
  OT_HASH[$s]=$(transmission-show "$SANDBOX/aria-$s.torrent" | sed -n 's/^ *Hash: *//p')
  echo "${OT_HASH[$s]}" >> "$SANDBOX/ot/whitelist"
done
start_on_host 0 opentracker -i "$H0" -p "$OT_PORT" -P "$OT_PORT" -w whitelist -d "$SANDBOX/ot" -u nobody \
  > "$SANDBOX/opentracker.log" 2>&1
wait_until 10 on_host 0 sh -c "ss -Hltn 'sport = :$OT_PORT' | grep -q ." || fail "opentracker did not listen"

for s in "${SIZES[@]}"; do
  echo "S=${s} MiB: limit S/B = ${LIMIT[$s]} s"
  for n in "${NS[@]}"; do
    TIMES=("${LIMIT[$s]}"); BUSY=(0); COPIES=(); DELIVERS=(); record "$n" "$s" limit
    swarm_point "$n" "$s"
    [[ $METHODS != *" scp "* ]] || { measure 1 scp_run "$n" "$s"; record "$n" "$s" scp; }
  done
  [[ $METHODS != *" peer "* ]] || cp "/proc/${FLEET_KEEPER[0]}/root/srv/murder/log/seed-b$s.log" "$BENCH_OUT/$GRID-seed-b$s.log"
done
ctl "$MAXN" stop_tracker > /dev/null || fail "stop_tracker failed"
[[ $METHODS == *" deploy "* ]] && for s in "${SIZES[@]}"; do
  for n in "${NS[@]}"; do measure 1 murder_deploy "$n" "$s"; record "$n" "$s" "murder deploy"; done
done

echo
echo "Fleet${LABEL:+ ($LABEL)}, ${RATE} Mbit/s links: time until the last host holds the payload (median seconds; x limit = / S/B)"
table "$rows"
echo
echo "murderctl deploy phases (slowest host per task):"
cat "$BENCH_OUT/$GRID-deploy-phases.txt"
echo

# --- targets -----------------------------------------------------------------
# Issue 12's: the seeder sends one copy, the last host is done close to S/B
# (judged where the machine was below 60 % CPU busy: above that the two cores
# are measured, not the method), murder beats the aria2 swarm everywhere, the
# time is flat in N, and delivery adds no second transfer.

result() { local v="${1}_${2}_${3}_${4}"; echo "${!v:-}"; }
note() { printf '%-20s %s\n' "$1" "$2" | tee -a "$BENCH_OUT/targets.txt"; }
for s in "${SIZES[@]}"; do
  for n in "${NS[@]}"; do
    at="N=$n S=${s}MiB${LABEL:+ $LABEL}"
    m=$(result RESULT murder_peer "$n" "$s"); [ -n "$m" ] || continue
    c=$(result COPIES murder_peer "$n" "$s")
    [ -z "$c" ] || [ "$n" -lt 10 ] || target "seeder copies, $at" "$c" "<=" 1.15 ""
    busy=$(result BUSY murder_peer "$n" "$s")
    if [ "$busy" -lt 60 ]; then
      target "murder peer, $at" "$m" "<=" "$(calc "1.3 * ${LIMIT[$s]} + 1.5")" " s"
    else
      note "not judged" "murder peer, $at: $m s (target <= $(calc "1.3 * ${LIMIT[$s]} + 1.5") s): CPU busy $busy % (>= 60)"
    fi
    a=$(result RESULT aria2 "$n" "$s")
    [ -z "$a" ] || target "aria2 swarm / murder, $at" "$(calc "$a / $m")" ">=" 1 "x"
    m3=$(result RESULT murder_peer_c3 "$n" "$s")
    [ -z "$m3" ] || [ -z "$m" ] || target "murder peer at concurrency 3 / at 100, $at" "$(calc "$m3 / $m")" "<=" 1.1 "x"
    d=$(result DELIVER murder_peer "$n" "$s")
    [ -z "$d" ] || [ "$s" -lt 128 ] || target "delivery after the last byte, $at" "$d" "<=" 0.5 " s"
  done
  m20=$(result RESULT murder_peer 20 "$s"); m80=$(result RESULT murder_peer 80 "$s")
  [ -z "$m20" ] || [ -z "$m80" ] || target "murder N=80 / N=20, S=${s}MiB${LABEL:+ $LABEL}" "$(calc "$m80 / $m20")" "<=" 1.1 "x"
  # The ceiling: when raw streams, which carry the same bytes over the same
  # links with nothing on top, take longer at N=80 than at N=20 on this
  # machine, murder is judged against their slowdown (the issue's "within the
  # target's ratio of that ceiling").
  r20=$(result RESULT ring 20 "$s"); r80=$(result RESULT ring 80 "$s")
  if [ -n "$m20" ] && [ -n "$m80" ] && [ -n "$r20" ] && [ -n "$r80" ]; then
    ceiling=$(awk -v a="$r80" -v b="$r20" 'BEGIN { r = a / b; if (r < 1) r = 1; printf "%.2f", r }')
    target "murder N=80 / N=20 against the raw streams' N=80 / N=20 (${ceiling}x), S=${s}MiB${LABEL:+ $LABEL}" \
      "$(calc "($m80 / $m20) / $ceiling")" "<=" 1.1 "x"
  fi
  scp=$(result RESULT scp 20 "$s")
  [ -z "$scp" ] || [ -z "$m20" ] || target "parallel-scp / murder, N=20 S=${s}MiB" "$(calc "$scp / $m20")" ">=" 10 "x"
done

# --- plots -------------------------------------------------------------------

n=$MAXN; s=${SIZES[-1]}
lines=""
for method in murder aria2 ring scp; do
  [ -s "$BENCH_OUT/$GRID-hosts-$method-n$n-s$s.txt" ] || continue  # a method left out with BENCH_METHODS
  sort -g "$BENCH_OUT/$GRID-hosts-$method-n$n-s$s.txt" | awk '{ print NR, $1 }' > "$SANDBOX/plot-$method.dat"
  lines+="\"$SANDBOX/plot-$method.dat\" with linespoints title \"$method\", "
done
gnuplot <<PLOT
set terminal png size 900,560
set output "$BENCH_OUT/$GRID-hosts.png"
set title "Per-host completion, N=$n hosts, ${s} MiB, ${RATE} Mbit/s links"
set xlabel "hosts done"; set ylabel "seconds (log)"; set logscale y; set key left top
plot ${lines}${LIMIT[$s]} with lines dashtype 2 title "S/B"
PLOT
for s in "${SIZES[@]}"; do
  for method in "murder peer" "murder deploy" aria2 ring scp limit; do
    awk -F'\t' -v s="$s" -v m="$method" '$2 == s && $3 == m { print $1, $4 }' "$rows" > "$SANDBOX/vsn-$s-${method// /_}.dat"
    [ -s "$SANDBOX/vsn-$s-${method// /_}.dat" ] || echo "0 1" > "$SANDBOX/vsn-$s-${method// /_}.dat"
  done
done
gnuplot <<PLOT
set terminal png size 900,560
set output "$BENCH_OUT/$GRID-vs-n.png"
set title "Time until the last host holds the payload, ${RATE} Mbit/s links"
set xlabel "hosts receiving (N)"; set ylabel "seconds (log)"; set logscale y; set key left top
plot $(for s in "${SIZES[@]}"; do for method in murder_peer murder_deploy aria2 ring scp limit; do
         printf '"%s" with linespoints title "%s %s MiB", ' "$SANDBOX/vsn-$s-$method.dat" "${method//_/ }" "$s"
       done; done | sed 's/, $//')
PLOT
echo "plots: $BENCH_OUT/$GRID-hosts.png $BENCH_OUT/$GRID-vs-n.png"
