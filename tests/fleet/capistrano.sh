# The Capistrano plugin with Debian's real `cap` on the namespace fleet: the
# murder: tasks one by one with tag and paths as ENV, the original's message for
# a missing tag, two tracker hosts (the second a backup the peers use too),
# allowed_networks and stall_timeout, and `cap fleet deploy` through Capistrano::Murder::SCM (every
# host's `current` is the new release; the seeder sent far fewer copies than
# there are hosts).
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
# Not under /tmp: each host mounts its own /tmp over it, and sshd reads its keys here.
sandbox_init /var/tmp
N=10
fleet_up "$N" 200mbit
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TAG="cap$$"
at_exit 'rm -f "/tmp/$TAG.tgz.torrent"'

project="$SANDBOX/project"
mkdir -p "$project/config/deploy"
cat > "$project/Capfile" <<RUBY
require "capistrano/setup"
require "capistrano/deploy"
require_relative "$TOP/scripts/capistrano/murder"
install_plugin Capistrano::Murder::SCM
RUBY
servers=""
for i in "${!FLEET_HOSTS[@]}"; do
  roles="app"
  [ "$i" -gt 1 ] || roles="app tracker"  # h0 tracker, h1 backup tracker
  servers+="server \"${FLEET_HOSTS[$i]}\", roles: %w[$roles]"$'\n'
done
cat > "$project/config/deploy.rb" <<RUBY
set :application, "demo"
set :deploy_to, "/srv/www"
set :remote_murder_path, "/srv/murder"
set :murder_bundle, "$BIN/murder-bundle.tar.gz"
set :murder_source, "$SANDBOX/release"
set :keep_releases, 3
set :allowed_networks, ["$FLEET_NET.0/24"]
set :format_options, log_file: "$SANDBOX/capistrano.log"
RUBY
cat > "$project/config/deploy/fleet.rb" <<RUBY
${servers}
set :ssh_options, user: "root", keys: ["$SANDBOX/client_key"], keys_only: true,
                  user_known_hosts_file: "$SANDBOX/known_hosts", verify_host_key: :always
RUBY
make_tree "$SANDBOX/release" 16
want=$(tree_digest "$SANDBOX/release")
cd "$project"

cap fleet murder:distribute_files > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; fail "cap murder:distribute_files failed"; }
pass "cap murder:distribute_files"

status=0
cap fleet murder:peer > "$SANDBOX/out" 2>&1 || status=$?
[ "$status" -ne 0 ] && grep -q "You must specify a 'tag' parameter to identify the transfer" "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "a missing tag did not stop with the original's message"; }
status=0
tag="$TAG" cap fleet murder:peer > "$SANDBOX/out" 2>&1 || status=$?
[ "$status" -ne 0 ] && grep -q "You must specify a 'destination_path' parameter" "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "a missing destination_path did not stop with the original's message"; }
status=0
tag="$TAG" destination_path=/srv/app stall_timeout=soon cap fleet murder:peer > "$SANDBOX/out" 2>&1 || status=$?
[ "$status" -ne 0 ] && grep -q "stall_timeout must be a number of seconds from 1 to 86400, not 'soon'" "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "a bad stall_timeout was not refused"; }
pass "missing tag / destination_path stop with the original's messages; a bad stall_timeout is refused"

tag="$TAG" files_path="$SANDBOX/release" destination_path=/srv/app stall_timeout=120 \
  cap fleet murder:start_tracker murder:create_torrent murder:start_seeding murder:peer murder:stop_seeding \
  murder:stop_tracker murder:stop_peering murder:clean_temp_files > "$SANDBOX/out" 2>&1 ||
  { cat "$SANDBOX/out"; fail "the murder: tasks failed"; }
for i in $(seq 0 $((N - 1))); do
  [ "$(tree_digest "/proc/${FLEET_KEEPER[$i]}/root/srv/app/$TAG")" = "$want" ] || fail "h$i: tree differs"
  [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i"
done
pass "cap murder:start_tracker ... murder:clean_temp_files: $N identical trees, nothing left running"
backup_log="/proc/${FLEET_KEEPER[1]}/root/srv/murder/log/tracker.log"
grep -q "announces only from $FLEET_NET.0-$FLEET_NET.255" "$backup_log" || { cat "$backup_log"; fail "the backup tracker has no allowed networks"; }
announces=$(sed -n 's/.*stopped after \([0-9]*\) announces.*/\1/p' "$backup_log" | tail -1)
[ "${announces:-0}" -ge "$N" ] || { cat "$backup_log"; fail "the backup tracker on h1 saw ${announces:-no} announces"; }
grep -q "peers only from $FLEET_NET.0-$FLEET_NET.255" "/proc/${FLEET_KEEPER[5]}/root/srv/murder/log/peer-$TAG.log" ||
  fail "h5's peer has no peer filter"
pass "backup tracker on h1 answered $announces announces; tracker and peers limited to $FLEET_NET.0/24"

cap fleet deploy > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; tail -50 "$SANDBOX/capistrano.log"; fail "cap deploy failed"; }
release=""
for i in $(seq 0 $((N - 1))); do
  root="/proc/${FLEET_KEEPER[$i]}/root"
  current=$(readlink "$root/srv/www/current")
  [ -n "$release" ] || release=$current
  [ "$current" = "$release" ] || fail "h$i: current is $current, not $release"
  # Capistrano adds REVISION to each release.
  [ "$(tree_digest "$root$current" REVISION)" = "$want" ] || fail "h$i: the release differs"
  [ "$(cat "$root$current/REVISION")" = "$(basename "$current")" ] || fail "h$i: REVISION is not the release name"
  [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i after deploy"
done
name=$(basename "$release")
# "stopped seeding PATH after uploading N bytes (C copies of its S bytes)"
copies=$(grep -o "([0-9.]* copies of its" "/proc/${FLEET_KEEPER[0]}/root/srv/murder/log/seed-$name.log" | grep -o '[0-9.]*')
[ -n "$copies" ] || fail "the seeder's log has no upload figure"
echo "the seeder uploaded $copies copies of the release for $((N - 1)) other hosts"
[ "$(echo "scale=2; $copies < ($N - 1) / 2" | bc)" -eq 1 ] || fail "the seeder sent $copies copies for $((N - 1)) hosts"
pass "cap deploy: current -> $release on all $N hosts; the seeder sent $copies copies for $((N - 1)) hosts"
