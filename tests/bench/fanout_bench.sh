#!/usr/bin/env bash
# The fan-out benchmark: a trivial task over many SSH hosts. `murderctl status`
# (one SSH session per host running `murder_client status`) against
# `parallel-ssh ... true` on the same hosts, alternately, in the same run.
#
# The hosts share one murder installation in the sandbox (it is not under their
# private /srv), so the benchmark needs no distribute_files over 100 hosts.
#
# Usage: fanout_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_HOSTS (100),
# BENCH_RUNS (5).
set -euo pipefail
here=$(dirname "$0")
source "$here/../integration/lib.sh"
source "$here/../fleet/fleet_lib.sh"
source "$here/bench_lib.sh"

HOSTS=${BENCH_HOSTS:-100}
RUNS=${BENCH_RUNS:-5}

sandbox_init /var/tmp
FLEET_NET=198.19.1
started=$(now)
fleet_up "$HOSTS"
echo "fan-out: $HOSTS hosts with sshd, up in $(since "$started") s"

mkdir "$SANDBOX/murder"
tar -xzf "$BIN/murder-bundle.tar.gz" -C "$SANDBOX/murder"
fleet_config "$SANDBOX/murder.toml"
sed -i "s|^remote_murder_path = .*|remote_murder_path = \"$SANDBOX/murder\"|" "$SANDBOX/murder.toml"
printf '%s\n' "${FLEET_HOSTS[@]}" > "$SANDBOX/hosts"

for _ in $(seq "$RUNS"); do
  t0=$(now)
  "$BIN/murderctl" -c "$SANDBOX/murder.toml" --concurrency "$HOSTS" --format json status > "$SANDBOX/status.json" \
    2> "$SANDBOX/status.err" || { cat "$SANDBOX/status.json" "$SANDBOX/status.err" >&2; fail "murderctl status failed"; }
  since "$t0" >> "$SANDBOX/murderctl"; echo >> "$SANDBOX/murderctl"
  [ "$(jq '[.results[] | select(.result == "ok" and .detail == "nothing running")] | length' "$SANDBOX/status.json")" \
    -eq "$HOSTS" ] || { cat "$SANDBOX/status.json" >&2; fail "murderctl status did not report on every host"; }
  t0=$(now)
  parallel-ssh -h "$SANDBOX/hosts" -p "$HOSTS" -t 60 -x "-F $SANDBOX/ssh_config" true > "$SANDBOX/pssh.out" 2>&1 ||
    { cat "$SANDBOX/pssh.out" >&2; fail "parallel-ssh failed"; }
  since "$t0" >> "$SANDBOX/pssh"; echo >> "$SANDBOX/pssh"
  [ "$(grep -c '\[SUCCESS\]' "$SANDBOX/pssh.out")" -eq "$HOSTS" ] || fail "parallel-ssh did not reach every host"
done

m=$(median < "$SANDBOX/murderctl")
p=$(median < "$SANDBOX/pssh")
rows="$BENCH_OUT/fanout.tsv"
printf 'tool\thosts\tmedian s\truns (s)\n' > "$rows"
printf 'murderctl status\t%s\t%s\t%s\n' "$HOSTS" "$m" "$(tr '\n' ' ' < "$SANDBOX/murderctl")" >> "$rows"
printf 'parallel-ssh true\t%s\t%s\t%s\n' "$HOSTS" "$p" "$(tr '\n' ' ' < "$SANDBOX/pssh")" >> "$rows"
table "$rows"
target "murderctl status / parallel-ssh true, $HOSTS hosts" "$(calc "$m / $p")" "<=" 1 "x"
