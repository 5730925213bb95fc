# The bundle distribute_files installs runs on a host with nothing but glibc: a
# chroot holding only the bundle and glibc's own libraries runs every program and
# makes a torrent.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sandbox_init
BUNDLE="$BIN/murder-bundle.tar.gz"
[ -f "$BUNDLE" ] || fail "no bundle at $BUNDLE"
root="$SANDBOX/root"
mkdir -p "$root/lib64" "$root/lib/x86_64-linux-gnu" "$root/data"
tar -xzf "$BUNDLE" -C "$root"
# glibc: the libraries the bundle leaves out (see cmake/bundle.cmake).
for lib in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libresolv.so.2 libpthread.so.0 libdl.so.2 librt.so.1 libutil.so.1 libanl.so.1; do
  cp -L "/lib/x86_64-linux-gnu/$lib" "$root/lib/x86_64-linux-gnu/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
libs=$(ls "$root/lib" | grep -c '\.so')
for program in murder_tracker murder_make_torrent murder_client murderctl; do
  version=$(chroot "$root" "/bin/$program" --version) || fail "$program does not run with only glibc beside the bundle"
  [ "$version" = "$(cd "$root" && "$BIN/$program" --version)" ] || fail "$program printed '$version'"
done
head -c 1000000 /dev/urandom > "$root/data/payload"
chroot "$root" /bin/murder_make_torrent /data/payload 198.18.0.10:8998 /data/payload.torrent > /dev/null ||
  fail "murder_make_torrent failed in the chroot"
[ -s "$root/data/payload.torrent" ] || fail "no torrent written in the chroot"
pass "bundle ($(du -h "$BUNDLE" | cut -f1), $libs library files) runs all four programs with only glibc present"
