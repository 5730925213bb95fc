#include "murder/ctl/bundle_commands.hpp"

#include <vector>

#include "murder/ctl/remote_quote.hpp"

namespace murder::ctl {

namespace {

// Run on a host in remote_murder_path: $1 = how the copy came ("-": uploaded
// as .bundle.tgz.part; else ADDRESS, and $2 PORT, of a host serving it), $3 =
// its SHA-256, $4 its size. Fetches over a plain TCP stream (bash's /dev/tcp, or nc),
// checks the copy, and only then names it .bundle.tgz. Exit 4: the fetch
// failed (worth another source); 3: the bytes are not the bundle; 2: no tool
// to fetch or check with.
constexpr const char* fetch_script = R"sh(
addr=$1 port=$2 want=$3 size=$4
if [ "$addr" != - ]; then
  rm -f .bundle.tgz.part
  if command -v bash > /dev/null 2>&1; then
    set -- bash -c 'exec 3< "/dev/tcp/$0/$1" && exec cat <&3' "$addr" "$port"
  elif command -v nc > /dev/null 2>&1; then
    set -- nc "$addr" "$port"
  else
    echo "neither bash nor nc here to fetch the bundle with" >&2; exit 2
  fi
  if command -v timeout > /dev/null 2>&1; then set -- timeout 600 "$@"; fi
  if ! "$@" < /dev/null > .bundle.tgz.part; then
    rm -f .bundle.tgz.part; echo "cannot fetch the bundle from $addr port $port" >&2; exit 4
  fi
  got=$(($(wc -c < .bundle.tgz.part)))
  if [ "$got" -lt "$size" ]; then
    rm -f .bundle.tgz.part; echo "the bundle from $addr port $port was cut short ($got of $size bytes)" >&2; exit 4
  fi
fi
if ! got=$(sha256sum .bundle.tgz.part); then
  rm -f .bundle.tgz.part; echo "no sha256sum here to check the bundle with" >&2; exit 2
fi
got=${got%% *}
if [ "$got" != "$want" ]; then
  rm -f .bundle.tgz.part
  if [ "$addr" = - ]; then addr="this machine"; else addr="$addr port $port"; fi
  echo "the bundle from $addr is not the one sent (SHA-256 $got)" >&2; exit 3
fi
mv -f .bundle.tgz.part .bundle.tgz
)sh";

// Unpacked beside the old install; its own murder_client then swaps bin/ and
// lib/ in (run/, log/ and torrents/ stay) and refuses a directory too full to
// be a murder install. $1 = 1: first pass the checked copy on (as
// run/bundle.tgz, on port $2) with the unpacked murder_client, so the next
// hosts fetch while this one installs.
constexpr const char* install_script = R"sh(
serve=$1 port=$2
rm -rf .bundle-new && mkdir .bundle-new && tar --no-same-owner -xzf .bundle.tgz -C .bundle-new || exit
if [ "$serve" = 1 ] && mkdir -p run && .bundle-new/bin/murder_client stop run/bundle.pid > /dev/null &&
   { ln -f .bundle.tgz run/bundle.tgz 2> /dev/null || cp .bundle.tgz run/bundle.tgz; }; then
  set -- ${SSH_CONNECTION:-}
  echo "address ${3:-}"
  .bundle-new/bin/murder_client serve-bundle --home . --port "$port" || rm -f run/bundle.tgz
fi
exec .bundle-new/bin/murder_client install-bundle --home .
)sh";

std::string in_root(const std::string& root, const char* script, const std::vector<std::string>& args) {
  std::vector<std::string> words = {"sh", "-c", script, "murder"};
  words.insert(words.end(), args.begin(), args.end());
  return "mkdir -p -- " + shell_quote_path(root) + " && cd -- " + shell_quote_path(root) + " && " + shell_command(words);
}

}  // namespace

std::string bundle_fetch_command(const std::string& root, const bundle_source& source, const std::string& sha256,
                                 std::size_t size) {
  if (source.from_workstation()) return in_root(root, fetch_script, {"-", "-", sha256, std::to_string(size)});
  return in_root(root, fetch_script, {source.address, std::to_string(source.port), sha256, std::to_string(size)});
}

std::string bundle_install_command(const std::string& root, std::optional<int> serve_port) {
  return in_root(root, install_script, {serve_port ? "1" : "0", std::to_string(serve_port.value_or(0))});
}

std::string bundle_stop_command(const std::string& root) {
  // Removing the copy stops the server too, within half a second: what is
  // left where the install failed and no murder_client is in place.
  return "cd -- " + shell_quote_path(root) +
         " && { if [ -x bin/murder_client ]; then bin/murder_client stop run/bundle.pid > /dev/null; fi;"
         " rm -f run/bundle.tgz; }";
}

}  // namespace murder::ctl
