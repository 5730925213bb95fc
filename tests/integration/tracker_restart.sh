#!/usr/bin/env bash
# The tracker over real HTTP: keep-alive and connection-per-request clients are
# both answered; SIGTERM stops it cleanly and writes its state file; a restarted
# tracker serves the same swarm from that file without waiting for re-announces;
# a corrupt state file does not stop a start; --max_swarms refuses new torrents;
# an old BitTornado command line starts, warns for what it ignores, applies the rest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sandbox_init
cd "$SANDBOX"

hash=$(printf 'A%.0s' $(seq 20) | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')
announce() { # PEER_NUMBER PORT
  local id; id=$(printf '%-20s' "-XX0000-$1" | tr ' ' 0)
  echo "http://127.0.0.1:$TRACKER_PORT/announce?info_hash=$hash&peer_id=$id&port=$2&left=100&compact=1"
}

start_tracker --dfile "$SANDBOX/state" --save_dfile_interval 3600
# One curl, three requests: curl reuses the connection if the server keeps it open.
curl -sv "$(announce 1 7001)" "$(announce 2 7002)" "$(announce 3 7003)" >keepalive.out 2>keepalive.err
grep -q "Re-using existing connection" keepalive.err || fail "keep-alive connection was not reused"
[ "$(grep -c 'incomplete' keepalive.out)" -ge 1 ] || fail "no announce reply over keep-alive"
# Connection per request (HTTP/1.0 without keep-alive).
curl -s0 "$(announce 4 7004)" | grep -q "10:incompletei4e" || fail "HTTP/1.0 announce did not see 4 peers"
pass "keep-alive and connection-per-request announces answered"

pid=$(cat tracker.pid)
kill -TERM "$pid"
wait_until 10 bash -c "! kill -0 $pid 2>/dev/null" || fail "tracker did not stop on SIGTERM"
[ ! -e tracker.pid ] || fail "tracker left its pidfile behind"
[ -s state ] || fail "tracker wrote no state file on SIGTERM"
grep -q "stopped after 4 announces" tracker.log || fail "tracker log has no clean stop: $(tail -2 tracker.log)"
pass "SIGTERM stops the tracker cleanly and writes the state"

start_tracker --dfile "$SANDBOX/state"
curl -s "http://127.0.0.1:$TRACKER_PORT/scrape" | grep -q "10:incompletei4e" || fail "restarted tracker lost the swarm"
curl -s "$(announce 5 7005)" | grep -qa "10:incompletei5e" || fail "restarted tracker does not count the new peer"
pass "restarted tracker serves the 4 saved peers at once"

# A state file that cannot be read never stops a start: the tracker starts
# empty, says why in its log, and keeps the file aside as state.bad.
pid=$(cat tracker.pid)
kill -TERM "$pid"
wait_until 10 bash -c "! kill -0 $pid 2>/dev/null" || fail "restarted tracker did not stop on SIGTERM"
printf 'd7:versioni1e6:swarmsd20:AAAA' > state
start_tracker --dfile "$SANDBOX/state" --max_swarms 1
curl -s "$(announce 6 7006)" | grep -qa "10:incompletei1e" || fail "tracker with a corrupt state file does not answer"
grep -q "starting with no swarms" tracker.log || fail "no warning about the corrupt state file: $(tail -3 tracker.log)"
[ -e state.bad ] || fail "the corrupt state file was not kept as state.bad"
pass "corrupt state file: the tracker starts empty, warns and keeps it as state.bad"

# --max_swarms 1: the swarm above is the only one.
other=$(printf 'B%.0s' $(seq 20) | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')
curl -s "http://127.0.0.1:$TRACKER_PORT/announce?info_hash=$other&peer_id=-XX0000-700000000000&port=7007&left=1" |
  grep -q "too many torrents" || fail "--max_swarms 1 let a second torrent in"
pass "--max_swarms 1 refuses a second torrent"

# An old murder_tracker.py command line: BitTornado's options start the tracker
# without a parse error, those it cannot honour get one warning each, and the
# rest apply: a list of --bind addresses, --banned_ips, --scrape_allowed.
pid=$(cat tracker.pid)
kill -TERM "$pid"
wait_until 10 bash -c "! kill -0 $pid 2>/dev/null" || fail "tracker did not stop on SIGTERM"
echo "a broken host:127.0.0.9-127.0.0.9" > banned
out=$("$BIN/murder_tracker" --port 0 --bind 127.0.0.1,127.0.0.2 --dfile "$SANDBOX/old.state" --daemon \
      --pidfile "$SANDBOX/tracker.pid" --logfile "$SANDBOX/old.log" --timeout_downloaders_interval 60 \
      --socket_timeout 15 --save_dfile_interval 300 --nat_check 0 --keep_dead 0 --multitracker_enabled 0 \
      --parse_dir_interval 10 --http_timeout 60 --allow_get 1 --banned_ips banned --scrape_allowed specific) ||
  fail "an old command line did not start the tracker: $out"
port=${out##*:}
for address in 127.0.0.1 127.0.0.2; do
  curl -s "http://$address:$port/announce?info_hash=$hash&peer_id=-XX0000-800000000000&port=7008&left=1" |
    grep -q "8:intervali" || fail "the tracker does not answer on $address, one of its --bind addresses"
done
curl -s --interface 127.0.0.9 "http://127.0.0.1:$port/announce?info_hash=$hash&peer_id=-XX0000-900000000000&port=7009&left=1" |
  grep -q "not allowed" || fail "--banned_ips let 127.0.0.9 announce"
curl -s "http://127.0.0.1:$port/scrape" | grep -q "only the torrents named" || fail "--scrape_allowed specific answered a full scrape"
ignored=$(grep -c "is ignored:" old.log || true)
[ "$ignored" -eq 3 ] || { cat old.log; fail "expected 3 warnings (parse_dir_interval, http_timeout, allow_get), found $ignored"; }
pass "an old BitTornado command line starts; 3 ignored options warned, --bind list, --banned_ips, --scrape_allowed applied"

# Six starts at once into one murder directory, each --unless-running: all exit
# 0, and exactly one tracker runs (the pidfile is looked at and written under a
# lock; the losers say it already runs).
home="$SANDBOX/race-home"
PIDFILES+=("$home/run/tracker.pid")
racers=()
for i in 1 2 3 4 5 6; do
  "$BIN/murder_tracker" --home "$home" --bind 127.0.0.1 --port 0 --daemon --unless-running > "$SANDBOX/race$i.out" 2>&1 &
  racers+=("$!")
done
for i in "${!racers[@]}"; do
  wait "${racers[$i]}" || { cat "$SANDBOX/race$((i + 1)).out"; fail "a racing start --unless-running failed"; }
done
listening=$(grep -l "listening on" "$SANDBOX"/race*.out | wc -l)
running=$(grep -l "already running" "$SANDBOX"/race*.out | wc -l)
[ "$listening" = 1 ] && [ "$running" = 5 ] || { cat "$SANDBOX"/race*.out; fail "$listening trackers started, $running said already running"; }
pass "six racing starts --unless-running: one tracker, five 'already running', all exit 0"
