# Location-aware peer lists (issue 16, part 3): two "data centres" of 4 hosts
# each (links 200 Mbit/s), joined through a router namespace by one link of
# 50 Mbit/s each way. Tracker and seeder are h0 in DC1. The same 32 MiB
# release is deployed twice in one run: without locations, then with
# murder.toml [locations] dc1/dc2. Measured from the router's counters: the
# payload copies crossing between the DCs; from each DC2 peer's row: when it
# was done (download and delivery). With locations, at most 1.5 copies cross,
# and DC2's last host is done no later than without.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
PER_SITE=4
fleet_up_sites "$PER_SITE" 200mbit 50mbit
mkdir -p "$SANDBOX/release"
head -c $((32 * 1024 * 1024)) /dev/urandom > "$SANDBOX/release/data.bin"
locations="[locations]
dc1 = \"${FLEET_SITE_NETS[0]}.0/24\"
dc2 = \"${FLEET_SITE_NETS[1]}.0/24\""
fleet_config "$SANDBOX/plain.toml"
# fleet_config puts its extra lines before [roles]: a table of their own is fine there.
fleet_config "$SANDBOX/located.toml" "$locations"
"$BIN/murderctl" -c "$SANDBOX/plain.toml" distribute_files > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "distribute_files failed"; }

# run NAME CONFIG: deploys as TAG-NAME; sets CROSSED (payload copies between
# the DCs), DC2_LAST (seconds until DC2's last host was done) and BUSY (the
# cores' % busy during the deploy).
run() {
  local name=$1 config=$2 tag="loc$$$1" before after size
  at_exit "rm -f /tmp/$tag.tgz.torrent /tmp/$tag.tree.torrent"
  before=$(fleet_crossed_bytes)
  local mark; mark=$(cpu_now)
  "$BIN/murderctl" -c "$config" --format json deploy tag="$tag" files_path="$SANDBOX/release" > "$SANDBOX/$name.json" ||
    { cat "$SANDBOX/$name.json"; fail "deploy $name failed"; }
  after=$(fleet_crossed_bytes)
  BUSY=$(cpu_busy "$mark")
  # The payload's size, from a peer row's detail ("N bytes, ..."): the deploy cleaned up TAG.tgz.
  size=$(jq -r '[.results[] | select(.task == "peer") | .detail][0]' "$SANDBOX/$name.json" | sed -n 's/^\([0-9]*\) bytes.*/\1/p')
  [ -n "$size" ] || { cat "$SANDBOX/$name.json"; fail "no payload size in the $name deploy's peer rows"; }
  CROSSED=$(awk -v b="$before" -v a="$after" -v s="$size" 'BEGIN { printf "%.2f", (a - b) / s }')
  # A peer row's detail: "N bytes, M fetched from peers, D s, delivered in E s".
  DC2_LAST=$(jq -r --arg net "${FLEET_SITE_NETS[1]}." '.results[] | select(.task == "peer" and (.host | startswith($net))) |
      .detail' "$SANDBOX/$name.json" |
    sed -n 's/.*peers, \([0-9.]*\) s, delivered in \([0-9.]*\) s.*/\1 \2/p' |
    awk '{ t = $1 + $2; if (t > max) max = t; n++ } END { if (n == '"$PER_SITE"') printf "%.2f", max }')
  [ -n "$DC2_LAST" ] || { cat "$SANDBOX/$name.json"; fail "no time for every DC2 host in the $name deploy"; }
  local want i
  want=$(tree_digest "$SANDBOX/release")
  for i in "${!FLEET_HOSTS[@]}"; do
    [ "$(tree_digest "/proc/${FLEET_KEEPER[$i]}/root/srv/app/$tag")" = "$want" ] || fail "$name: h$i's release differs"
  done
}

run plain "$SANDBOX/plain.toml"
plain_crossed=$CROSSED plain_last=$DC2_LAST plain_busy=$BUSY
run located "$SANDBOX/located.toml"
located_crossed=$CROSSED located_last=$DC2_LAST located_busy=$BUSY
echo "without locations: $plain_crossed copies crossed, DC2's last host done at $plain_last s (CPU $plain_busy % busy)"
echo "with locations:    $located_crossed copies crossed, DC2's last host done at $located_last s (CPU $located_busy % busy)"
awk -v c="$located_crossed" 'BEGIN { exit !(c <= 1.5) }' ||
  fail "with locations, $located_crossed payload copies crossed between the DCs (target <= 1.5; without: $plain_crossed)"
awk -v a="$located_last" -v b="$plain_last" 'BEGIN { exit !(a <= b) }' ||
  fail "with locations, DC2's last host was done at $located_last s, later than without ($plain_last s)"
pass "two DCs over 50 Mbit/s: $located_crossed copies crossed with locations ($plain_crossed without); DC2 done at $located_last s ($plain_last s without); all $((2 * PER_SITE)) identical each time"
