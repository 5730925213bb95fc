# murderctl on a real fleet: 10 namespace hosts with sshd. distribute_files, then
# deploy of a tree (nested dirs, symlink, empty file, large file); identical trees
# everywhere; the seeder uploads about one copy; a second deploy into the same target fails on every host unless
# unsafe_please_delete=1; the stop tasks leave no murder process anywhere.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
# Not under /tmp: each host mounts its own /tmp over it, and sshd reads its keys here.
sandbox_init /var/tmp
N=10
fleet_up "$N" 500mbit
fleet_config "$SANDBOX/murder.toml"
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml" --log-dir "$SANDBOX/logs")
TAG="fleet$$"
at_exit 'rm -f "/tmp/$TAG.tgz.torrent" "/tmp/$TAG.tree.torrent"'

make_tree "$SANDBOX/release" 24
want=$(tree_digest "$SANDBOX/release")
deployed() { tree_digest "/proc/${FLEET_KEEPER[$1]}/root/srv/app/$TAG"; }

"${CTL[@]}" distribute_files > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "distribute_files failed"; }
[ "$(grep -c ' distribute_files  ok ' "$SANDBOX/out")" -eq "$N" ] || { cat "$SANDBOX/out"; fail "not every host got the bundle"; }
pass "distribute_files installed the bundle on $N hosts"
# libssh's own messages (every connection gets "ssh_packet_global_request:
# Invalid SSH_MSG_GLOBAL_REQUEST packet" from OpenSSH's host-key notice) go to
# the host's log, never to the terminal.
"${CTL[@]}" status > "$SANDBOX/out" 2> "$SANDBOX/err" || { cat "$SANDBOX/out" "$SANDBOX/err"; fail "status failed"; }
! grep -q "ssh_" "$SANDBOX/out" "$SANDBOX/err" || { cat "$SANDBOX/err"; fail "libssh's messages reached the terminal"; }
grep -q "^ssh: socket_callback_connected" "$SANDBOX"/logs/*"${FLEET_HOSTS[3]}"* ||
  fail "libssh's messages are not in ${FLEET_HOSTS[3]}'s log"
pass "libssh's messages went to each host's log, none to the terminal"

started=$(date +%s.%N)
"${CTL[@]}" deploy tag="$TAG" files_path="$SANDBOX/release" > "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "deploy failed"; }
seconds=$(echo "$(date +%s.%N) - $started" | bc)
cat "$SANDBOX/out"
for i in $(seq 0 $((N - 1))); do
  [ "$(deployed "$i")" = "$want" ] || fail "tree on h$i differs from the release"
  [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i: $(murder_processes_on "$i")"
done
pass "deploy: $N identical trees in /srv/app/$TAG in ${seconds} s; no murder process left on any host"

# The seeder sends at most about one copy (murder_client seed: one-copy policy);
# a plain seeder sent 1.6 to 2.5 copies to a fleet of this size. (h0's own peer
# finds the payload already in place and serves it too, so less than one copy
# can be enough.)
copies=$(sed -n 's/.*stop_seeding .*uploaded \([0-9.]*\) copies.*/\1/p' "$SANDBOX/out")
[ -n "$copies" ] || fail "the stop_seeding row does not say how many copies the seeder uploaded"
awk -v c="$copies" 'BEGIN { exit !(c > 0 && c <= 1.3) }' ||
  fail "the seeder uploaded $copies copies of the payload to $N hosts (want at most about one: 1.3)"
pass "the seeder uploaded $copies copies of the payload for $N hosts"

status=0
"${CTL[@]}" --format json deploy tag="$TAG" files_path="$SANDBOX/release" > "$SANDBOX/out.json" || status=$?
[ "$status" -ne 0 ] || fail "a second deploy into non-empty targets exited 0"
refused=$(grep -c '"task": "peer", "host": "[0-9.]*", "result": "failed".*is not empty' "$SANDBOX/out.json" || true)
[ "$refused" -eq "$N" ] || { cat "$SANDBOX/out.json"; fail "$refused of $N hosts refused the non-empty target"; }
for i in $(seq 0 $((N - 1))); do
  [ "$(deployed "$i")" = "$want" ] || fail "a refused deploy changed the tree on h$i"
  [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i after a failed deploy"
done
pass "a second deploy was refused on all $N hosts (exit $status), trees untouched, nothing left running"

echo "a new file" > "$SANDBOX/release/app/added.txt"
want=$(tree_digest "$SANDBOX/release")
# Two SSH sessions at a time for ten hosts: the peers are started detached
# (short commands), so they form one swarm, and each row still comes from its
# own host's status file.
"${CTL[@]}" --concurrency 2 deploy tag="$TAG" files_path="$SANDBOX/release" unsafe_please_delete=1 > "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "deploy with unsafe_please_delete=1 at concurrency 2 failed"; }
for i in $(seq 0 $((N - 1))); do
  [ "$(deployed "$i")" = "$want" ] || fail "tree on h$i is not the new release"
done
rows=$(grep -cE ' peer +ok .*[0-9]+ bytes, [0-9]+ fetched from peers, [0-9.]+ s, delivered in [0-9.]+ s' "$SANDBOX/out" || true)
[ "$rows" -eq "$N" ] || { cat "$SANDBOX/out"; fail "$rows of $N peer rows carry their host's figures"; }
# Past `concurrency` hosts, each peer's result comes through the tracker (one
# command on its host), not from a second session to every host.
# Once more, the same torrent: the tracker still holds the first run's
# reports, which must not pass for this run's.
"${CTL[@]}" --concurrency 2 deploy tag="$TAG" files_path="$SANDBOX/release" unsafe_please_delete=1 > "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "the second deploy at concurrency 2 failed"; }
reported=0
for h in "${FLEET_HOSTS[@]}"; do
  [ "$(grep -c "== peer ok (reported through the tracker): " "$SANDBOX/logs/$h.log")" -eq 2 ] && reported=$((reported + 1))
done
[ "$reported" -eq "$N" ] || fail "on $reported of $N hosts both runs' results came through the tracker"
pass "unsafe_please_delete=1 at concurrency 2 replaced the release on all $N hosts, every row with its figures, all learnt through the tracker"

# Production layouts keep releases behind a link (/srv/www -> /data/www): every
# host keeps its link, the release lands in the real directory, nothing is staged.
for i in $(seq 0 $((N - 1))); do
  root="/proc/${FLEET_KEEPER[$i]}/root"
  mkdir -p "$root/srv/data/www" && ln -sfn data/www "$root/srv/www"
done
"${CTL[@]}" deploy tag="$TAG" files_path="$SANDBOX/release" destination_path=/srv/www > "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "deploy through a linked destination_path failed"; }
for i in $(seq 0 $((N - 1))); do
  root="/proc/${FLEET_KEEPER[$i]}/root"
  [ -L "$root/srv/www" ] || fail "h$i: the link /srv/www was replaced"
  [ "$(tree_digest "$root/srv/data/www/$TAG")" = "$want" ] || fail "h$i: the release is not in /srv/data/www/$TAG"
  left=$(find "$root/srv" -maxdepth 3 -name '*murder-partial*')
  [ -z "$left" ] || fail "h$i: staging left behind: $left"
done
pass "destination_path /srv/www -> data/www: the link kept on all $N hosts, releases in the real directory"
