#!/usr/bin/env bash
# The tracker over real HTTP: keep-alive and connection-per-request clients are
# both answered; SIGTERM stops it cleanly and writes its state file; a restarted
# tracker serves the same swarm from that file without waiting for re-announces;
# a corrupt state file does not stop a start; --max_swarms refuses new torrents.
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
