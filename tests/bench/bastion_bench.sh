#!/usr/bin/env bash
# Fan-out through a bastion (issue 14): 100 SSH hosts (fleet_up_dense) reached
# through a jump host, as ~/.ssh/config's `ProxyJump` says for both tools:
# `murderctl status` (libssh, which runs `ssh -W` through the bastion for each
# session) against `parallel-ssh -p 100 true` (OpenSSH's -J), alternating,
# same hosts, same run. murderctl runs with a /root of its own (mount
# namespace), so that the `ssh -W` reads this benchmark's ~/.ssh/config.
#
# Usage: bastion_bench.sh BIN_DIR. Environment: BENCH_OUT, BENCH_QUICK,
# BENCH_RUNS (3).
set -euo pipefail
here=$(dirname "$0")
source "$here/../integration/lib.sh"
source "$here/../fleet/fleet_lib.sh"
source "$here/bench_lib.sh"

RUNS=${BENCH_RUNS:-3}
HOSTS=100
[ "$BENCH_QUICK" = 0 ] || { HOSTS=10; RUNS=1; }
sandbox_init /var/tmp
fleet_up_dense 2 "$HOSTS"  # namespace 0 holds the bastion, namespace 1 the fleet
BASTION=${FLEET_HOSTS[0]}
FLEET=("${FLEET_HOSTS[@]:$HOSTS}")
mkdir "$SANDBOX/murder"
tar -xzf "$BIN/murder-bundle.tar.gz" -C "$SANDBOX/murder"
printf '%s\n' "${FLEET[@]}" > "$SANDBOX/hosts"
cat > "$SANDBOX/jump_config" <<CONF
Host 198.19.17.*
  ProxyJump root@$BASTION
Host 198.19.*
  User root
  IdentityFile $SANDBOX/client_key
  UserKnownHostsFile $SANDBOX/known_hosts
CONF
cat > "$SANDBOX/murder.toml" <<TOML
remote_murder_path = "$SANDBOX/murder"
[roles]
peer_file = "$SANDBOX/hosts"
[ssh]
config = "~/.ssh/config"
TOML

for _ in $(seq "$RUNS"); do
  mark=$(cpu_now); t0=$(now)
  unshare --mount --propagation private sh -c 'mount -t tmpfs -o mode=700 tmpfs /root && mkdir -m 700 /root/.ssh &&
      cp "$0/jump_config" /root/.ssh/config && exec "$@"' "$SANDBOX" \
    "$BIN/murderctl" -c "$SANDBOX/murder.toml" --format json status > "$SANDBOX/status.json" 2> "$SANDBOX/status.err" ||
    { jq -r '.results[] | select(.result != "ok") | .error' "$SANDBOX/status.json" | sort | uniq -c | head -5;
      fail "murderctl status through the bastion failed"; }
  echo "$(since "$t0") $(cpu_busy "$mark")" >> "$SANDBOX/murderctl"
  [ "$(jq '[.results[] | select(.result == "ok")] | length' "$SANDBOX/status.json")" -eq "$HOSTS" ] ||
    fail "murderctl status did not reach every host through the bastion"
  mark=$(cpu_now); t0=$(now)
  parallel-ssh -h "$SANDBOX/hosts" -p "$HOSTS" -t 120 -x "-F $SANDBOX/jump_config" true > "$SANDBOX/pssh.out" 2>&1 ||
    { grep -v SUCCESS "$SANDBOX/pssh.out" | head -5 >&2; fail "parallel-ssh through the bastion failed"; }
  echo "$(since "$t0") $(cpu_busy "$mark")" >> "$SANDBOX/pssh"
done

# The sessions went through the bastion: the fleet's sshd saw them all come from it.
grep -q "Accepted publickey for root from $BASTION " "$SANDBOX/sshd/d1.log" || fail "no session reached the fleet from the bastion"
! grep "Accepted publickey" "$SANDBOX/sshd/d1.log" | grep -qv "from $BASTION " || fail "a session reached the fleet around the bastion"

rows="$BENCH_OUT/bastion.tsv"
printf 'tool\thosts\tmedian s\tCPU busy %%\truns (s)\n' > "$rows"
for name in murderctl pssh; do
  label=$([ "$name" = pssh ] && echo "parallel-ssh -p $HOSTS true" || echo "murderctl status")
  printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$HOSTS" "$(cut -d' ' -f1 "$SANDBOX/$name" | median)" \
    "$(cut -d' ' -f2 "$SANDBOX/$name" | median)" "$(cut -d' ' -f1 "$SANDBOX/$name" | tr '\n' ' ')" >> "$rows"
done
echo "fan-out through the bastion $BASTION:"
table "$rows"
target "murderctl status / parallel-ssh true, $HOSTS hosts through a bastion" \
  "$(calc "$(cut -d' ' -f1 "$SANDBOX/murderctl" | median) / $(cut -d' ' -f1 "$SANDBOX/pssh" | median)")" "<=" 1 "x"
