# Who may join a swarm: with allowed_networks = ["198.18.0.8/30"] in murder.toml,
# h0 (tracker, seeder) and h1 (peer) are inside; h2 and h3 are outside.
#   - h1 gets the release through murderctl;
#   - h3, holding the real .torrent, is refused by the tracker;
#   - h2, holding the .torrent and running its own tracker that names the
#     seeder's address, still gets nothing: the seeder refuses its connections.
#     Without allowed_networks the same attempt succeeds, so the refusal is the
#     filter's doing.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
fleet_up 4 1gbit
H=("${FLEET_HOSTS[@]}")
write_config() {  # write_config [TOML LINE]
  cat > "$SANDBOX/murder.toml" <<TOML
remote_murder_path = "/srv/murder"
default_destination_path = "/srv/app"
transfer_mode = "tgz"  # the test hands the .tgz torrent to murder_client itself
${1:-}
[roles]
tracker = "${H[0]}"
seeder = "${H[0]}"
peer = ["${H[1]}"]
[ssh]
config = "$SANDBOX/ssh_config"
TOML
}
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml")
TAG="join$$"
at_exit 'rm -f "/tmp/$TAG.tgz.torrent" "/tmp/$TAG.tree.torrent"'
make_tree "$SANDBOX/release" 4

write_config 'allowed_networks = ["198.18.0.8/30"]'
"${CTL[@]}" distribute_files start_tracker create_torrent start_seeding peer tag="$TAG" files_path="$SANDBOX/release" \
  > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "the deploy inside the allowed network failed"; }
[ "$(tree_digest "/proc/${FLEET_KEEPER[1]}/root/srv/app/$TAG")" = "$(tree_digest "$SANDBOX/release")" ] ||
  fail "h1 does not hold the release"
pass "h1, inside 198.18.0.8/30, got the release"
cp "/tmp/$TAG.tgz.torrent" "$SANDBOX/real.torrent"

# h3 with the real .torrent: the tracker refuses it.
status=0
on_host 3 "$BIN/murder_client" peer "$SANDBOX/real.torrent" /tmp/x.tgz "${H[3]}" --stall-timeout 8 --seed-after 0 \
  > "$SANDBOX/h3.out" 2>&1 || status=$?
[ "$status" -ne 0 ] || fail "h3, outside, downloaded the release"
grep -q "error: .*have 0 of .*tracker .*not allowed" "$SANDBOX/h3.out" || { cat "$SANDBOX/h3.out"; fail "h3's error does not say the tracker refused it"; }
pass "h3, outside: $(grep error: "$SANDBOX/h3.out" | sed 's/.*; tracker/tracker/')"

# h2 with the .torrent pointed at its own tracker (the announce URL swapped for
# one of the same length, so the info-hash is unchanged) that names the seeder.
rogue_attempt() {  # rogue_attempt NAME: h2 tries to download; the status is its exit code
  LC_ALL=C sed "s|http://${H[0]}:8998/announce|http://${H[2]}:8998/announce|" "$SANDBOX/real.torrent" > "$SANDBOX/rogue.torrent"
  cmp -s "$SANDBOX/real.torrent" "$SANDBOX/rogue.torrent" && fail "the announce URL was not swapped"
  on_host 2 "$BIN/murder_tracker" --bind "${H[2]}" --port 8998 --daemon --pidfile "$SANDBOX/rogue.pid" \
    --logfile "$SANDBOX/rogue.log" > /dev/null || fail "the rogue tracker did not start"
  PIDFILES+=("$SANDBOX/rogue.pid")
  local hash; hash=$(transmission-show "$SANDBOX/real.torrent" | sed -n 's/^ *Hash: *//p' | sed 's/../%&/g')
  on_host 2 curl -sf "http://${H[2]}:8998/announce?info_hash=$hash&peer_id=-XX0000-000000000001&port=6881&left=0&ip=${H[0]}" \
    > /dev/null || fail "could not announce the seeder to the rogue tracker"
  status=0
  on_host 2 "$BIN/murder_client" peer "$SANDBOX/rogue.torrent" "/tmp/$1.tgz" "${H[2]}" --stall-timeout 8 --seed-after 0 \
    > "$SANDBOX/$1.out" 2>&1 || status=$?
  kill "$(cat "$SANDBOX/rogue.pid")"
  wait_until 10 sh -c "[ ! -e '$SANDBOX/rogue.pid' ]" || fail "the rogue tracker did not stop"
}
rogue_attempt filtered
[ "$status" -ne 0 ] || fail "h2, outside, downloaded the release from the seeder"
grep -q "error: no progress .* have 0 of " "$SANDBOX/filtered.out" || { cat "$SANDBOX/filtered.out"; fail "h2 failed for another reason"; }
pass "h2, outside, with the seeder's address: $(grep error: "$SANDBOX/filtered.out" | cut -c1-110)..."

# The same attempt against a seeder without the filter succeeds.
"${CTL[@]}" stop_seeding tag="$TAG" > /dev/null || fail "stop_seeding failed"
write_config
"${CTL[@]}" start_seeding tag="$TAG" > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "start_seeding failed"; }
rogue_attempt open
[ "$status" -eq 0 ] || { cat "$SANDBOX/open.out"; fail "the rogue attempt failed without the filter too: the test proves nothing"; }
pass "without allowed_networks the same attempt downloads the release: the filter is what stopped h2"
"${CTL[@]}" stop_all_seeding stop_all_peering stop_tracker > /dev/null || fail "the stops failed"
