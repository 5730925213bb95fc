# Data safety on the hosts and the workstation, through murderctl's local
# transport (hosts are directories; commands run as root like on a fleet):
# - a destination_path through a symbolic link keeps its link, and the release
#   lands in the real directory with no staging directory left;
# - path_is_file: a file planted at the seeder's TEMP/TAG.tgz.part (another
#   user's, mode 0666) never becomes the payload;
# - the workstation's .torrent is refused when it is a link, another user's, or
#   writable by others;
# - distribute_files installs a bundle packed by another uid as root-owned files,
#   and the built bundle records 0:0 for every entry.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sandbox_init
cd "$SANDBOX"
mkdir -p fleet/127.0.3.1 fleet/127.0.3.2
cat > murder.toml <<TOML
remote_murder_path = "murder"
default_temp_path = "tmp"
tracker_port = $(free_port)
[roles]
peer = ["127.0.3.1", "127.0.3.2"]
TOML
CTL=("$BIN/murderctl" --local fleet)
at_exit '"${CTL[@]}" stop_all_peering stop_all_seeding stop_tracker >/dev/null 2>&1'
make_tree release 2
"${CTL[@]}" distribute_files > out || { cat out; fail "distribute_files failed"; }

# The built bundle: every entry 0:0.
owners=$(tar --numeric-owner -tvzf "$BIN/murder-bundle.tar.gz" | awk '{print $2}' | sort -u)
[ "$owners" = "0/0" ] || fail "the bundle records owners '$owners', not 0/0"
# A bundle packed by uid 4321 still installs root-owned files.
mkdir foreign && tar -xzf "$BIN/murder-bundle.tar.gz" -C foreign
tar -C foreign --owner=4321 --group=4321 --numeric-owner -czf foreign.tgz bin libexec lib
"${CTL[@]}" --bundle foreign.tgz distribute_files > out || { cat out; fail "distribute_files of a foreign bundle failed"; }
for h in 127.0.3.1 127.0.3.2; do
  others=$(find "fleet/$h/murder/bin" "fleet/$h/murder/lib" ! -user root | head -3)
  [ -z "$others" ] || fail "$h: installed files not owned by root: $others"
done
pass "bundle entries are 0:0; one packed by uid 4321 installs root-owned files"

# destination_path through a symbolic link, on every host.
for h in 127.0.3.1 127.0.3.2; do mkdir -p "fleet/$h/data/srv" && ln -s data/srv "fleet/$h/srv"; done
"${CTL[@]}" deploy tag=v1 "files_path=$SANDBOX/release" destination_path=srv > out || { cat out; fail "deploy through a link failed"; }
for h in 127.0.3.1 127.0.3.2; do
  [ -L "fleet/$h/srv" ] || fail "$h: the link srv was replaced by $(stat -c %F "fleet/$h/srv")"
  diff -r --no-dereference -x .git release "fleet/$h/data/srv/v1" > /dev/null || fail "$h: release differs"
  left=$(find "fleet/$h/data" "fleet/$h" -maxdepth 2 -name '*murder-partial*')
  [ -z "$left" ] || fail "$h: staging directories left: $left"
done
pass "destination_path through a link: the link survives, the release is in the real directory, no staging left"

# path_is_file with a planted TEMP/TAG.tgz.part on the seeder (the first peer).
seeder=fleet/127.0.3.1
mkdir -p "$seeder/tmp"
: > "$seeder/tmp/f1.tgz.part"
chown 65534:65534 "$seeder/tmp/f1.tgz.part"
chmod 0666 "$seeder/tmp/f1.tgz.part"
echo "one file" > single.txt
"${CTL[@]}" create_torrent tag=f1 "files_path=$SANDBOX/single.txt" path_is_file=1 > out ||
  { cat out; fail "create_torrent path_is_file failed"; }
payload="$seeder/tmp/f1.tgz"
[ "$(stat -c %u "$payload")" = 0 ] || fail "the payload belongs to uid $(stat -c %u "$payload")"
[ $(( $(stat -c %#a "$payload") & 022 )) -eq 0 ] || fail "others may write the payload (mode $(stat -c %a "$payload"))"
cmp -s single.txt "$payload" || fail "the payload is not the file"
[ ! -s "$seeder/tmp/f1.tgz.part" ] || fail "the planted file was written"
pass "path_is_file: a planted .part never becomes the payload (payload root-owned, mode $(stat -c %a "$payload"))"

# The workstation's .torrent (temp_path here is tmp/ under the sandbox).
"${CTL[@]}" create_torrent tag=t1 "files_path=$SANDBOX/release" > out || { cat out; fail "create_torrent failed"; }
# refused_torrent PATTERN: peer fails on the workstation, naming why, before any host is touched.
refused_torrent() {
  local status=0
  "${CTL[@]}" peer tag=t1 destination_path=out1 > out 2>&1 || status=$?
  [ "$status" -ne 0 ] || { cat out; fail "peer accepted the torrent ($1 expected)"; }
  grep -E "^\*  +peer +FAILED .*$1" out > /dev/null || { cat out; fail "peer did not say '$1'"; }
  echo "   $(grep FAILED out | head -1)"
}
mv tmp/t1.tree.torrent good.torrent
ln -s "$SANDBOX/good.torrent" tmp/t1.tree.torrent
refused_torrent "refusing to use .*t1.tree.torrent: it is a symbolic link"
rm tmp/t1.tree.torrent && cp good.torrent tmp/t1.tree.torrent && chmod 0666 tmp/t1.tree.torrent
refused_torrent "others may write it \(mode 0666\)"
chmod 0644 tmp/t1.tree.torrent && chown 65534:65534 tmp/t1.tree.torrent
refused_torrent "belongs to uid 65534"
for h in 127.0.3.1 127.0.3.2; do [ ! -e "fleet/$h/out1" ] || fail "$h: a refused torrent was installed"; done
pass "the workstation's .torrent is refused as a link, writable by others, or another user's"
