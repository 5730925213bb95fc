# murderctl's failure cases on a real fleet: a host whose sshd is down, --retry
# once it is back, host keys that do not match or are unknown, a tag with '/',
# and values full of shell metacharacters (passed literally, never executed).
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
# Not under /tmp: each host mounts its own /tmp over it, and sshd reads its keys here.
sandbox_init /var/tmp
N=4
fleet_up "$N"
fleet_config "$SANDBOX/murder.toml"
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml")
EVIL_TAG="t\$(touch pwned1);\`touch pwned2\`'q"
at_exit 'rm -f "/tmp/$EVIL_TAG.tgz.torrent" "/tmp/$EVIL_TAG.tree.torrent"'
"${CTL[@]}" distribute_files > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "distribute_files failed"; }

# row TASK HOST FILE: the table row of HOST for TASK.
row() { grep -E "^$2 +$1 " "$3" || true; }

# One host down: its row says why, the others succeed, the exit status is not 0.
stop_sshd 3
status=0
started=$(date +%s)
"${CTL[@]}" status > "$SANDBOX/out" || status=$?
cat "$SANDBOX/out"
[ "$status" -ne 0 ] || fail "a run with a host down exited 0"
row status 198.18.0.13 "$SANDBOX/out" | grep -q "FAILED.*cannot connect" || fail "the down host's row does not say why"
for i in 0 1 2; do row status "198.18.0.1$i" "$SANDBOX/out" | grep -q " ok " || fail "h$i did not succeed"; done
pass "host down: its row says '$(row status 198.18.0.13 "$SANDBOX/out" | sed 's/  */ /g')', the others ok, exit $status, $(( $(date +%s) - started )) s"

# --retry: the host comes back while murderctl waits to try it again.
"${CTL[@]}" --retry 5 --retry-delay 2 --log-dir "$SANDBOX/logs" --format json status > "$SANDBOX/retry.json" &
ctl_pid=$!
PIDS+=("$ctl_pid")
wait_until 30 grep -qs "retrying" "$SANDBOX/logs/198.18.0.13.log" || fail "murderctl did not retry the down host"
start_sshd 3
status=0
wait "$ctl_pid" || status=$?
[ "$status" -eq 0 ] || { cat "$SANDBOX/retry.json"; fail "--retry did not succeed once the host was back"; }
grep -qE '"host": "198.18.0.13", "result": "ok", "seconds": [0-9.]+, "attempts": [2-6]' "$SANDBOX/retry.json" ||
  { cat "$SANDBOX/retry.json"; fail "the retried host's row does not show its attempts"; }
pass "--retry: the host succeeded after it came back ($(grep -o '"host": "198.18.0.13"[^}]*"attempts": [0-9]*' "$SANDBOX/retry.json"))"

# A host key that does not match known_hosts is refused, naming the host.
cp "$SANDBOX/known_hosts" "$SANDBOX/known_hosts.good"
h1_key=$(grep '^198.18.0.11 ' "$SANDBOX/known_hosts.good" | cut -d' ' -f2-)
sed -i "s|^198.18.0.12 .*|198.18.0.12 $h1_key|" "$SANDBOX/known_hosts"
status=0
"${CTL[@]}" status > "$SANDBOX/out" || status=$?
[ "$status" -ne 0 ] || fail "a wrong host key was accepted"
row status 198.18.0.12 "$SANDBOX/out" | grep -q "FAILED.*does not match the one in known_hosts" ||
  { cat "$SANDBOX/out"; fail "the wrong host key's row does not say so"; }
pass "wrong host key: $(row status 198.18.0.12 "$SANDBOX/out" | sed 's/  */ /g')"

# An unknown host key: refused by default, recorded with accept-new.
grep -v '^198.18.0.12 ' "$SANDBOX/known_hosts.good" > "$SANDBOX/known_hosts"
status=0
"${CTL[@]}" status > "$SANDBOX/out" || status=$?
row status 198.18.0.12 "$SANDBOX/out" | grep -q "FAILED.*is not in known_hosts" ||
  { cat "$SANDBOX/out"; fail "an unknown host key was not refused"; }
fleet_config "$SANDBOX/accept-new.toml" && sed -i '$a strict_host_key_checking = "accept-new"' "$SANDBOX/accept-new.toml"
"$BIN/murderctl" -c "$SANDBOX/accept-new.toml" status > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "accept-new refused"; }
grep -q '198.18.0.12' "$SANDBOX/known_hosts" || fail "accept-new did not record the key"
pass "unknown host key: refused with strict checking, recorded with accept-new"
cp "$SANDBOX/known_hosts.good" "$SANDBOX/known_hosts"

# A tag with '/' is refused before any host is touched.
expect_one_error 2 "Tag cannot contain a / character" "${CTL[@]}" --log-dir "$SANDBOX/tag-logs" deploy tag=a/b
[ ! -e "$SANDBOX/tag-logs" ] || fail "a refused tag still reached the hosts"
pass "a tag with '/' is refused, no host touched"

# Shell metacharacters in the tag and the paths are passed literally.
make_tree "$SANDBOX/release" 1
dest="/srv/d\$(touch /srv/pwned3);\`touch /srv/pwned4\`'x\""
"${CTL[@]}" deploy "tag=$EVIL_TAG" "files_path=$SANDBOX/release" "destination_path=$dest" > "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "deploy with metacharacters failed"; }
want=$(tree_digest "$SANDBOX/release")
for i in $(seq 0 $((N - 1))); do
  root="/proc/${FLEET_KEEPER[$i]}/root"
  [ "$(tree_digest "$root$dest/$EVIL_TAG")" = "$want" ] || fail "h$i did not get the tree at the literal path"
  for f in /srv/pwned3 /srv/pwned4 /tmp/pwned1 /tmp/pwned2 /root/pwned1 /root/pwned2; do
    [ ! -e "$root$f" ] || fail "a value was executed on h$i: $f exists"
  done
done
[ ! -e pwned1 ] && [ ! -e /root/pwned1 ] && [ ! -e /tmp/pwned1 ] || fail "a value was executed on the workstation"
pass "metacharacters in tag and paths: delivered to the literal path on all $N hosts, nothing executed"

# A host name with metacharacters: refused before any host is touched, never run anywhere.
for evil in "198.18.0.10;touch /tmp/pwned5" "\$(touch /tmp/pwned6)" "--help"; do
  printf '%s\n' "$evil" > "$SANDBOX/evil-hosts"
  expect_one_error 2 "is not a plain host name" "${CTL[@]}" --log-dir "$SANDBOX/evil-logs" --hosts "$SANDBOX/evil-hosts" status
done
[ ! -e "$SANDBOX/evil-logs" ] || fail "a hostile host name still reached the hosts"
for i in $(seq 0 $((N - 1))); do
  for f in /tmp/pwned5 /tmp/pwned6; do [ ! -e "/proc/${FLEET_KEEPER[$i]}/root$f" ] || fail "a host name ran on h$i"; done
done
[ ! -e /tmp/pwned5 ] && [ ! -e /tmp/pwned6 ] || fail "a host name ran on the workstation"
pass "host names with metacharacters or a leading '-': refused with exit 2, no host touched"
