#pragma once
// Packing a release directory into one tarball, and extracting it safely.
//
// Packing is deterministic: entries are written in byte order of their names with
// owner 0:0, no user or group names, permission bits and modification time (whole
// seconds) from the tree, and a gzip header without a timestamp. The same tree
// therefore gives the same bytes, and so the same info-hash, on any host.
//
// Extraction is atomic and confined: the archive is unpacked into a staging
// directory beside the target, then swapped into place with one rename. Entries
// with absolute names, `..` components, links that resolve outside the target,
// device nodes, FIFOs, or names longer than the filesystem allows are refused, and
// the staging directory is removed, so a failed extraction leaves nothing behind.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace murder {

enum class compression { gzip, zstd, none };

// Parses "gzip", "zstd" or "none"; throws failure(usage) otherwise.
compression parse_compression(std::string_view name);

struct pack_options {
  compression method = compression::gzip;
  int level = 0;          // 0: the compressor's default (gzip 6, zstd 3)
  bool skip_git = true;   // leave out every entry whose name starts with ".git"
};

struct pack_result {
  std::uint64_t entries = 0;
  std::uint64_t content_bytes = 0;  // bytes of regular-file content read
  std::uint64_t archive_bytes = 0;  // size of the archive written
};

// Packs the tree under `source_dir` into `archive_path` (written atomically).
// Throws failure(bad_input) for a missing source or a special file in it, and
// failure(disk) when the archive cannot be written.
pack_result pack_directory(const std::filesystem::path& source_dir, const std::filesystem::path& archive_path,
                           const pack_options& options);

enum class entry_type { file, directory, symlink, hardlink, special };

// Why an archive entry must not be extracted, or an empty string if it is safe.
// `link_target` is the symlink's target or the hardlink's source.
std::string unsafe_entry_reason(std::string_view path, entry_type type, std::string_view link_target);

// Checks the entries of one archive together. reason() checks each entry as it
// comes (unsafe_entry_reason); links_reason(), after the last entry, checks the
// symbolic links as a whole: each must resolve inside the root when followed
// through every other link in the archive (b/c -> .. with d/e -> ../b/c/..
// climbs out, in either order), within 40 hops, and no entry may be placed
// through a link. Extraction therefore creates the links last, after checking.
class entry_checker {
 public:
  // Why this entry must not be extracted, or an empty string if it is safe.
  std::string reason(std::string_view path, entry_type type, std::string_view link_target);
  // "refusing entry 'NAME': why" for the first unsafe link, or an empty string.
  std::string links_reason() const;

 private:
  std::map<std::string, std::string> links_;  // normalised name -> target
  std::set<std::string> passed_;              // directories that entries are placed through
};

struct extract_options {
  // When the target exists and is not empty: false refuses, true replaces its
  // contents (swapped out atomically, then deleted).
  bool replace_existing = false;
  // The host named in the refusal of a non-empty target, which is then the
  // original Murder's words: "destination_path DIR on HOST is not empty".
  // Empty: "destination DIR is not empty; refusing to overwrite it".
  std::string host;
};

struct extract_result {
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
};

// Throws failure(disk) if `target` exists, is not an empty directory, and
// `replace_existing` is false. Run it before a long download to fail early.
void check_extract_target(const std::filesystem::path& target, const extract_options& options);

// Makes a directory at `target` atomically: stages an empty private directory
// beside it (mode 0755), lets `fill` write the release there, and swaps it
// into place (replacing a non-empty target only with `replace_existing`). A
// target that is a link to a directory is followed. When `fill` throws,
// nothing is left behind and the target is untouched.
void deliver_directory(const std::filesystem::path& target, const extract_options& options,
                       const std::function<void(const std::filesystem::path& staging)>& fill);

// Extracts `archive_path` (tar, plain or gzip or zstd compressed: what
// murder_make_torrent and the original's tar czf write) into
// `target_dir` atomically. Throws failure(bad_input) for an unsafe or corrupt
// archive, failure(disk) when writing fails; either way nothing is left behind.
extract_result extract_archive(const std::filesystem::path& archive_path, const std::filesystem::path& target_dir,
                               const extract_options& options);

// Where extract_archive reads a tarball that is still arriving: read() blocks
// until bytes are available (only bytes that may be trusted: for a download,
// verified pieces), returns 0 at the end, and throws a failure to abandon the
// extraction.
class byte_source {
 public:
  virtual ~byte_source() = default;
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
};

// As above, reading the archive from `source` as it comes; `archive_name`
// names it in messages. Nothing is left behind when `source` throws.
extract_result extract_archive(byte_source& source, const std::string& archive_name,
                               const std::filesystem::path& target_dir, const extract_options& options);

// Throws failure(disk) unless place_file could put a file at `target`.
void check_place_target(const std::filesystem::path& target, const extract_options& options);

// Places a single payload file at `target` (atomically), for `path_is_file` runs.
void place_file(const std::filesystem::path& payload, const std::filesystem::path& target,
                const extract_options& options);

}  // namespace murder
