# A fleet reached only through a bastion (issue 14): two sites joined by a
# router namespace; the workstation is on site 1 only, where h0 is the bastion;
# the fleet (h3, h4, h5) is on site 2, which the workstation cannot reach. The
# operator's ~/.ssh/config says `ProxyJump root@BASTION` for the fleet, as a
# large fleet's would. murderctl (libssh) honours it: distribute_files and a
# whole deploy succeed through the bastion, the trees are identical, nothing
# is left running. murderctl runs with a /root of its own (mount namespace),
# so that the `ssh -W` that ProxyJump runs reads this test's ~/.ssh/config.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
fleet_up_sites 3 1gbit 1gbit
ip addr del "${FLEET_SITE_NETS[1]}.1/24" dev "${FLEET_TAG}b2"
BASTION=${FLEET_HOSTS[0]}
FLEET=("${FLEET_HOSTS[3]}" "${FLEET_HOSTS[4]}" "${FLEET_HOSTS[5]}")
! ping -c 1 -W 1 "${FLEET[0]}" > /dev/null 2>&1 || fail "the workstation reaches ${FLEET[0]} without the bastion"

mkdir -p "$SANDBOX/home"
cat > "$SANDBOX/home/ssh_config" <<CONF
Host ${FLEET_SITE_NETS[1]}.*
  ProxyJump root@$BASTION
Host 198.18.*
  User root
  IdentityFile $SANDBOX/client_key
  UserKnownHostsFile $SANDBOX/known_hosts
  StrictHostKeyChecking yes
CONF
peers=$(printf '"%s", ' "${FLEET[@]}")
cat > "$SANDBOX/murder.toml" <<TOML
remote_murder_path = "/srv/murder"
default_destination_path = "/srv/app"
[roles]
peer = [${peers%, }]
[ssh]
config = "~/.ssh/config"
connect_timeout = 10
TOML
# murderctl ARGS...: murderctl as the operator runs it, with the test's ~/.ssh/config.
murderctl() {
  unshare --mount --propagation private sh -c 'mount -t tmpfs -o mode=700 tmpfs /root && mkdir -m 700 /root/.ssh &&
    cp "$0/home/ssh_config" /root/.ssh/config && exec "$@"' "$SANDBOX" \
    "$BIN/murderctl" -c "$SANDBOX/murder.toml" --log-dir "$SANDBOX/logs" "$@"
}
TAG="jump$$"
at_exit 'rm -f "/tmp/$TAG.tgz.torrent" "/tmp/$TAG.tree.torrent"'
make_tree "$SANDBOX/release" 8
want=$(tree_digest "$SANDBOX/release")

murderctl distribute_files > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; fail "distribute_files through the bastion failed"; }
murderctl deploy tag="$TAG" files_path="$SANDBOX/release" > "$SANDBOX/out" 2>&1 ||
  { cat "$SANDBOX/out"; fail "deploy through the bastion failed"; }
for i in 3 4 5; do
  [ "$(tree_digest "/proc/${FLEET_KEEPER[$i]}/root/srv/app/$TAG")" = "$want" ] || fail "h$i: the release differs"
  [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i"
done
# Every session on the fleet came from the bastion's address.
for i in 3 4 5; do
  grep -q "Accepted publickey for root from $BASTION " "$SANDBOX/sshd/h$i.log" || fail "h$i's sshd saw no session from the bastion"
  ! grep "Accepted publickey" "$SANDBOX/sshd/h$i.log" | grep -qv "from $BASTION " || fail "h$i's sshd saw a session from elsewhere"
done
pass "through the bastion $BASTION (ProxyJump): distribute_files and deploy on ${#FLEET[@]} hosts the workstation cannot reach; identical trees, nothing left running"
