#include "murder/core/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"

namespace murder {
namespace fs = std::filesystem;

namespace {

constexpr size_t io_block = 1 << 20;

struct archive_writer_deleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct archive_reader_deleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct entry_deleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using archive_writer = std::unique_ptr<archive, archive_writer_deleter>;
using archive_reader = std::unique_ptr<archive, archive_reader_deleter>;

// libarchive's text, with the system's reason when it has one ("Write failed:
// No space left on device") and the text does not already say it.
std::string archive_message(archive* a) {
  const char* text = archive_error_string(a);
  std::string message = text ? text : "unknown archive error";
  int err = archive_errno(a);
  if (err > 0) {
    std::string reason = std::strerror(err);
    if (message.find(reason) == std::string::npos) message += ": " + reason;
  }
  return message;
}

class packer {
 public:
  packer(archive* out, const fs::path& root, bool skip_git) : out_(out), root_(root), skip_git_(skip_git) {}

  pack_result run() {
    add_children(root_, "");
    return result_;
  }

 private:
  void add_children(const fs::path& dir, const std::string& prefix) {
    for (const auto& child : sorted_children(dir, skip_git_)) {
      std::string name = prefix + child.path().filename().string();
      add(child.path(), name);
    }
  }

  void add(const fs::path& path, const std::string& name) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      throw failure(exit_code::bad_input, "cannot read " + path.string() + ": " + errno_text(errno));
    }
    std::unique_ptr<archive_entry, entry_deleter> entry(archive_entry_new());
    archive_entry* e = entry.get();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_perm(e, st.st_mode & 07777);
    archive_entry_set_mtime(e, st.st_mtim.tv_sec, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    std::string link;
    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(e, AE_IFDIR);
    } else if (S_ISREG(st.st_mode)) {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, st.st_size);
    } else if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      link = fs::read_symlink(path, ec).string();
      if (ec) throw failure(exit_code::bad_input, "cannot read link " + path.string() + ": " + ec.message());
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, link.c_str());
    } else {
      throw failure(exit_code::bad_input, "cannot pack " + path.string() + ": not a file, directory or symbolic link");
    }
    if (archive_write_header(out_, e) != ARCHIVE_OK) {
      throw failure(exit_code::disk, "cannot pack " + path.string() + ": " + archive_message(out_));
    }
    ++result_.entries;
    if (S_ISREG(st.st_mode)) copy_content(path, static_cast<std::uint64_t>(st.st_size));
    if (S_ISDIR(st.st_mode)) add_children(path, name + "/");
  }

  void copy_content(const fs::path& path, std::uint64_t expected) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) throw failure(exit_code::bad_input, "cannot read " + path.string() + ": " + errno_text(errno));
    fd_closer close_fd(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    buffer_.resize(io_block);
    std::uint64_t copied = 0;
    for (;;) {
      ssize_t n = ::read(fd, buffer_.data(), buffer_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw failure(exit_code::bad_input, "cannot read " + path.string() + ": " + errno_text(errno));
      if (n == 0) break;
      copied += static_cast<std::uint64_t>(n);
      if (copied > expected) break;
      if (archive_write_data(out_, buffer_.data(), static_cast<size_t>(n)) < 0) {
        throw failure(exit_code::disk, "cannot pack " + path.string() + ": " + archive_message(out_));
      }
    }
    if (copied != expected) {
      throw failure(exit_code::bad_input, "file " + path.string() + " changed size while it was being packed");
    }
    result_.content_bytes += copied;
  }

  archive* out_;
  fs::path root_;
  bool skip_git_;
  std::string buffer_;
  pack_result result_;
};

void set_compression(archive* a, const pack_options& options, const fs::path& archive_path) {
  int rc = ARCHIVE_OK;
  std::string filter;
  switch (options.method) {
    case compression::gzip:
      rc = archive_write_add_filter_gzip(a);
      filter = "gzip";
      if (rc == ARCHIVE_OK) rc = archive_write_set_filter_option(a, "gzip", "timestamp", nullptr);
      break;
    case compression::zstd:
      rc = archive_write_add_filter_zstd(a);
      filter = "zstd";
      break;
    case compression::none:
      rc = archive_write_add_filter_none(a);
      break;
  }
  if (rc == ARCHIVE_OK && options.level > 0 && !filter.empty()) {
    rc = archive_write_set_filter_option(a, filter.c_str(), "compression-level", std::to_string(options.level).c_str());
  }
  if (rc != ARCHIVE_OK) {
    throw failure(exit_code::usage, "cannot set up compression for " + archive_path.string() + ": " + archive_message(a));
  }
}

}  // namespace

compression parse_compression(std::string_view name) {
  if (name == "gzip" || name == "gz") return compression::gzip;
  if (name == "zstd" || name == "zst") return compression::zstd;
  if (name == "none") return compression::none;
  throw failure(exit_code::usage, "unknown compression '" + std::string(name) + "' (use gzip, zstd or none)");
}

pack_result pack_directory(const fs::path& source_dir, const fs::path& archive_path, const pack_options& options) {
  std::error_code ec;
  if (!fs::is_directory(source_dir, ec)) {
    throw failure(exit_code::bad_input, "cannot pack " + source_dir.string() + ": not a directory");
  }
  atomic_output output(archive_path);
  archive_writer writer(archive_write_new());
  archive* a = writer.get();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_per_block(a, 64 * 1024);
  set_compression(a, options, archive_path);
  if (archive_write_open_fd(a, output.fd()) != ARCHIVE_OK) {
    throw failure(exit_code::disk, "cannot write " + archive_path.string() + ": " + archive_message(a));
  }
  pack_result result = packer(a, source_dir, options.skip_git).run();
  if (archive_write_close(a) != ARCHIVE_OK) {
    throw failure(exit_code::disk, "cannot write " + archive_path.string() + ": " + archive_message(a));
  }
  struct stat st {};
  ::fstat(output.fd(), &st);
  result.archive_bytes = static_cast<std::uint64_t>(st.st_size);
  output.commit();
  return result;
}

namespace {

entry_type type_of(archive_entry* e) {
  if (archive_entry_hardlink(e) != nullptr) return entry_type::hardlink;
  switch (archive_entry_filetype(e)) {
    case AE_IFREG: return entry_type::file;
    case AE_IFDIR: return entry_type::directory;
    case AE_IFLNK: return entry_type::symlink;
    default: return entry_type::special;
  }
}

bool is_empty_directory(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && fs::is_empty(p, ec);
}

// Removes a staging directory on every path out of extraction but success.
class staging_guard {
 public:
  explicit staging_guard(fs::path p) : path_(std::move(p)) {}
  ~staging_guard() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  void release() { path_.clear(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Makes `dir` the working directory until destroyed. libarchive resolves the
// names it writes from the working directory, so entries are written by names
// relative to the staging directory and no link above it is ever examined
// (or, as ARCHIVE_EXTRACT_UNLINK would, replaced).
class working_directory {
 public:
  // O_PATH: a working directory that may be searched but not read is fine.
  explicit working_directory(const fs::path& dir) : saved_(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    if (saved_ < 0 || ::chdir(dir.c_str()) != 0) {
      int err = errno;
      if (saved_ >= 0) ::close(saved_);
      throw failure(exit_code::disk, "cannot enter " + dir.string() + ": " + errno_text(err));
    }
  }
  ~working_directory() {
    if (::fchdir(saved_) != 0) std::perror("murder: cannot return to the working directory");
    ::close(saved_);
  }
  working_directory(const working_directory&) = delete;
  working_directory& operator=(const working_directory&) = delete;

 private:
  int saved_;
};

struct pending_link {
  std::string name;
  std::string target;
  la_int64_t mtime;
};

// Symbolic links are made after every other entry and after the links have
// been checked together (entry_checker), so no entry is ever written through one.
void make_links(const std::vector<pending_link>& links, const fs::path& archive_path) {
  for (const auto& link : links) {
    std::error_code ec;
    // Missing parents are made as libarchive makes them for other entries; none
    // is a link, since no entry may be placed through one.
    if (auto parent = fs::path(link.name).parent_path(); !parent.empty()) fs::create_directories(parent, ec);
    if (::symlink(link.target.c_str(), link.name.c_str()) != 0) {
      throw failure(exit_code::disk,
                    "cannot extract '" + link.name + "' from " + archive_path.string() + ": " + errno_text(errno));
    }
    struct timespec times[2] = {{static_cast<time_t>(link.mtime), 0}, {static_cast<time_t>(link.mtime), 0}};
    ::utimensat(AT_FDCWD, link.name.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
}

// Unpacks into the working directory, which is the empty staging directory.
void unpack_here(archive* in, const fs::path& archive_path, extract_result& result) {
  archive_writer disk(archive_write_disk_new());
  archive* out = disk.get();
  archive_write_disk_set_options(out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                          ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                          ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
  const std::string bad_archive = "archive " + archive_path.string();
  entry_checker checker;
  std::vector<pending_link> links;
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(in, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) throw failure(exit_code::bad_input, bad_archive + " is corrupt: " + archive_message(in));
    const char* raw_name = archive_entry_pathname(e);
    std::string name = raw_name ? raw_name : "";
    entry_type type = type_of(e);
    const char* link = type == entry_type::hardlink  ? archive_entry_hardlink(e)
                       : type == entry_type::symlink ? archive_entry_symlink(e)
                                                     : "";
    std::string reason = checker.reason(name, type, link ? link : "");
    if (!reason.empty()) {
      throw failure(exit_code::bad_input, bad_archive + ": refusing entry '" + name + "': " + reason);
    }
    ++result.entries;
    if (type == entry_type::symlink) {
      links.push_back({name, link, archive_entry_mtime(e)});
      continue;
    }
    archive_entry_set_perm(e, archive_entry_perm(e) & 0777);
    if (archive_write_header(out, e) < ARCHIVE_WARN) {
      throw failure(exit_code::disk, "cannot extract '" + name + "' from " + archive_path.string() + ": " + archive_message(out));
    }
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    while ((rc = archive_read_data_block(in, &block, &size, &offset)) == ARCHIVE_OK) {
      // libarchive reports a failed write (a full disk) as ARCHIVE_WARN: only OK means the data is there.
      if (archive_write_data_block(out, block, size, offset) != ARCHIVE_OK) {
        throw failure(exit_code::disk, "cannot extract '" + name + "' from " + archive_path.string() + ": " + archive_message(out));
      }
      result.bytes += size;
    }
    if (rc != ARCHIVE_EOF) throw failure(exit_code::bad_input, bad_archive + " is corrupt: " + archive_message(in));
    if (archive_write_finish_entry(out) != ARCHIVE_OK) {
      throw failure(exit_code::disk, "cannot extract '" + name + "' from " + archive_path.string() + ": " + archive_message(out));
    }
  }
  if (auto reason = checker.links_reason(); !reason.empty()) throw failure(exit_code::bad_input, bad_archive + ": " + reason);
  make_links(links, archive_path);
  // Closing sets the directories' modes and times, after the links are in them.
  if (archive_write_close(out) != ARCHIVE_OK) {
    throw failure(exit_code::disk, "cannot finish extracting " + archive_path.string() + ": " + archive_message(out));
  }
}

// The filters murder_make_torrent writes (and the original's tar czf): only
// these, so that the statically linked libarchive pulls in no other
// compressor (see CMakeLists.txt).
archive_reader tar_reader() {
  archive_reader reader(archive_read_new());
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_filter_zstd(reader.get());
  archive_read_support_format_tar(reader.get());
  return reader;
}

void unpack_into(const fs::path& archive_path, const fs::path& staging, extract_result& result) {
  archive_reader reader = tar_reader();
  archive* in = reader.get();
  // Opened before entering the staging directory: the archive's name may be relative.
  if (archive_read_open_filename(in, archive_path.c_str(), io_block) != ARCHIVE_OK) {
    throw failure(exit_code::bad_input, "cannot open archive " + archive_path.string() + ": " + archive_message(in));
  }
  working_directory inside(staging);
  unpack_here(in, archive_path, result);
}

// libarchive's read callback over a byte_source. A failure thrown by the source
// cannot cross libarchive's C frames: it is kept here and thrown again once
// libarchive has returned.
struct source_reader {
  explicit source_reader(byte_source& from) : source(from) {}
  byte_source& source;
  std::vector<char> buffer = std::vector<char>(io_block);
  std::exception_ptr failed;

  static la_ssize_t read(archive* a, void* self, const void** block) {
    auto& r = *static_cast<source_reader*>(self);
    try {
      *block = r.buffer.data();
      return static_cast<la_ssize_t>(r.source.read(r.buffer.data(), r.buffer.size()));
    } catch (...) {
      r.failed = std::current_exception();
      archive_set_error(a, EIO, "the archive stopped arriving");
      return -1;
    }
  }
};

void unpack_stream_into(byte_source& source, const std::string& archive_name, const fs::path& staging,
                        extract_result& result) {
  archive_reader reader = tar_reader();
  archive* in = reader.get();
  source_reader from(source);
  if (archive_read_open(in, &from, nullptr, &source_reader::read, nullptr) != ARCHIVE_OK) {
    if (from.failed) std::rethrow_exception(from.failed);
    throw failure(exit_code::bad_input, "cannot open archive " + archive_name + ": " + archive_message(in));
  }
  working_directory inside(staging);
  try {
    unpack_here(in, archive_name, result);
  } catch (...) {
    if (from.failed) std::rethrow_exception(from.failed);
    throw;
  }
}

// A target that is itself a link to a directory (no_tag_directory with
// destination_path /srv/www -> /data/www) is followed: the release replaces the
// directory's contents, and the link stays.
fs::path followed_target(const fs::path& target) {
  std::error_code ec;
  if (!fs::is_symlink(target, ec) || !fs::is_directory(target, ec)) return target;
  fs::path real = fs::canonical(target, ec);
  return ec ? target : real;
}

void ensure_parent(const fs::path& target) {
  std::error_code ec;
  fs::path parent = target.parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) throw failure(exit_code::disk, "cannot create " + parent.string() + ": " + ec.message());
}

}  // namespace

void check_extract_target(const fs::path& given_target, const extract_options& options) {
  const fs::path target = followed_target(given_target);
  std::error_code ec;
  auto st = fs::symlink_status(target, ec);
  if (!fs::exists(st) || options.replace_existing) return;
  if (fs::is_directory(st) && is_empty_directory(target)) return;
  if (!options.host.empty()) {
    throw failure(exit_code::disk, "destination_path " + target.string() + " on " + options.host + " is not empty");
  }
  throw failure(exit_code::disk, "destination " + target.string() + " is not empty; refusing to overwrite it");
}

void deliver_directory(const fs::path& given_target, const extract_options& options,
                       const std::function<void(const fs::path& staging)>& fill) {
  const fs::path target_dir = followed_target(given_target);
  check_extract_target(target_dir, options);
  ensure_parent(target_dir);
  // The parent is resolved once: links above the target are followed (and kept),
  // and staging, filling and the final rename all happen in that one directory.
  fs::path target = target_dir.lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  if (target.filename() == "." || target.filename() == "..") {
    throw failure(exit_code::usage, "cannot deliver into " + target_dir.string() + ": name a directory, not . or ..");
  }
  std::error_code ec;
  fs::path parent = fs::canonical(target.has_parent_path() ? target.parent_path() : fs::path("."), ec);
  if (ec) throw failure(exit_code::disk, "cannot resolve the directory of " + target_dir.string() + ": " + ec.message());
  target = parent / target.filename();
  staging_guard staging(make_staging_dir(target));
  ::chmod(staging.path().c_str(), 0755);
  fill(staging.path());
  swap_into_place(parent, staging.path(), target);
  staging.release();
}

namespace {

// Stages, fills (`unpack`) and swaps in the target directory: see extract_archive.
template <typename Unpack>
extract_result extract_with(const fs::path& given_target, const extract_options& options, Unpack unpack) {
  extract_result result;
  deliver_directory(given_target, options, [&](const fs::path& staging) { unpack(staging, result); });
  return result;
}

}  // namespace

extract_result extract_archive(const fs::path& archive_path, const fs::path& given_target, const extract_options& options) {
  return extract_with(given_target, options, [&](const fs::path& staging, extract_result& result) {
    unpack_into(archive_path, staging, result);
  });
}

extract_result extract_archive(byte_source& source, const std::string& archive_name, const fs::path& given_target,
                               const extract_options& options) {
  return extract_with(given_target, options, [&](const fs::path& staging, extract_result& result) {
    unpack_stream_into(source, archive_name, staging, result);
  });
}

void check_place_target(const fs::path& target, const extract_options& options) {
  std::error_code ec;
  auto st = fs::symlink_status(target, ec);
  if (fs::exists(st) && !options.replace_existing && !(fs::is_directory(st) && is_empty_directory(target))) {
    throw failure(exit_code::disk, "destination " + target.string() + " already exists; refusing to overwrite it");
  }
}

void place_file(const fs::path& payload, const fs::path& target, const extract_options& options) {
  check_place_target(target, options);
  std::error_code ec;
  auto st = fs::symlink_status(target, ec);
  if (fs::is_directory(st)) fs::remove_all(target, ec);
  ensure_parent(target);
  copy_file_atomically(payload, target);
}

}  // namespace murder
