#include "murder/core/deploy_layout.hpp"

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"

namespace murder {

void validate_tag(std::string_view tag) {
  auto bad = [&](const std::string& why) { return failure(exit_code::usage, "Tag cannot " + why); };
  if (tag.empty()) throw failure(exit_code::usage, "You must specify a 'tag' parameter to identify the transfer");
  if (tag.find('/') != std::string_view::npos) throw bad("contain a / character");
  if (tag.find('\0') != std::string_view::npos) throw bad("contain a NUL byte");
  if (tag == "." || tag == "..") throw bad("be '" + std::string(tag) + "': it is not a usable name");
  if (tag.size() > 200) throw bad("be longer than 200 bytes (it has " + std::to_string(tag.size()) + ")");
}

void host_layout::make_dirs() const {
  for (const auto& dir : {run_dir(), log_dir(), torrent_dir()}) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw failure(exit_code::disk, "cannot make " + dir.string() + ": " + ec.message());
  }
}

std::string process_name(std::string_view role, std::string_view tag) {
  return std::string(role) + "-" + std::string(tag);
}

transfer_mode parse_transfer_mode(std::string_view name) {
  if (name == "tree") return transfer_mode::tree;
  if (name == "tgz") return transfer_mode::tgz;
  throw failure(exit_code::usage, "unknown transfer mode '" + std::string(name) + "' (use tree or tgz)");
}

const char* transfer_mode_name(transfer_mode mode) { return mode == transfer_mode::tree ? "tree" : "tgz"; }

transfer_files transfer_files_for(const std::filesystem::path& temp, const std::string& tag, transfer_mode mode) {
  auto payload = temp / (tag + (mode == transfer_mode::tree ? ".tree" : ".tgz"));
  return {payload, std::filesystem::path(payload.string() + ".torrent")};
}

std::filesystem::path delivery_target(const std::filesystem::path& destination, const std::string& tag,
                                      bool no_tag_directory, const std::optional<std::string>& file_name) {
  if (file_name) return destination / *file_name;
  return no_tag_directory ? destination : destination / tag;
}

}  // namespace murder
