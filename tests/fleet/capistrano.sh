# The Capistrano plugin as its users get it, the capistrano-murder gem (built
# here, installed offline into the sandbox), with Debian's real `cap` on the
# namespace fleet: the murder: tasks one by one with tag and paths as ENV, the
# original's messages for a missing tag and for a destination that is not
# empty (checked on every peer before any download), a user's hook that sees
# :tag and :filename, two tracker hosts (the second a backup that runs only the
# tracker, so it is no peer and gets no release), allowed_networks and
# stall_timeout, and `cap fleet deploy` through Capistrano::Murder::SCM (every
# release server's `current` is the new release; the seeder sent far fewer
# copies than there are hosts). Tags follow murderctl's rules ('..', '/', over
# 200 bytes are refused before any host is touched; a '*' is quoted like any
# other character), and what the tasks upload or download replaces a symlink
# or someone else's file planted at its predictable name instead of writing
# through or into it.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
# Not under /tmp: each host mounts its own /tmp over it, and sshd reads its keys here.
sandbox_init /var/tmp
N=10
fleet_up "$N" 200mbit
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TAG="cap$$"
at_exit 'rm -f "/tmp/$TAG.tgz.torrent" "/tmp/$TAG-file.tgz.torrent"'

# The gem from this checkout, into a GEM_HOME of the sandbox; Debian's
# capistrano (on the default gem path) is its one dependency, so no network.
export GEM_HOME="$SANDBOX/gems"
gem build --norc -C "$TOP/scripts/capistrano" capistrano-murder.gemspec -o "$SANDBOX/capistrano-murder.gem" \
  > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; fail "gem build capistrano-murder.gemspec failed"; }
gem install --norc --local --no-document "$SANDBOX/capistrano-murder.gem" > "$SANDBOX/out" 2>&1 ||
  { cat "$SANDBOX/out"; fail "gem install --local capistrano-murder.gem failed"; }
pass "capistrano-murder built with gem build and installed offline into $GEM_HOME"

project="$SANDBOX/project"
mkdir -p "$project/config/deploy"
cat > "$project/Capfile" <<'RUBY'
require "capistrano/setup"
require "capistrano/deploy"
require "capistrano/murder"
install_plugin Capistrano::Murder::SCM

# A user's hook: the original's tasks set :tag and :filename for it.
namespace :fleet_test do
  task :show_transfer do
    puts "hook sees tag=#{fetch(:tag)} filename=#{fetch(:filename)}"
  end
end
after "murder:create_torrent", "fleet_test:show_transfer"
RUBY
# h0 app and tracker (so a peer, and the seeder); h1 only the backup tracker:
# not a peer, as in the original. $1 adds to h1's properties.
write_stage() {
  local servers="" roles i
  for i in "${!FLEET_HOSTS[@]}"; do
    case $i in
      0) roles="%w[app tracker]" ;;
      1) roles="%w[tracker]$1" ;;
      *) roles="%w[app]" ;;
    esac
    servers+="server \"${FLEET_HOSTS[$i]}\", roles: $roles"$'\n'
  done
  cat > "$project/config/deploy/fleet.rb" <<RUBY
${servers}
set :ssh_options, user: "root", keys: ["$SANDBOX/client_key"], keys_only: true,
                  user_known_hosts_file: "$SANDBOX/known_hosts", verify_host_key: :always
RUBY
}
write_stage ""
PEERS=(0)  # the hosts that are peers: all but h1
for i in $(seq 2 $((N - 1))); do PEERS+=("$i"); done
cat > "$project/config/deploy.rb" <<RUBY
set :application, "demo"
set :deploy_to, "/srv/www"
set :remote_murder_path, "/srv/murder"
set :murder_bundle, "$BIN/murder-bundle.tar.gz"
set :murder_source, "$SANDBOX/release"
set :keep_releases, 3
set :allowed_networks, ["$FLEET_NET.0/24"]
set :murder_locations, { "rack1" => "$FLEET_NET.0/25", "rack2" => ["$FLEET_NET.128/25"] }
set :murder_metrics_dir, "/srv"
set :max_upload_rate, 900000
set :max_download_rate, 800000
set :format_options, log_file: "$SANDBOX/capistrano.log"
RUBY
make_tree "$SANDBOX/release" 16
want=$(tree_digest "$SANDBOX/release")
cd "$project"

# The murder: tasks below are checked in the original's tgz mode (its file
# names); cap deploy, further down, runs in tree mode, the default.
export transfer_mode=tgz
# A symlink where the bundle is uploaded: scp would write the bundle through it.
on_host 2 sh -c 'mkdir -p /srv/murder && echo victim > /srv/bundle-victim && ln -s /srv/bundle-victim /srv/murder/.bundle.tgz'
cap fleet murder:distribute_files > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; fail "cap murder:distribute_files failed"; }
[ "$(cat "/proc/${FLEET_KEEPER[2]}/root/srv/bundle-victim")" = victim ] ||
  fail "h2: the bundle upload wrote through a symlink planted at /srv/murder/.bundle.tgz"
pass "cap murder:distribute_files (a symlink planted at .bundle.tgz on h2 replaced, not written through)"

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

# murderctl's tag rules: each bad tag is refused with its message by both tasks,
# before any host is touched (no murder_client command in the output).
long_tag=$(printf 'a%.0s' $(seq 201))
refuse_tag() {
  local bad=$1 message=$2 task status
  for task in murder:stop_seeding murder:stop_peering; do
    status=0
    tag="$bad" cap fleet "$task" > "$SANDBOX/out" 2>&1 || status=$?
    [ "$status" -ne 0 ] && grep -qF "$message" "$SANDBOX/out" ||
      { cat "$SANDBOX/out"; fail "$task did not refuse the tag '$bad'"; }
    ! grep -q murder_client "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "$task reached the hosts with the tag '$bad'"; }
  done
}
refuse_tag .. "Tag cannot be '..': it is not a usable name"
refuse_tag . "Tag cannot be '.': it is not a usable name"
refuse_tag "x*;touch /tmp/pwned-slash;#" "Tag cannot contain a / character"
refuse_tag "$long_tag" "Tag cannot be longer than 200 bytes"
# A '*' in an otherwise good tag is a character of the name: the stop tasks once
# sent it down their glob branch unquoted, and this tag ran `touch` on the hosts.
# Quoted, murder_client gets the whole tag and stops (finds) the whole pidfile
# name, never a pattern (its JSON stop line names it);
# 200 bytes is still a tag.
star_tag="x*;cd;touch pwned-star;#"
for good in "$star_tag" "${long_tag:1}"; do
  tag="$good" cap fleet murder:stop_seeding murder:stop_peering > "$SANDBOX/out" 2>&1 ||
    { cat "$SANDBOX/out"; fail "the stop tasks failed for the tag '$good'"; }
  for name in "seed-$good" "peer-$good"; do
    grep -qF "\"pidfile\":\"/srv/murder/run/$name.pid\",\"outcome\":\"not_running\"" "$SANDBOX/capistrano.log" ||
      { tail -30 "$SANDBOX/capistrano.log"; fail "murder_client stop did not get run/$name.pid whole"; }
  done
done
for i in $(seq 0 $((N - 1))); do
  root="/proc/${FLEET_KEEPER[$i]}/root"
  for f in /root/pwned-star /pwned-star /tmp/pwned-slash; do [ ! -e "$root$f" ] || fail "a tag ran a command on h$i ($f)"; done
done
pass "tags '..', '.', with '/', of 201 bytes refused with messages, no host touched; a '*' tag quoted, nothing ran"

# path_is_file: a file another user made at the seeder's TEMP/TAG.tgz.part, where
# cp used to write the payload, is neither written nor moved to TAG.tgz.
on_host 0 sh -c "echo planted > /tmp/$TAG-file.tgz.part && chown 65534:65534 /tmp/$TAG-file.tgz.part &&
                 chmod 0666 /tmp/$TAG-file.tgz.part"
tag="$TAG-file" files_path="$SANDBOX/release/app/lib/deep/settings.conf" path_is_file=1 \
  cap fleet murder:create_torrent > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; fail "create_torrent path_is_file=1 failed"; }
h0tmp="/proc/${FLEET_KEEPER[0]}/root/tmp"
[ "$(cat "$h0tmp/$TAG-file.tgz.part")" = planted ] || fail "h0: the payload was written into the planted .part file"
[ "$(stat -c '%u %a' "$h0tmp/$TAG-file.tgz")" = "0 644" ] || fail "h0: the payload is $(stat -c '%u %a' "$h0tmp/$TAG-file.tgz")"
cmp -s "$h0tmp/$TAG-file.tgz" "$SANDBOX/release/app/lib/deep/settings.conf" || fail "h0: the payload differs from files_path"
tag="$TAG-file" cap fleet murder:clean_temp_files > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; fail "clean_temp_files failed"; }
pass "path_is_file: the payload is a new root-owned 0644 file; a planted TAG.tgz.part is left alone"

# Planted at the names the tasks upload the torrent to and download it to: a
# symlink at h3's /tmp/TAG.tgz.torrent to a file of h3's; a file uid 65534 owns
# and may write at h4's (with a second link to tell whether it was written); a
# symlink at this machine's (TEMP is /tmp here too). scp follows a symlink and
# writes into an existing file: each must be replaced instead.
on_host 3 sh -c "echo victim > /srv/victim && ln -s /srv/victim /tmp/$TAG.tgz.torrent"
on_host 4 sh -c "echo planted > /tmp/$TAG.tgz.torrent && chown 65534:65534 /tmp/$TAG.tgz.torrent &&
                 chmod 0666 /tmp/$TAG.tgz.torrent && ln /tmp/$TAG.tgz.torrent /tmp/planted-link"
echo victim > "$SANDBOX/victim"
ln -s "$SANDBOX/victim" "/tmp/$TAG.tgz.torrent"

tag="$TAG" files_path="$SANDBOX/release" destination_path=/srv/app stall_timeout=120 \
  cap fleet murder:start_tracker murder:create_torrent murder:start_seeding murder:peer murder:stop_seeding \
  murder:stop_tracker murder:stop_peering > "$SANDBOX/out" 2>&1 ||
  { cat "$SANDBOX/out"; fail "the murder: tasks failed"; }
[ "$(cat "$SANDBOX/victim")" = victim ] || fail "download_torrent wrote through the symlink at /tmp/$TAG.tgz.torrent"
[ -f "/tmp/$TAG.tgz.torrent" ] && [ ! -L "/tmp/$TAG.tgz.torrent" ] &&
  [ "$(stat -c %a "/tmp/$TAG.tgz.torrent")" = 644 ] || fail "this machine's /tmp/$TAG.tgz.torrent is not a 0644 file"
[ "$(cat "/proc/${FLEET_KEEPER[3]}/root/srv/victim")" = victim ] || fail "h3: the torrent upload wrote through a symlink"
[ "$(cat "/proc/${FLEET_KEEPER[4]}/root/tmp/planted-link")" = planted ] || fail "h4: the torrent upload wrote into a planted file"
for i in 3 4 5; do
  torrent="/proc/${FLEET_KEEPER[$i]}/root/tmp/$TAG.tgz.torrent"
  [ -f "$torrent" ] && [ ! -L "$torrent" ] && [ "$(stat -c '%u %a' "$torrent")" = "0 644" ] &&
    cmp -s "$torrent" "/tmp/$TAG.tgz.torrent" || fail "h$i: /tmp/$TAG.tgz.torrent is not root's 0644 copy of the torrent"
done
[ "$(stat -c '%u %a' "/proc/${FLEET_KEEPER[1]}/root/srv/murder/torrents/$TAG.torrent")" = "0 644" ] ||
  fail "h1: the tracker's copy of the torrent is not root's 0644 file"
pass "planted symlinks (h3, this machine) and a planted file of uid 65534 (h4) replaced, not written"
grep -qF "hook sees tag=$TAG filename=/tmp/$TAG.tgz" "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "the hook after murder:create_torrent did not see :tag and :filename"; }
pass "a hook after murder:create_torrent sees tag=$TAG filename=/tmp/$TAG.tgz"
# Each task's line per host comes from murder_client's JSON events (docs/STATUS.md).
size_mb=$(awk -v b="$(stat -c %s "/proc/${FLEET_KEEPER[0]}/root/tmp/$TAG.tgz")" 'BEGIN { printf "%.1f", b / 1e6 }')
for i in "${PEERS[@]}"; do
  grep -qE "${FLEET_HOSTS[$i]}: $size_mb MB in [0-9.]+ s \([0-9.]+ MB from peers\), delivered in [0-9.]+ s" "$SANDBOX/out" ||
    { grep "${FLEET_HOSTS[$i]}" "$SANDBOX/out"; fail "murder:peer printed no done line for h$i with $size_mb MB"; }
done
grep -qE "${FLEET_HOSTS[0]}: stopped 1 process; uploaded [0-9.]+ copies \([0-9.]+ MB\)" "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "murder:stop_seeding did not say what the seeder uploaded"; }
pass "murder:peer and murder:stop_seeding lines from the JSON events: $size_mb MB per peer; $(grep -oE 'uploaded [0-9.]+ copies' "$SANDBOX/out" | head -1)"
tag="$TAG" cap fleet murder:clean_temp_files > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; fail "murder:clean_temp_files failed"; }
for i in "${PEERS[@]}"; do
  [ "$(tree_digest "/proc/${FLEET_KEEPER[$i]}/root/srv/app/$TAG")" = "$want" ] || fail "h$i: tree differs"
done
# h1 has only the tracker role: no peer ran there, nothing was placed.
h1="/proc/${FLEET_KEEPER[1]}/root"
[ ! -e "$h1/srv/app" ] || fail "h1, only a tracker, got $(find "$h1/srv/app" -maxdepth 1 | head -3)"
[ ! -e "$h1/srv/murder/log/peer-$TAG.log" ] || fail "h1, only a tracker, ran a peer (srv/murder/log/peer-$TAG.log)"
for i in $(seq 0 $((N - 1))); do
  [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i"
done
pass "cap murder:start_tracker ... murder:clean_temp_files: ${#PEERS[@]} identical trees; h1 (tracker only) no peer; nothing left running"
backup_log="/proc/${FLEET_KEEPER[1]}/root/srv/murder/log/tracker.log"
grep -q "announces only from .*$FLEET_NET.0-$FLEET_NET.255" "$backup_log" || { cat "$backup_log"; fail "the backup tracker has no allowed networks"; }
announces=$(sed -n 's/.*stopped after \([0-9]*\) announces.*/\1/p' "$backup_log" | tail -1)
[ "${announces:-0}" -ge "$N" ] || { cat "$backup_log"; fail "the backup tracker on h1 saw ${announces:-no} announces"; }
grep -q "peers only from $FLEET_NET.0-$FLEET_NET.255" "/proc/${FLEET_KEEPER[5]}/root/srv/murder/log/peer-$TAG.log" ||
  fail "h5's peer has no peer filter"
pass "backup tracker on h1 answered $announces announces; tracker and peers limited to $FLEET_NET.0/24"
grep -q "locations: rack1 ($FLEET_NET.0-$FLEET_NET.127), rack2 ($FLEET_NET.128-$FLEET_NET.255)" "$backup_log" ||
  fail "the tracker was not given :murder_locations"
prom="/proc/${FLEET_KEEPER[5]}/root/srv/murder_peer_$TAG.prom"
grep -q "^murder_client_state{role=\"peer\",tag=\"$TAG\",state=\"done\"} 1$" "$prom" || fail "h5 kept no done textfile at $prom"
for log in "/proc/${FLEET_KEEPER[5]}/root/srv/murder/log/peer-$TAG.log" "/proc/${FLEET_KEEPER[0]}/root/srv/murder/log/seed-$TAG.log"; do
  grep -q "rate caps: upload 900000 kB/s, download 800000 kB/s" "$log" || fail "no rate caps from :max_upload_rate/:max_download_rate in $log"
done
pass ":murder_locations reached the tracker; :murder_metrics_dir got h5's textfile; the seeder and peers took the plugin's rate caps"

# Every peer's /srv/app/$TAG now holds the tree: murder:peer names each one in
# the original's words and stops before any peer starts a download.
status=0
tag="$TAG" destination_path=/srv/app cap fleet murder:peer > "$SANDBOX/out" 2>&1 || status=$?
[ "$status" -ne 0 ] || { cat "$SANDBOX/out"; fail "murder:peer into destinations that are not empty succeeded"; }
for i in "${PEERS[@]}"; do
  grep -qF "destination_path /srv/app/$TAG on ${FLEET_HOSTS[$i]} is not empty" "$SANDBOX/out" ||
    { cat "$SANDBOX/out"; fail "no 'destination_path /srv/app/$TAG on ${FLEET_HOSTS[$i]} is not empty'"; }
done
! grep -qF "on ${FLEET_HOSTS[1]} is not empty" "$SANDBOX/out" || fail "h1, only a tracker, was checked as a peer"
! grep -q murder_client "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "murder:peer started murder_client anyway"; }
for i in "${PEERS[@]}"; do
  [ ! -e "/proc/${FLEET_KEEPER[$i]}/root/tmp/$TAG.tgz.torrent" ] || fail "h$i: murder:peer uploaded the torrent anyway"
  [ "$(tree_digest "/proc/${FLEET_KEEPER[$i]}/root/srv/app/$TAG")" = "$want" ] || fail "h$i: the refused peer changed the tree"
done
pass "murder:peer into a full destination: 'destination_path /srv/app/$TAG on HOST is not empty' for all ${#PEERS[@]} peers, nothing started"

unset transfer_mode
# deploy_to behind a link on every host (/srv/www -> data/www), as on a linked volume.
for i in $(seq 0 $((N - 1))); do
  root="/proc/${FLEET_KEEPER[$i]}/root"
  mkdir -p "$root/srv/data/www" && ln -sfn data/www "$root/srv/www"
done
# h1 is still a release server (no no_release) but no peer: Capistrano's own
# release steps would run there on a release that never came. The deploy
# stops at murder:check, before any host is touched.
status=0
cap fleet deploy > "$SANDBOX/out" 2>&1 || status=$?
[ "$status" -ne 0 ] && grep -qF "${FLEET_HOSTS[1]} is a release server but not a murder peer" "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "cap deploy with the tracker-only h1 as a release server did not stop at murder:check"; }
for i in $(seq 0 $((N - 1))); do
  [ ! -e "/proc/${FLEET_KEEPER[$i]}/root/srv/data/www/releases" ] || fail "h$i: cap deploy went on after murder:check"
done
pass "cap deploy with a tracker-only release server stops at murder:check, no host touched"

write_stage ", no_release: true"
cap fleet deploy > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; tail -50 "$SANDBOX/capistrano.log"; fail "cap deploy failed"; }
grep -qF "THANK YOU FOR USING MURDER, HAVE A NICE DAY" "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "cap deploy did not end with the original strategy's last line"; }
release=""
for i in "${PEERS[@]}"; do
  root="/proc/${FLEET_KEEPER[$i]}/root"
  [ -L "$root/srv/www" ] || fail "h$i: the link deploy_to /srv/www was replaced"
  left=$(find "$root/srv/data/www" -maxdepth 3 -name '*murder-partial*')
  [ -z "$left" ] || fail "h$i: staging left behind: $left"
  current=$(readlink "$root/srv/www/current")
  [ -d "$root/srv/data/www/releases/$(basename "$current")" ] || fail "h$i: the release is not in the real directory"
  [ -n "$release" ] || release=$current
  [ "$current" = "$release" ] || fail "h$i: current is $current, not $release"
  # Capistrano adds REVISION to each release.
  [ "$(tree_digest "$root$current" REVISION)" = "$want" ] || fail "h$i: the release differs"
  [ "$(cat "$root$current/REVISION")" = "$(basename "$current")" ] || fail "h$i: REVISION is not the release name"
done
[ ! -e "$h1/srv/data/www/releases" ] || fail "h1 (tracker only, no_release) got releases/"
for i in $(seq 0 $((N - 1))); do
  [ -z "$(murder_processes_on "$i")" ] || fail "murder processes left on h$i after deploy"
done
name=$(basename "$release")
others=$((${#PEERS[@]} - 1))
# "stopped seeding PATH after uploading N bytes (C copies of its S bytes)"
copies=$(grep -o "([0-9.]* copies of its" "/proc/${FLEET_KEEPER[0]}/root/srv/murder/log/seed-$name.log" | grep -o '[0-9.]*')
[ -n "$copies" ] || fail "the seeder's log has no upload figure"
echo "the seeder uploaded $copies copies of the release for $others other hosts"
[ "$(echo "scale=2; $copies < $others / 2" | bc)" -eq 1 ] || fail "the seeder sent $copies copies for $others hosts"
pass "cap deploy through the link /srv/www -> data/www: current -> $release on the ${#PEERS[@]} peers, link kept, none on h1 (tracker only); the seeder sent $copies copies for $others hosts"

# An incremental cap deploy: the next release edits a small file and changes
# its mode, adds one and deletes one. Every peer reuses the release current
# points to (the 16 MB big.bin comes from there, verified, not over the
# network) and ends identical to the new tree; the old release is untouched.
old_digest=$(tree_digest "/proc/${FLEET_KEEPER[${PEERS[0]}]}/root$release" REVISION)
echo "config 2" > "$SANDBOX/release/app/lib/deep/settings.conf"
chmod 0600 "$SANDBOX/release/app/lib/deep/settings.conf"
echo "new" > "$SANDBOX/release/app/new.txt"
rm "$SANDBOX/release/app/empty"
want2=$(tree_digest "$SANDBOX/release")
# Capistrano names a release by the second it starts: the next one needs a new second.
started=$(date +%s)
for _ in $(seq 1 20); do [ "$(date +%s)" != "$started" ] && break; sleep 0.1; done
cap fleet deploy > "$SANDBOX/out" 2>&1 || { cat "$SANDBOX/out"; tail -50 "$SANDBOX/capistrano.log"; fail "the second cap deploy failed"; }
for i in "${PEERS[@]}"; do
  root="/proc/${FLEET_KEEPER[$i]}/root"
  current=$(readlink "$root/srv/www/current")
  [ "$current" != "$release" ] || fail "h$i: current still points to $release"
  [ "$(tree_digest "$root$current" REVISION)" = "$want2" ] || fail "h$i: the incremental release differs from the tree"
  [ "$(tree_digest "$root$release" REVISION)" = "$old_digest" ] || fail "h$i: the base release $release was changed"
  log="$root/srv/murder/log/peer-$(basename "$current").log"
  reused=$(sed -n 's/.* reused \([0-9.]*\) MB .* from .*/\1/p' "$log" | tail -1)
  [ -n "$reused" ] && [ "$(echo "$reused >= 16" | bc)" -eq 1 ] ||
    { cat "$log"; fail "h$i reused ${reused:-nothing} MB of the 16.8 MB release"; }
done
pass "a second cap deploy (one file edited and chmod-ed, one added, one deleted) reuses current on the ${#PEERS[@]} peers: identical trees, the old release untouched"
