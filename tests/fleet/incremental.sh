# Incremental deploys in tree mode (issue 15) through murderctl, on 7
# namespace hosts (h0 tracker and seeder, h1-h6 peers) over 200 Mbit/s links:
# - release 1 in full, then release 2 (files edited, one chmod-ed, added,
#   deleted, an empty directory gone) reusing release 1 (base_tag=): every
#   host identical to the tree, each fetching a small part of the release;
# - h3 has no base (its release 1 removed) and fetches it all; h4's base had a
#   file deleted and another edited: both end identical;
# - release 3 with the base found on its own, then release 1 again: identical
#   at each step, the base releases untouched;
# - tree mode and tgz mode deliver the same tree, modes and times included;
# - a peer killed (SIGKILL) or stopped (SIGTERM) mid-download leaves the
#   previous release as it was and no release; the stopped one leaves nothing.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
N=7
fleet_up "$N" 200mbit
H=("${FLEET_HOSTS[@]}")
write_config() {  # write_config FILE [TOML LINE]
  cat > "$1" <<TOML
remote_murder_path = "/srv/murder"
default_destination_path = "/srv/app"
${2:-}
[roles]
tracker = "${H[0]}"
seeder = "${H[0]}"
peer = ["${H[1]}", "${H[2]}", "${H[3]}", "${H[4]}", "${H[5]}", "${H[6]}"]
[ssh]
config = "$SANDBOX/ssh_config"
connect_timeout = 5
TOML
}
write_config "$SANDBOX/murder.toml"
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml" --log-dir "$SANDBOX/logs")
PEERS=(1 2 3 4 5 6)
T="inc$$"
at_exit 'rm -f /tmp/$T-*.tree.torrent /tmp/$T-*.tgz.torrent'

on_h() { echo "/proc/${FLEET_KEEPER[$1]}/root$2"; }  # on_h I PATH: host I's PATH seen from here
# strict_digest DIR: tree_digest with every entry's modification time too (whole
# seconds: what a tgz carries).
strict_digest() {
  (cd "$1" && find . -mindepth 1 -printf '%P %y %m %l %T@\n' | sed 's/\.[0-9]*$//' | sort &&
     find . -type f -print0 | sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}
release_on() { strict_digest "$(on_h "$1" "/srv/app/$2")"; }
# fetched I TAG_JSON: the bytes host I fetched from peers, from its peer row.
fetched() {
  jq -r --arg h "${H[$1]}" '.results[] | select(.host == $h and .task == "peer") | .detail' "$2" |
    sed -n 's/^\([0-9]*\) bytes, \([0-9]*\) fetched.*/\2/p'
}
deploy() {  # deploy TAG [KEY=VALUE...]: a whole deploy of $SANDBOX/src, its JSON in $SANDBOX/TAG.json
  local tag=$1; shift
  "${CTL[@]}" --format json deploy tag="$tag" files_path="$SANDBOX/src" "$@" > "$SANDBOX/$tag.json" ||
    { cat "$SANDBOX/$tag.json"; fail "deploy of $tag failed"; }
}
# every_host_holds TAG: each peer's release TAG is the source tree, times included.
every_host_holds() {
  local want i; want=$(strict_digest "$SANDBOX/src")
  for i in "${PEERS[@]}"; do [ "$(release_on "$i" "$1")" = "$want" ] || fail "$1: h$i differs from the release"; done
}

# Release 1: 40 files of 256 KiB, 200 of 1-8 KiB, a link, an empty file and
# directory, a 0750 directory; mtimes of a day ago.
mkdir -p "$SANDBOX/src/app/lib" "$SANDBOX/src/app/assets" "$SANDBOX/src/app/cache" "$SANDBOX/src/app/private"
for f in $(seq 1 40); do head -c 262144 /dev/urandom > "$SANDBOX/src/app/lib/part$f.so"; done
for f in $(seq 1 200); do head -c $((1024 * (1 + f % 8))) /dev/urandom > "$SANDBOX/src/app/assets/a$f.js"; done
echo "secret" > "$SANDBOX/src/app/private/key"
chmod 0750 "$SANDBOX/src/app/private"
: > "$SANDBOX/src/app/empty"
ln -s lib/part1.so "$SANDBOX/src/app/current.so"
find "$SANDBOX/src" -exec touch -h -d '1 day ago' {} +
cp -a "$SANDBOX/src" "$SANDBOX/src-r1"
total=$(du -sb --apparent-size "$SANDBOX/src" | cut -f1)

"${CTL[@]}" distribute_files start_tracker > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "setup failed"; }
deploy "$T-r1"
every_host_holds "$T-r1"
declare -A r1_digest
for i in "${PEERS[@]}"; do r1_digest[$i]=$(release_on "$i" "$T-r1"); done
pass "release 1 ($total bytes, 245 entries) deployed whole to ${#PEERS[@]} hosts"

# Release 2: two 256 KiB files and three small ones edited, a mode changed,
# two files added, three deleted, the empty directory gone.
printf 'changed' | dd of="$SANDBOX/src/app/lib/part7.so" bs=1 seek=100000 conv=notrunc status=none
printf 'changed' | dd of="$SANDBOX/src/app/lib/part8.so" bs=1 seek=5 conv=notrunc status=none
for f in 11 12 13; do echo "edit $f" >> "$SANDBOX/src/app/assets/a$f.js"; done
chmod 0600 "$SANDBOX/src/app/assets/a20.js"
head -c 300000 /dev/urandom > "$SANDBOX/src/app/lib/new.so"
echo "added" > "$SANDBOX/src/app/assets/new.js"
rm "$SANDBOX/src/app/assets/a30.js" "$SANDBOX/src/app/assets/a31.js" "$SANDBOX/src/app/lib/part40.so"
rmdir "$SANDBOX/src/app/cache"
# h3 has no base; h4's base lost one file and had another edited in place.
rm -rf "$(on_h 3 "/srv/app/$T-r1")"
rm "$(on_h 4 "/srv/app/$T-r1/app/lib/part2.so")"
printf 'tampered' | dd of="$(on_h 4 "/srv/app/$T-r1/app/lib/part3.so")" bs=1 seek=1000 conv=notrunc status=none
deploy "$T-r2" base_tag="$T-r1"
every_host_holds "$T-r2"
for i in 1 2 5 6; do
  [ "$(release_on "$i" "$T-r1")" = "${r1_digest[$i]}" ] || fail "h$i: the base release 1 was changed"
done
for i in "${PEERS[@]}"; do echo "   h$i fetched $(fetched "$i" "$SANDBOX/$T-r2.json") of $total bytes"; done
[ "$(fetched 3 "$SANDBOX/$T-r2.json")" -ge $((total * 9 / 10)) ] || fail "h3 (no base) did not fetch the release"
for i in 1 2 5 6; do
  [ "$(fetched "$i" "$SANDBOX/$T-r2.json")" -lt $((total / 10)) ] || fail "h$i fetched more than a tenth of release 2"
done
h4=$(fetched 4 "$SANDBOX/$T-r2.json")
[ "$h4" -ge 524288 ] && [ "$h4" -lt $((total / 5)) ] ||
  fail "h4 fetched $h4 bytes: not its two damaged files (512 KiB) and the changes"
grep -q "reused .* from /srv/app/$T-r1" "$(on_h 1 "/srv/murder/log/peer-$T-r2.log")" || fail "h1's log does not name its base"
pass "release 2 from release 1: identical on all hosts; h3 (no base) fetched it all, h4 (damaged base) its two files more; the bases untouched"

# Release 3, the base found on its own; then tgz mode delivers the same tree.
printf 'again' | dd of="$SANDBOX/src/app/lib/part9.so" bs=1 seek=200000 conv=notrunc status=none
chmod 0755 "$SANDBOX/src/app/assets/a21.js"
rm "$SANDBOX/src/app/assets/a40.js"
deploy "$T-r3"
every_host_holds "$T-r3"
grep -q "reused .* from /srv/app/$T-r2" "$(on_h 2 "/srv/murder/log/peer-$T-r3.log")" || fail "h2 did not find release 2 as its base"
deploy "$T-r3-tgz" transfer_mode=tgz
for i in "${PEERS[@]}"; do
  [ "$(release_on "$i" "$T-r3")" = "$(release_on "$i" "$T-r3-tgz")" ] || fail "h$i: tree and tgz modes delivered different trees"
done
pass "release 3 with its base found on its own: identical; the same tree, modes and times as a tgz deploy"

# Back to release 1 (as a new tag): identical to the first deploy of it.
rm -rf "$SANDBOX/src" && cp -a "$SANDBOX/src-r1" "$SANDBOX/src"
deploy "$T-r1-again"
every_host_holds "$T-r1-again"
for i in 1 2 5 6; do
  [ "$(release_on "$i" "$T-r1-again")" = "${r1_digest[$i]}" ] || fail "h$i: release 1 again differs from release 1"
done
pass "release 1 -> 2 -> 3 -> 1: every host identical to the tree at each step"

# A peer killed and another stopped mid-download: release 4 replaces 8 MiB,
# downloads capped at 1 MB/s so that they are caught halfway.
for f in $(seq 1 32); do head -c 262144 /dev/urandom > "$SANDBOX/src/app/lib/part$f.so"; done
write_config "$SANDBOX/slow.toml" "max_download_rate = 1000"
SLOW=("$BIN/murderctl" -c "$SANDBOX/slow.toml" --log-dir "$SANDBOX/logs")
"${SLOW[@]}" start_tracker create_torrent start_seeding tag="$T-r4" files_path="$SANDBOX/src" > "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "could not seed release 4"; }
"${SLOW[@]}" --format json peer tag="$T-r4" > "$SANDBOX/r4.json" 2>&1 &
ctl=$!
wait_until 60 reached 1 "$T-r4" 30 || fail "h1 did not get 30 % of release 4"
wait_until 60 reached 2 "$T-r4" 30 || fail "h2 did not get 30 % of release 4"
[ "$(percent 1 "$T-r4")" != 100 ] && [ "$(percent 2 "$T-r4")" != 100 ] || fail "h1 or h2 finished before it was interrupted"
kill -KILL "$(cat "$(on_h 1 "/srv/murder/run/peer-$T-r4.pid")")"
kill -TERM "$(cat "$(on_h 2 "/srv/murder/run/peer-$T-r4.pid")")"
status=0; wait "$ctl" || status=$?
[ "$status" -ne 0 ] || fail "murderctl peer exited 0 with two peers interrupted"
for i in 1 2; do
  [ ! -e "$(on_h "$i" "/srv/app/$T-r4")" ] || fail "h$i: an interrupted peer left a release"
  [ "$(release_on "$i" "$T-r3")" = "$(release_on 5 "$T-r3")" ] || fail "h$i: the interrupted peer changed release 3"
done
wait_until 10 sh -c "! ls -d $(on_h 2 /srv/app)/.$T-r4.murder-partial-* 2>/dev/null" ||
  fail "h2 (stopped) left its staging directory"
pass "peers killed at $(percent 1 "$T-r4") % and stopped at $(percent 2 "$T-r4") %: no release 4 there, release 3 untouched, the stopped one left nothing"
"${CTL[@]}" stop_peering stop_seeding stop_tracker tag="$T-r4" > /dev/null || fail "could not stop release 4"
for i in $(seq 0 $((N - 1))); do
  [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i"
done
