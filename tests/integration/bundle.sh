# The bundle distribute_files installs runs on any x86-64 Linux, whatever its C
# library: in a chroot holding only busybox-static and the bundle, every program
# runs, makes a torrent and downloads from a seeder; the bundle is at most
# 10 MB; its own murder_client install-bundle puts it in place.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sandbox_init
BUNDLE="$BIN/murder-bundle.tar.gz"
[ -f "$BUNDLE" ] || fail "no bundle at $BUNDLE"
# Issue 14: at most 10 MB, which the statically linked libarchive allows (no
# libxml2, and so no 30 MB of ICU data).
size=$(stat -c %s "$BUNDLE")
[ "$size" -le 10000000 ] || fail "the bundle is $size bytes (at most 10 MB)"
tar -tzf "$BUNDLE" > "$SANDBOX/contents" || fail "cannot list the bundle"
! grep -E 'libxml2|libicu|libarchive' "$SANDBOX/contents" || fail "the bundle carries libarchive's shared dependencies"
# A host with no C library of its own: a chroot holding nothing but Debian's
# busybox-static and the bundle. The bundle's launchers run each program
# through its own loader and glibc.
root="$SANDBOX/root"
mkdir -p "$root/bin" "$root/murder" "$root/data"
cp /bin/busybox "$root/bin/busybox"
tar -xzf "$BUNDLE" -C "$root/murder"
[ -z "$(find "$root" -path "$root/murder" -prune -o -name 'libc.so*' -print)" ] || fail "the chroot has a libc outside the bundle"
libs=$(ls "$root/murder/lib" | grep -c '\.so')
for program in murder_tracker murder_make_torrent murder_client murderctl; do
  version=$(chroot "$root" "/murder/bin/$program" --version) || fail "$program does not run in a chroot with only busybox"
  [ "$version" = "$("$BIN/$program" --version)" ] || fail "$program printed '$version'"
done
# A real download into the chroot: tracker and seeder from the build, the peer
# the bundle's murder_client inside it.
start_tracker
head -c 3000000 /dev/urandom > "$root/data/payload"
chroot "$root" /murder/bin/murder_make_torrent /data/payload "127.0.0.1:$TRACKER_PORT" /data/payload.torrent > /dev/null ||
  fail "murder_make_torrent failed in the chroot"
"$BIN/murder_client" seed "$root/data/payload.torrent" "$root/data/payload" 127.0.0.1 --daemon \
  --pidfile "$SANDBOX/seed.pid" --logfile "$SANDBOX/seed.log" > /dev/null || { cat "$SANDBOX/seed.log"; fail "the seeder did not start"; }
PIDFILES+=("$SANDBOX/seed.pid")
chroot "$root" /murder/bin/murder_client peer /data/payload.torrent /data/fetched 127.0.0.1 --seed-after 0 \
  --stall-timeout 20 > "$SANDBOX/peer.out" 2>&1 || { cat "$SANDBOX/peer.out"; fail "the chrooted peer did not download"; }
cmp -s "$root/data/payload" "$root/data/fetched" || fail "the chrooted peer holds other bytes"
pass "bundle ($size bytes, $libs library files) runs all four programs in a chroot of busybox-static alone, and downloads there from a seeder"

# install-bundle: the new bundle's own murder_client swaps bin/, libexec/ and lib/ into
# murder's directory and keeps run/; a directory too full to be an install is
# refused with the original's words and left as it was.
install_into() {  # install_into HOME: unpack the bundle beside HOME's install, run its install-bundle
  rm -rf "$1/.bundle-new" && mkdir -p "$1/.bundle-new" && cp "$BUNDLE" "$1/.bundle.tgz" &&
    tar --no-same-owner -xzf "$1/.bundle.tgz" -C "$1/.bundle-new" &&
    "$1/.bundle-new/bin/murder_client" install-bundle --home "$1"
}
home="$SANDBOX/murder"
mkdir -p "$home/bin" "$home/run"
echo old > "$home/bin/murder_client"
echo 123 > "$home/run/seed-T.pid"
said=$(install_into "$home") || fail "install-bundle failed: $said"
[ "$said" = "murder $("$BIN/murder_client" --version) in $home" ] || fail "install-bundle said '$said'"
"$home/bin/murder_client" --version > /dev/null || fail "the installed murder_client does not run"
[ "$(cat "$home/run/seed-T.pid")" = 123 ] || fail "install-bundle touched run/"
[ ! -e "$home/.bundle-new" ] && [ ! -e "$home/.bundle.tgz" ] && [ ! -e "$home/.bin-old" ] ||
  fail "install-bundle left $(ls -A "$home" | tr '\n' ' ')"
full="$SANDBOX/full"
mkdir -p "$full/data"
for i in $(seq 1000); do : > "$full/data/f$i"; done
expect_one_error 2 "Cowardly refusing to remove files! Check the remote_murder_path\." install_into "$full"
[ "$(ls "$full/data" | wc -l)" = 1000 ] && [ ! -e "$full/bin" ] && [ ! -e "$full/.bundle-new" ] ||
  fail "a refused install-bundle changed $full"
pass "install-bundle swaps bin/, libexec/ and lib/ in and keeps run/; a directory of 1000 files is refused with the original's words"
