#!/usr/bin/env bash
# A loopback swarm: our tracker, one seed, ten peers on distinct 127.0.0.x
# addresses. Every peer must exit 0 with a byte-identical tree. The seed is
# started with the original's mode word, `seeder`; once stopped, its status
# file and `murder_client stop --json` give the bytes it uploaded.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sandbox_init
cd "$SANDBOX"

make_tree release 24
mkdir allowed pending
start_tracker --allowed_dir "$SANDBOX/allowed"
"$BIN/murder_make_torrent" release "127.0.0.1:$TRACKER_PORT" pending/rel.tgz.torrent --archive rel.tgz >/dev/null
# The seed first asks before its torrent is allowed, as when it races the
# upload into the tracker's directory. Refused, it asks again within seconds,
# not after libtorrent's 35 s back-off (which overran the 30 s it waits).
"$BIN/murder_client" seeder pending/rel.tgz.torrent rel.tgz 127.0.0.2 --daemon \
  --pidfile "$SANDBOX/seed.pid" --logfile "$SANDBOX/seed.log" >/dev/null &
launch=$!
PIDFILES+=("$SANDBOX/seed.pid")
wait_until 20 grep -q "not served by this tracker" seed.log || fail "the seed was not refused before its torrent was allowed"
cp pending/rel.tgz.torrent allowed/.rel.part && mv allowed/.rel.part allowed/rel.tgz.torrent
allowed_at=$(date +%s%N)
wait "$launch" || fail "the seed did not come up once its torrent was allowed: $(tail -3 seed.log)"
took_ms=$(( ($(date +%s%N) - allowed_at) / 1000000 ))
[ "$took_ms" -lt 10000 ] || fail "the seed came up $took_ms ms after its torrent was allowed"
pass "a seed refused before its torrent was allowed came up $took_ms ms after it was"

# Peer 19 speaks JSON event lines on stdout (docs/STATUS.md), as murderctl asks.
peers=()
for i in $(seq 10 19); do
  PIDFILES+=("$SANDBOX/peer$i.pid")
  json=(); [ "$i" != 19 ] || json=(--json --status-interval 1)
  timeout 120 "$BIN/murder_client" peer allowed/rel.tgz.torrent "peer$i.tgz" "127.0.0.$i" \
    --extract "out$i" --seed-after 5 --pidfile "$SANDBOX/peer$i.pid" "${json[@]}" >"peer$i.log" 2>"peer$i.err" &
  peers+=($!)
done
for idx in "${!peers[@]}"; do
  i=$((idx + 10))
  wait "${peers[$idx]}" || { cat "peer$i.log" "peer$i.err" >&2; fail "peer 127.0.0.$i exited non-zero"; }
done
for i in $(seq 10 19); do
  cmp -s rel.tgz "peer$i.tgz" || fail "peer $i payload differs"
  diff -r --no-dereference -x .git release "out$i" >/dev/null || fail "peer $i tree differs"
  [ -L "out$i/app/current.conf" ] || fail "peer $i lost the symlink"
  [ ! -e "out$i/.git" ] || fail "peer $i received .git"
done
pass "10 peers hold byte-identical trees"

# Every stdout line of the JSON peer is an event; the last says done, with the
# payload's exact size; progress lines count up to it.
size=$(stat -c %s rel.tgz)
jq -e -s 'all(.[]; has("event"))' peer19.log >/dev/null || fail "peer 19 printed a line that is not an event: $(head -3 peer19.log)"
jq -e -s --argjson size "$size" 'last | .event == "done" and .bytes == $size and .bytes_from_peers > 0
  and .download_seconds > 0 and .deliver_seconds >= 0' peer19.log >/dev/null || fail "peer 19's last event: $(tail -1 peer19.log)"
jq -e -s --argjson size "$size" '[.[] | select(.event == "progress")] | length > 0 and all(.[]; .bytes_total == $size)' \
  peer19.log >/dev/null || fail "peer 19 printed no progress events for $size bytes"
pass "peer 19 (--json): $(jq -s '[.[] | select(.event == "progress")] | length' peer19.log) progress events, then done with $size bytes"

# Every peer told the tracker it completed (scrape "downloaded" reaches 10).
scrape_says_ten() { curl -sf "http://127.0.0.1:$TRACKER_PORT/scrape" | grep -q "10:downloadedi10e"; }
wait_until 20 scrape_says_ten || fail "tracker scrape: $(curl -s "http://127.0.0.1:$TRACKER_PORT/scrape" | head -c 200)"
pass "tracker counted 10 completed downloads"

# A front end follows a download with one command: `status --wait S
# --progress` prints the peer's figures every second while it downloads (a
# peer capped at 100 kB/s here), then once more when the wait is over.
PIDFILES+=("$SANDBOX/slow.pid")
"$BIN/murder_client" peer allowed/rel.tgz.torrent slow.tgz 127.0.0.30 --extract out-slow --max_download_rate 100 \
  --pidfile "$SANDBOX/slow.pid" --detach --logfile "$SANDBOX/slow.log" >/dev/null || fail "the capped peer did not start"
"$BIN/murder_client" status --json --wait 3.5 --progress "$SANDBOX/slow.pid" > followed.json
jq -e -s 'length >= 3 and all(.[]; .event == "status" and .running and .figures.state == "downloading")' followed.json \
  >/dev/null || fail "status --progress printed: $(cat followed.json)"
jq -e -s '[.[].figures.bytes_done] | . == sort' followed.json >/dev/null || fail "status --progress went backwards: $(cat followed.json)"
"$BIN/murder_client" status --json --wait 1 "$SANDBOX/slow.pid" > once.json
[ "$(wc -l < once.json)" = 1 ] || fail "status --wait without --progress printed $(wc -l < once.json) lines"
"$BIN/murder_client" stop "$SANDBOX/slow.pid" >/dev/null
pass "status --wait 3.5 --progress followed a download with $(wc -l < followed.json) lines, --wait alone with one"

# The seed's figures: a stop line in JSON with the status file's numbers.
stopped=$("$BIN/murder_client" stop --json "$SANDBOX/seed.pid")
echo "$stopped" | jq -e '.outcome == "stopped" and .figures.role == "seed" and .figures.state == "stopped"' >/dev/null ||
  fail "stop --json did not report a stopped seed: $stopped"
size=$(stat -c %s rel.tgz)
uploaded=$(echo "$stopped" | jq -r '.figures.bytes_uploaded')
[ "$(echo "$stopped" | jq -r '.figures.bytes_total')" = "$size" ] || fail "the seed's bytes_total is not the payload's size: $stopped"
[ "$uploaded" -ge "$size" ] || fail "the seed uploaded $uploaded bytes, less than one copy of $size, to peers that had nothing"
jq -e '.state == "stopped"' "$SANDBOX/seed.status.json" >/dev/null || fail "no stopped status file beside the seed's pidfile"
pass "the seed (started as 'seeder') stopped and reported $uploaded bytes uploaded ($(echo "$stopped" | jq -r '.figures.copies_uploaded') copies)"
