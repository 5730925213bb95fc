# Faults on a real fleet (10 namespace hosts with sshd, 100 Mbit/s links): h0 is
# tracker and seeder, h1..h8 peers, h9 outside the roles. Each case checks that
# what can finish finishes with byte-identical trees, and that what cannot fails
# loudly, names the host and leaves no partial release directory.
#   1. a quarter of the peers killed mid-transfer; --retry completes them and
#      they resume from the pieces they had
#   2. the seeder killed once a peer holds every piece: the deploy completes
#   3. the seeder killed early: peers fail at the stall timeout, naming what is missing
#   4. the tracker killed and restarted mid-transfer
#   5. a second "seeder" serving a tampered copy: hash failures, ban, right bytes
#   6. a full disk on one host
#   7. a hung host (sshd answers, commands never return)
#   8. two trackers (h0, and h9 as backup): h0's killed before the peers start
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
fleet_up 10 100mbit
H=("${FLEET_HOSTS[@]}")
cat > "$SANDBOX/murder.toml" <<TOML
remote_murder_path = "/srv/murder"
default_destination_path = "/srv/app"
transfer_mode = "tgz"  # the original's mode; tree mode's faults are in incremental.sh
[roles]
tracker = "${H[0]}"
seeder = "${H[0]}"
peer = ["${H[1]}", "${H[2]}", "${H[3]}", "${H[4]}", "${H[5]}", "${H[6]}", "${H[7]}", "${H[8]}"]
[ssh]
config = "$SANDBOX/ssh_config"
connect_timeout = 5
TOML
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml" --log-dir "$SANDBOX/logs")
PEERS=(1 2 3 4 5 6 7 8)
at_exit 'rm -f /tmp/f[1-9]-$$.tgz.torrent /tmp/f[1-9]-$$.tree.torrent'

make_tree "$SANDBOX/release" 48
want=$(tree_digest "$SANDBOX/release")
on_h() { echo "/proc/${FLEET_KEEPER[$1]}/root$2"; }  # on_h I PATH: host I's PATH seen from here
delivered() { tree_digest "$(on_h "$1" "/srv/app/$2")"; }
pid_on() { cat "$(on_h "$1" "/srv/murder/run/$2.pid")"; }
row() { jq -r --arg h "${H[$2]}" --arg t "$3" '.results[] | select(.host == $h and .task == $t) |
          "\(.result) \(.error) \(.detail)"' "$1"; }

any_reached() { local i; for i in "${PEERS[@]}"; do reached "$i" "$1" "$2" && return 0; done; return 1; }
all_reached() { local tag=$1 p=$2 i; shift 2; for i in "$@"; do reached "$i" "$tag" "$p" || return 1; done; }

# release TAG: packs and seeds the release under TAG.
release() {
  "${CTL[@]}" create_torrent start_seeding tag="$1" files_path="$SANDBOX/release" > "$SANDBOX/seed.out" || {
    cat "$SANDBOX/seed.out"
    echo "--- h0's tracker log and torrents:"; tail -20 "$(on_h 0 /srv/murder/log/tracker.log)"
    ls -la --time-style=full-iso "$(on_h 0 /srv/murder/torrents)"
    fail "could not seed $1"
  }
}
# peer_in_background TAG [ARGS]: murderctl peer, its JSON in $SANDBOX/TAG.json; sets CTL_PID.
# CTL_OPTIONS: murderctl options before the task.
peer_in_background() {
  local tag=$1; shift
  "${CTL[@]}" ${CTL_OPTIONS:-} --format json peer tag="$tag" "$@" > "$SANDBOX/$tag.json" 2> "$SANDBOX/$tag.err" &
  CTL_PID=$!
}
finish() {  # finish TAG: stops the tag's peers and seeder, removes the releases
  "${CTL[@]}" stop_peering stop_seeding tag="$1" > /dev/null || fail "could not stop $1"
  for i in "${PEERS[@]}"; do on_host "$i" rm -rf "/srv/app/$1" "/tmp/$1.tgz"; done
}
all_delivered() {  # all_delivered TAG HOST_INDEXES...
  local tag=$1 i; shift
  for i in "$@"; do [ "$(delivered "$i" "$tag")" = "$want" ] || fail "$tag: h$i does not hold the release"; done
}
no_partial() {  # no_partial I TAG: no release and no staging directory for TAG on host I
  [ ! -e "$(on_h "$1" "/srv/app/$2")" ] || fail "h$1 has a partial /srv/app/$2"
  ! ls -a "$(on_h "$1" /srv/app)" 2>/dev/null | grep -q "^\.$2\.murder-partial" || fail "h$1 kept a staging directory"
}

# FAULTS="1 5" runs only those cases (all by default).
case_on() { [[ " ${FAULTS:-1 2 3 4 5 6 7 8} " == *" $1 "* ]]; }

"${CTL[@]}" distribute_files start_tracker > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "setup failed"; }

# 1. A quarter of the peers killed mid-transfer.
if case_on 1; then
  tag=f1-$$
  release "$tag"
  # Three sessions for eight peers: the six results come through the tracker;
  # the killed two never report, and are then asked over SSH.
  CTL_OPTIONS="--concurrency 3" peer_in_background "$tag"
  wait_until 60 all_reached "$tag" 5 1 2 || { cat "$SANDBOX/$tag.json" "$SANDBOX/$tag.err"; fail "h1 and h2 made no progress"; }
  for i in 1 2; do kill -9 "$(pid_on "$i" "peer-$tag")"; done
  status=0; wait "$CTL_PID" || status=$?
  [ "$status" -ne 0 ] || fail "murderctl peer exited 0 with two peers killed"
  [ "$(jq -r '.failed_hosts | sort | join(" ")' "$SANDBOX/$tag.json")" = "${H[1]} ${H[2]}" ] ||
    { cat "$SANDBOX/$tag.json"; fail "the table does not name exactly the two killed hosts"; }
  all_delivered "$tag" 3 4 5 6 7 8
  for i in 1 2; do
    grep -q "== peer failed: .*ended without finishing" "$SANDBOX/logs/${H[$i]}.log" ||
      fail "h$i's end was not learnt from the host itself"
  done
  pass "two of eight peers killed at $(percent 1 "$tag")% / $(percent 2 "$tag")%: exit $status, the table names ${H[1]} and ${H[2]}, the other six complete"
  printf '%s\n' "${H[1]}" "${H[2]}" > "$SANDBOX/victims"
  "${CTL[@]}" --hosts "$SANDBOX/victims" --retry 2 --format json peer tag="$tag" > "$SANDBOX/retry.json" ||
    { cat "$SANDBOX/retry.json"; fail "the retry did not complete the killed peers"; }
  all_delivered "$tag" 1 2
  for i in 1 2; do
    detail=$(row "$SANDBOX/retry.json" "$i" peer)
    total=$(echo "$detail" | sed -n 's/^ok  *\([0-9]*\) bytes, \([0-9]*\) fetched.*/\1/p')
    fetched=$(echo "$detail" | sed -n 's/^ok  *\([0-9]*\) bytes, \([0-9]*\) fetched.*/\2/p')
    [ -n "$fetched" ] && [ "$fetched" -lt "$total" ] || fail "h$i did not resume: $detail"
    echo "   h$i resumed: fetched $fetched of $total bytes"
  done
  pass "the retry completed both, each fetching only what it lacked"
  finish "$tag"
fi

# 2. The seeder killed once a peer holds every piece.
if case_on 2; then
  tag=f2-$$
  release "$tag"
  peer_in_background "$tag"
  wait_until 60 grep -qs "/peer-$tag.pid\".*\"state\":\"done\"" "$SANDBOX"/logs/*.log || fail "no peer completed"
  kill -9 "$(pid_on 0 "seed-$tag")"
  wait "$CTL_PID" || { cat "$SANDBOX/$tag.json"; fail "the deploy failed after the seeder was killed"; }
  all_delivered "$tag" "${PEERS[@]}"
  pass "seeder killed after a peer completed: all eight complete from each other"
  finish "$tag"
fi

# 3. The seeder killed before the swarm holds every piece.
if case_on 3; then
  tag=f3-$$
  release "$tag"
  peer_in_background "$tag" stall_timeout=8
  wait_until 60 any_reached "$tag" 0.1 || fail "no peer made progress"
  kill -9 "$(pid_on 0 "seed-$tag")"
  killed=$(date +%s)
  status=0; wait "$CTL_PID" || status=$?
  took=$(( $(date +%s) - killed ))
  [ "$status" -ne 0 ] || fail "the deploy succeeded without a seeder"
  [ "$took" -le 30 ] || fail "peers took $took s to give up (stall timeout 8 s)"
  for i in "${PEERS[@]}"; do
    row "$SANDBOX/$tag.json" "$i" peer | grep -q "^failed .*no progress for 8 s.*have [0-9]* of [0-9]* pieces (.* missing)" ||
      { row "$SANDBOX/$tag.json" "$i" peer; fail "h$i does not say what is missing"; }
    no_partial "$i" "$tag"
  done
  pass "seeder killed early: every peer failed $took s later with e.g. '$(row "$SANDBOX/$tag.json" 1 peer | cut -d' ' -f2- | cut -c1-120)'"
  finish "$tag"
fi

# 4. The tracker killed and restarted (with its state file) mid-transfer.
if case_on 4; then
  tag=f4-$$
  release "$tag"
  peer_in_background "$tag"
  wait_until 60 any_reached "$tag" 5 || fail "no peer made progress"
  at=$(percent 1 "$tag")
  kill -9 "$(pid_on 0 tracker)"
  "${CTL[@]}" start_tracker > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "the tracker did not restart"; }
  wait "$CTL_PID" || { cat "$SANDBOX/$tag.json"; fail "the deploy failed across a tracker restart"; }
  all_delivered "$tag" "${PEERS[@]}"
  pass "tracker killed (h1 at $at%) and restarted: all eight complete"
  finish "$tag"
fi

# 5. A peer serving a tampered copy. murder_client --trust would not do: it
# hashes each piece the first time it is asked for one and refuses to send a bad
# one. aria2c seeding without a check does send them.
if case_on 5; then
  tag=f5-$$
  release "$tag"
  mkdir -m 755 "$SANDBOX/bad"
  cp "$(on_h 0 "/tmp/$tag.tgz")" "$SANDBOX/bad/$tag.tgz"
  cp "$(on_h 0 "/tmp/$tag.tgz.torrent")" "$SANDBOX/bad.torrent"
  size=$(stat -c %s "$SANDBOX/bad/$tag.tgz")
  for part in 1 2 3 4 5 6 7 8 9; do
    printf 'tampered' | dd of="$SANDBOX/bad/$tag.tgz" bs=1 seek=$((size * part / 10)) conv=notrunc status=none
  done
  start_on_host 9 aria2c --quiet --dir="$SANDBOX/bad" --bt-seed-unverified=true --seed-ratio=0.0 --enable-dht=false \
    --enable-dht6=false --bt-enable-lpd=false --listen-port=6881 "$SANDBOX/bad.torrent" > "$SANDBOX/bad.log" 2>&1
  bad_seeder=$STARTED_PID
  hash=$(transmission-show "$SANDBOX/bad.torrent" | sed -n 's/^ *Hash: *//p')
  # Announced once the tracker's /metrics counts two seeds for the torrent.
  wait_until 30 sh -c "curl -sf 'http://${H[0]}:8998/metrics' | grep -q '^murder_tracker_torrent_seeds{info_hash=\"$hash\",[^}]*} 2$'" ||
    fail "the tampered seeder did not announce"
  "${CTL[@]}" --format json peer tag="$tag" > "$SANDBOX/$tag.json" || { cat "$SANDBOX/$tag.json"; fail "the deploy failed"; }
  all_delivered "$tag" "${PEERS[@]}"
  failures=0
  for i in "${PEERS[@]}"; do
    failures=$((failures + $(grep -ci "hash for piece\|ban" "$(on_h "$i" "/srv/murder/log/peer-$tag.log")" || true)))
  done
  [ "$failures" -gt 0 ] || fail "no peer noticed the tampered pieces"
  pass "tampered seeder: $failures hash failures and bans logged, every host holds the right bytes"
  kill "$bad_seeder"
  wait "$bad_seeder" 2>/dev/null || true
  finish "$tag"
fi

# 6. A full disk on one host: h3's /srv/app is an 8 MB filesystem.
if case_on 6; then
  tag=f6-$$
  release "$tag"
  on_host 3 sh -c 'mkdir -p /srv/app && mount -t tmpfs -o size=8m tmpfs /srv/app'
  status=0
  # Three sessions for eight peers: each result, h3's failure too, comes
  # through the tracker.
  "${CTL[@]}" --concurrency 3 --format json peer tag="$tag" > "$SANDBOX/$tag.json" || status=$?
  [ "$status" -ne 0 ] || { on_host 3 df -h /srv/app; row "$SANDBOX/$tag.json" 3 peer; fail "the deploy succeeded onto a full disk"; }
  row "$SANDBOX/$tag.json" 3 peer | grep -q "^failed .*No space left on device" ||
    { row "$SANDBOX/$tag.json" 3 peer; fail "h3 does not say its disk is full"; }
  grep -q "== peer failed (reported through the tracker): .*No space left on device" "$SANDBOX/logs/${H[3]}.log" ||
    fail "h3's failure did not come through the tracker"
  no_partial 3 "$tag"
  all_delivered "$tag" 1 2 4 5 6 7 8
  pass "full disk: h3 failed with '$(row "$SANDBOX/$tag.json" 3 peer | cut -d' ' -f2- | cut -c1-100)', no partial directory, the others complete"
  on_host 3 umount /srv/app
  finish "$tag"
fi

# 7. A hung host: h4's sshd runs every command as "sleep".
if case_on 7; then
  stop_sshd 4
  echo "ForceCommand sleep 3600" >> "$SANDBOX/sshd/h4.conf"
  start_sshd 4
  started=$(date +%s)
  status=0
  "${CTL[@]}" --timeout 5 --format json status > "$SANDBOX/hung.json" || status=$?
  took=$(( $(date +%s) - started ))
  [ "$status" -ne 0 ] || fail "status succeeded on a hung host"
  [ "$took" -le 30 ] || fail "the run took $took s with a 5 s timeout"
  row "$SANDBOX/hung.json" 4 status | grep -q "^failed .*did not finish within 5 s" ||
    { row "$SANDBOX/hung.json" 4 status; fail "h4's row does not say it timed out"; }
  pass "hung host: h4 '$(row "$SANDBOX/hung.json" 4 status | cut -c1-100)', the run ended after $took s"
  stop_sshd 4
  sed -i '/^ForceCommand/d' "$SANDBOX/sshd/h4.conf"
  start_sshd 4
fi

# 8. Two trackers, h0's and a backup on h9 (announce-list): h0's is killed
# before the peers start, so they learn of each other only from the backup.
if case_on 8; then
  tag=f8-$$
  sed 's/^tracker = .*/tracker = ["'"${H[0]}"'", "'"${H[9]}"'"]/' "$SANDBOX/murder.toml" > "$SANDBOX/two.toml"
  CTL2=("$BIN/murderctl" -c "$SANDBOX/two.toml" --log-dir "$SANDBOX/logs")
  "${CTL2[@]}" distribute_files start_tracker create_torrent start_seeding tag="$tag" files_path="$SANDBOX/release" > "$SANDBOX/seed.out" ||
    { cat "$SANDBOX/seed.out"; fail "could not seed $tag with two trackers"; }
  kill -9 "$(pid_on 0 tracker)"
  "${CTL2[@]}" --format json peer tag="$tag" > "$SANDBOX/$tag.json" ||
    { cat "$SANDBOX/$tag.json"; fail "the deploy failed with the first of two trackers dead"; }
  all_delivered "$tag" "${PEERS[@]}"
  [ "$(jq -r '[.results[] | select(.result != "ok")] | length' "$SANDBOX/$tag.json")" = 0 ] ||
    { cat "$SANDBOX/$tag.json"; fail "a row is not ok"; }
  for i in "${PEERS[@]}"; do
    grep -q "tracker http://${H[9]}:8998/announce: ok" "$(on_h "$i" "/srv/murder/log/peer-$tag.log")" ||
      fail "h$i never heard from the backup tracker"
  done
  pass "first of two trackers killed: every row ok, all eight complete through the backup on ${H[9]}"
  "${CTL2[@]}" stop_tracker > /dev/null || fail "could not stop the trackers"
  "${CTL[@]}" start_tracker > /dev/null || fail "could not restart h0's tracker"
  finish "$tag"
fi

"${CTL[@]}" stop_all_peering stop_all_seeding stop_tracker > /dev/null || fail "the stops failed"
for i in $(seq 0 9); do
  [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i"
done
pass "no murder process left on any host"
