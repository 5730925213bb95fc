#!/usr/bin/env bash
# The install (issue 14): `murderctl distribute_files` to 40 namespace hosts
# on 100 Mbit/s links, alternating, in the same run:
#   - swarm-borne: murderctl's default (bundle_uploads = 2, the rest host to host);
#   - every host from here: bundle_uploads = 40 (the install before issue 14).
# For each: the bytes the workstation sent into the fleet (its bridge's
# counter) and the time. Target: at most 3 bundles + 40 MB.
#
# Usage: install_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_QUICK,
# BENCH_RUNS (3), BENCH_HOSTS (40), BENCH_RATE (100, Mbit/s).
set -euo pipefail
here=$(dirname "$0")
source "$here/../integration/lib.sh"
source "$here/../fleet/fleet_lib.sh"
source "$here/bench_lib.sh"

RUNS=${BENCH_RUNS:-3}
N=${BENCH_HOSTS:-40}
RATE=${BENCH_RATE:-100}
BUNDLE="$BIN/murder-bundle.tar.gz"
[ -f "$BUNDLE" ] || fail "no bundle at $BUNDLE (the build makes it)"
bundle_bytes=$(stat -c %s "$BUNDLE")
sandbox_init /var/tmp
FLEET_NET=198.19.0  # beside the fleet tests' network
fleet_up "$N" "${RATE}mbit"
fleet_config "$SANDBOX/swarm.toml"
fleet_config "$SANDBOX/every.toml" "bundle_uploads = $N"

# run NAME: one distribute_files with NAME.toml; appends "seconds bytes busy" to NAME.
run() {
  local name=$1 mark t0 before
  # Each run starts from hosts with no murder, as a new fleet would.
  for i in $(seq 0 $((N - 1))); do on_host "$i" rm -rf /srv/murder; done
  before=$(cat "/sys/class/net/$FLEET_BRIDGE/statistics/tx_bytes")
  mark=$(cpu_now); t0=$(now)
  rm -rf "$BENCH_OUT/install-logs-$name"
  "$BIN/murderctl" -c "$SANDBOX/$name.toml" --log-dir "$BENCH_OUT/install-logs-$name" distribute_files > "$SANDBOX/$name.out" 2>&1 ||
    { cat "$SANDBOX/$name.out"; fail "distribute_files ($name) failed"; }
  local seconds; seconds=$(since "$t0")
  local busy; busy=$(cpu_busy "$mark")
  echo "$seconds $(($(cat "/sys/class/net/$FLEET_BRIDGE/statistics/tx_bytes") - before)) $busy" >> "$SANDBOX/$name"
}
for _ in $(seq "$RUNS"); do
  run swarm
  run every
done

rows="$BENCH_OUT/install.tsv"
printf 'method\thosts\tmedian s\tMB sent by the workstation\tbundles\tCPU busy %%\truns (s)\n' > "$rows"
for name in swarm every; do
  label=$([ "$name" = swarm ] && echo "host to host (bundle_uploads = 2)" || echo "every host from here (bundle_uploads = $N)")
  bytes=$(cut -d' ' -f2 "$SANDBOX/$name" | median)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$N" "$(cut -d' ' -f1 "$SANDBOX/$name" | median)" \
    "$(calc "$bytes / 1000000")" "$(calc "$bytes / $bundle_bytes")" "$(cut -d' ' -f3 "$SANDBOX/$name" | median)" \
    "$(cut -d' ' -f1 "$SANDBOX/$name" | tr '\n' ' ')" >> "$rows"
done
table "$rows"
echo "bundle: $bundle_bytes bytes"
swarm_bytes=$(cut -d' ' -f2 "$SANDBOX/swarm" | sort -n | tail -1)
target "distribute_files to $N hosts, most bytes the workstation sent (MB)" "$(calc "$swarm_bytes / 1000000")" "<=" \
  "$(calc "(3 * $bundle_bytes + $N * 1000000) / 1000000")"
target "bundle size (MB)" "$(calc "$bundle_bytes / 1000000")" "<=" 10
