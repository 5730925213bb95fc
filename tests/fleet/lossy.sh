# A deploy over bad links: 8 namespace hosts at 100 Mbit/s deploy a 32 MiB tree
# over clean links, then again with every host's sending direction losing 5% of
# its frames and delaying each by 20 ms (tests/tools/link_relay, as tc netem
# would; this kernel has no netem). Both deploys must complete with identical
# trees everywhere; the test prints both times and the frames lost.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
N=8
DELAY_MS=20
LOSS_PERCENT=5
fleet_up "$N" 100mbit
fleet_config "$SANDBOX/murder.toml"
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml" --log-dir "$SANDBOX/logs")
TAG="lossy$$"
at_exit 'rm -f /tmp/$TAG-*.tgz.torrent /tmp/$TAG-*.tree.torrent'

make_tree "$SANDBOX/release" 32
want=$(tree_digest "$SANDBOX/release")

# deploy_all NAME: a deploy of the release as tag NAME; prints its seconds.
deploy_all() {
  local tag=$1 started seconds i
  started=$(date +%s.%N)
  "${CTL[@]}" deploy tag="$tag" files_path="$SANDBOX/release" > "$SANDBOX/$tag.out" ||
    { cat "$SANDBOX/$tag.out" >&2; fail "deploy $tag failed"; }
  seconds=$(echo "$(date +%s.%N) - $started" | bc)
  for i in $(seq 0 $((N - 1))); do
    [ "$(tree_digest "/proc/${FLEET_KEEPER[$i]}/root/srv/app/$tag")" = "$want" ] || fail "$tag: the tree on h$i differs"
    [ -z "$(murder_processes_on "$i")" ] || fail "$tag: murder processes left on h$i"
  done
  printf '%.1f' "$seconds"
}

# round_trip_ms I J: the average ping time from host I to host J.
round_trip_ms() {
  on_host "$1" ping -q -c 5 -i 0.2 -W 2 "${FLEET_HOSTS[$2]}" | sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p'
}

"${CTL[@]}" distribute_files > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "distribute_files failed"; }
clean=$(deploy_all "$TAG-clean")
clean_rtt=$(round_trip_ms 1 2)
pass "clean links: deploy to $N hosts in $clean s (h1-h2 round trip $clean_rtt ms)"

fleet_impair "$DELAY_MS" "$LOSS_PERCENT"
# Each way crosses one sender's delay: a round trip takes at least 2 x DELAY_MS.
rtt=$(round_trip_ms 1 2)
[ -n "$rtt" ] && [ "$(echo "$rtt >= 2 * $DELAY_MS" | bc)" -eq 1 ] ||
  fail "the impaired link's round trip is '${rtt:-no answer}' ms, not at least $((2 * DELAY_MS)) ms"
lossy=$(deploy_all "$TAG-lossy")
read -r forwarded lost < <(fleet_relay_figures)
total=$((forwarded + lost))
[ "$total" -gt 0 ] && [ "$lost" -gt 0 ] || fail "the relays lost no frames ($forwarded forwarded)"
share=$(echo "scale=2; 100 * $lost / $total" | bc)
pass "${LOSS_PERCENT}% loss and ${DELAY_MS} ms delay: deploy to $N hosts in $lossy s (clean: $clean s); h1-h2 round trip $rtt ms; $lost of $total frames lost ($share%)"
