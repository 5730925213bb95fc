#include "murder/client/deploy_form.hpp"

#include <algorithm>

#include "murder/core/deploy_layout.hpp"
#include "murder/core/error.hpp"

namespace murder::client {

namespace fs = std::filesystem;

namespace {

failure usage(const std::string& what) { return failure(exit_code::usage, what); }

void check_file_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    throw usage("--file-name '" + name + "' is not a plain file name");
  }
}

}  // namespace

transfer_places resolve_transfer(const deploy_words& words, const std::string& role, const std::string& pidfile,
                                 const std::string& logfile, const std::optional<fs::path>& extract_to,
                                 const std::optional<fs::path>& copy_to) {
  transfer_places places{{}, {}, {}, pidfile, logfile, extract_to, copy_to, {}};
  const bool tagged = !words.tag.empty();
  if (tagged) validate_tag(words.tag);
  if (words.args.size() == 3) {
    places.torrent = words.args[0];
    places.saveas = words.args[1];
    places.ip = words.args[2];
  } else if (words.args.size() == 1 && tagged) {
    auto files = transfer_files_for(words.temp, words.tag, words.tree ? transfer_mode::tree : transfer_mode::tgz);
    places.torrent = files.torrent;
    places.saveas = files.payload;
    places.ip = words.args[0];
  } else {
    throw usage(role + " takes TORRENT SAVEAS IP, or IP with --tag");
  }
  if (!words.home.empty() && !tagged) throw usage("--home needs --tag: the tag names the pidfile and the log");
  if (!words.destination.empty()) {
    if (!tagged) throw usage("--destination needs --tag: the release goes to DESTINATION/TAG");
    if (places.extract_to || places.copy_to) throw usage("--destination with --extract or --copy-to: give one of them");
    if (words.file_name) check_file_name(*words.file_name);
    if (words.file_name && words.no_tag_directory) throw usage("--file-name and --no-tag-directory: give one of them");
    auto target = delivery_target(words.destination, words.tag, words.no_tag_directory, words.file_name);
    if (words.file_name) places.copy_to = target;
    else places.extract_to = target;
    if (!words.base_tag.empty()) {
      validate_tag(words.base_tag);
      places.base = fs::path(words.destination) / words.base_tag;
    }
  } else if (words.no_tag_directory || words.file_name || !words.base_tag.empty()) {
    throw usage("--no-tag-directory, --file-name and --base-tag go with --destination");
  }
  // Last: a command line refused above leaves nothing behind.
  if (!words.home.empty()) {
    host_layout layout{words.home};
    layout.make_dirs();
    const std::string name = process_name(role, words.tag);
    if (places.pidfile.empty()) places.pidfile = layout.pidfile(name).string();
    if (places.logfile.empty()) places.logfile = layout.logfile(name).string();
  }
  return places;
}

std::vector<fs::path> select_pidfiles(const fs::path& home, const std::string& role, const std::string& tag) {
  if (!role.empty() && role != "tracker" && role != "seed" && role != "peer") {
    throw usage("--role must be tracker, seed or peer, not '" + role + "'");
  }
  if (!tag.empty()) validate_tag(tag);
  if (!tag.empty() && role.empty()) throw usage("--tag needs --role seed or peer");
  host_layout layout{home};
  if (role == "tracker" && !tag.empty()) throw usage("--tag goes with --role seed or peer, not tracker");
  if (role == "tracker") return {layout.pidfile("tracker")};
  if (!role.empty() && !tag.empty()) return {layout.pidfile(process_name(role, tag))};
  // Only murder's own names: HOME/run may be a system directory by mistake,
  // and stop removes a stale pidfile it is given.
  auto ours = [&](const std::string& name) {
    auto has_prefix = [&](const std::string& prefix) {
      return name.size() > prefix.size() + 4 && name.compare(0, prefix.size(), prefix) == 0 &&
             name.compare(name.size() - 4, 4, ".pid") == 0;
    };
    if (!role.empty()) return has_prefix(role + "-");
    return name == "tracker.pid" || name == "bundle.pid" || has_prefix("seed-") || has_prefix("peer-");
  };
  std::vector<fs::path> found;
  std::error_code ec;
  for (fs::directory_iterator it(layout.run_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    if (ours(it->path().filename().string())) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace murder::client
