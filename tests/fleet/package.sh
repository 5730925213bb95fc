# The Debian package (issue 14): `cpack -G DEB` makes murder_VERSION_amd64.deb;
# dpkg installs it on each of 3 namespace hosts (each with a private /opt, and
# a private copy of dpkg's database and log, so the machine's own stay as they
# were); `murderctl check_install` finds this version in /opt/murder on every
# host, and a deploy runs from the packaged install with no distribute_files.
# A host with another version is named in one failed row.
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/fleet_lib.sh"
sandbox_init /var/tmp
N=3
fleet_up "$N" 1gbit
(cd "$BIN" && cpack -G DEB -B "$SANDBOX/package" > "$SANDBOX/cpack.log" 2>&1) || { cat "$SANDBOX/cpack.log"; fail "cpack failed"; }
deb=$(ls "$SANDBOX"/package/murder_*_amd64.deb) || fail "cpack made no .deb"
version=$("$BIN/murder_client" --version)
for i in $(seq 0 $((N - 1))); do
  on_host "$i" sh -c 'mount -t tmpfs tmpfs /opt && mkdir /srv/dpkg && cp -a /var/lib/dpkg/. /srv/dpkg/ &&
    mount --bind /srv/dpkg /var/lib/dpkg && : > /srv/dpkg.log && mount --bind /srv/dpkg.log /var/log/dpkg.log' ||
    fail "cannot give h$i its own /opt and dpkg database"
  on_host "$i" dpkg -i "$deb" > "$SANDBOX/dpkg$i.log" 2>&1 || { cat "$SANDBOX/dpkg$i.log"; fail "dpkg -i failed on h$i"; }
  [ "$(on_host "$i" dpkg-query -W -f '${Version}' murder)" = "$version" ] || fail "dpkg does not list murder $version on h$i"
done
! dpkg-query -W murder > /dev/null 2>&1 || fail "the machine's own dpkg database lists murder"
[ ! -e /opt/murder ] || fail "the package reached the machine's /opt"
pass "$(basename "$deb") ($(stat -c %s "$deb") bytes) installed with dpkg on $N hosts"

fleet_config "$SANDBOX/murder.toml"
sed -i 's|^remote_murder_path = .*|remote_murder_path = "/opt/murder"|' "$SANDBOX/murder.toml"
CTL=("$BIN/murderctl" -c "$SANDBOX/murder.toml" --log-dir "$SANDBOX/logs")
"${CTL[@]}" check_install > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "check_install failed"; }
[ "$(grep -c " check_install  ok .*murder $version in /opt/murder" "$SANDBOX/out")" -eq "$N" ] ||
  { cat "$SANDBOX/out"; fail "check_install did not find $version on every host"; }
TAG="deb$$"
at_exit 'rm -f "/tmp/$TAG.tgz.torrent" "/tmp/$TAG.tree.torrent"'
make_tree "$SANDBOX/release" 4
"${CTL[@]}" deploy tag="$TAG" files_path="$SANDBOX/release" > "$SANDBOX/out" || { cat "$SANDBOX/out"; fail "deploy from the package failed"; }
want=$(tree_digest "$SANDBOX/release")
for i in $(seq 0 $((N - 1))); do
  [ "$(tree_digest "/proc/${FLEET_KEEPER[$i]}/root/srv/app/$TAG")" = "$want" ] || fail "h$i: the release differs"
done
pass "check_install found murder $version on all $N hosts; a deploy ran from /opt/murder with no distribute_files"

# Another version on h2: one failed row naming it, the others ok.
# (A new file: bin/'s programs are one launcher, hard-linked.)
on_host 2 sh -c 'rm /opt/murder/bin/murder_client && printf "#!/bin/sh\necho 0.0.9\n" > /opt/murder/bin/murder_client &&
  chmod +x /opt/murder/bin/murder_client'
status=0
"${CTL[@]}" check_install > "$SANDBOX/out" || status=$?
[ "$status" -ne 0 ] || fail "check_install passed with another version on h2"
grep -q "${FLEET_HOSTS[2]} has murder 0.0.9 in /opt/murder, not $version as this murderctl" "$SANDBOX/out" ||
  { cat "$SANDBOX/out"; fail "check_install did not name h2's version"; }
pass "another version on h2: check_install exits $status naming it"
