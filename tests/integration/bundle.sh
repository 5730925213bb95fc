# The bundle distribute_files installs runs on a host with nothing but glibc: a
# chroot holding only the bundle and glibc's own libraries runs every program and
# makes a torrent; its own murder_client install-bundle puts it in place.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sandbox_init
BUNDLE="$BIN/murder-bundle.tar.gz"
[ -f "$BUNDLE" ] || fail "no bundle at $BUNDLE"
# Issue 14: at most 10 MB, which the statically linked libarchive allows (no
# libxml2, and so no 30 MB of ICU data).
size=$(stat -c %s "$BUNDLE")
[ "$size" -le 10000000 ] || fail "the bundle is $size bytes (at most 10 MB)"
! tar -tzf "$BUNDLE" | grep -E 'libxml2|libicu|libarchive' || fail "the bundle carries libarchive's shared dependencies"
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
pass "bundle ($size bytes, $libs library files) runs all four programs with only glibc present"

# install-bundle: the new bundle's own murder_client swaps bin/ and lib/ into
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
pass "install-bundle swaps bin/ and lib/ in and keeps run/; a directory of 1000 files is refused with the original's words"
