#pragma once
// Small filesystem operations that must never leave a half-written result.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace murder {

// An output file that appears at its final path complete or not at all. Data goes
// to a temporary file created exclusively beside the target (so nothing planted in
// advance is followed); commit() syncs it and renames it over the target. If the
// object dies uncommitted, the temporary file is removed.
class atomic_output {
 public:
  explicit atomic_output(std::filesystem::path target, unsigned mode = 0644);
  ~atomic_output();
  atomic_output(const atomic_output&) = delete;
  atomic_output& operator=(const atomic_output&) = delete;

  int fd() const { return fd_; }
  const std::filesystem::path& target() const { return target_; }
  // Writes all of `bytes`; throws failure(disk) naming the target.
  void write(std::string_view bytes);
  // Syncs, closes and renames into place; throws failure(disk) naming the target.
  void commit();

 private:
  std::filesystem::path target_;
  std::string temp_path_;
  int fd_ = -1;
};

// Closes a file descriptor when it goes out of scope.
class fd_closer {
 public:
  explicit fd_closer(int fd) : fd_(fd) {}
  ~fd_closer();
  fd_closer(const fd_closer&) = delete;
  fd_closer& operator=(const fd_closer&) = delete;

 private:
  int fd_;
};

// Reads `fd` to its end; throws failure(bad_input) naming `path`.
std::string read_to_end(int fd, const std::filesystem::path& path);

// Makes sure a download target is a regular file owned by this user before
// libtorrent opens it: creates it empty (O_EXCL | O_NOFOLLOW, mode 0644 less
// the umask) when absent, and refuses a symbolic link, a non-regular file,
// another user's file or a file with more than one hard link. In a shared sticky directory such as /tmp nobody else
// can then swap it, so nothing planted there is ever written through.
// Throws failure(bad_input) naming the path and the reason, or failure(disk).
void claim_payload_file(const std::filesystem::path& path);

// Writes `bytes` to `path` atomically (see atomic_output).
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes, unsigned mode = 0644);

// Reads a whole file. Throws failure(bad_input) naming the path.
std::string read_file(const std::filesystem::path& path);

// What a line of a list file says: the line without its "#" comment and the
// whitespace around it ("" for a blank or comment-only line). Host lists,
// allowed lists and address files are read this way.
std::string_view line_content(std::string_view line);

// Reads a whole file that decides what a fleet installs (a .torrent on the
// workstation): refuses a symbolic link (O_NOFOLLOW), anything but a regular
// file, a file owned by another user, and a group- or world-writable file, so
// that on a shared machine nobody else can choose it. Throws failure(bad_input)
// naming the path and the reason.
std::string read_private_file(const std::filesystem::path& path);

// Copies `source` to `target` atomically (see atomic_output), with the source's
// permission bits less those outside `mode_mask`.
void copy_file_atomically(const std::filesystem::path& source, const std::filesystem::path& target,
                          unsigned mode_mask = 0777);

// The entries of `dir`, sorted by the bytes of their names (so the order never
// depends on the locale or the filesystem), without those whose name starts
// with ".git" when `skip_git`. Throws failure(bad_input) naming the directory.
std::vector<std::filesystem::directory_entry> sorted_children(const std::filesystem::path& dir, bool skip_git);

// Creates an empty directory (mode 0700) beside `target`, in the same directory so
// that a rename onto `target` is atomic, with a name nothing else uses.
std::filesystem::path make_staging_dir(const std::filesystem::path& target);

// Puts the directory `staging` at `target`, both names in the directory
// `parent`: a plain rename when the target is absent, otherwise an atomic
// exchange followed by removal of what was there. Throws failure(disk).
void swap_into_place(const std::filesystem::path& parent, const std::filesystem::path& staging,
                     const std::filesystem::path& target);

// Reads `size` bytes at `offset`, or as many as the file holds there (fewer
// at its end or on a read error): the count read.
std::int64_t pread_fully(int fd, char* buffer, std::int64_t size, std::int64_t offset);

// The text of an errno value.
std::string errno_text(int err);

// Owns a file descriptor (a file or a socket): closed when this goes.
class unique_fd {
 public:
  explicit unique_fd(int fd = -1) : fd_(fd) {}
  ~unique_fd();
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace murder
