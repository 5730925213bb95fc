#include "murder/core/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "murder/core/error.hpp"

namespace murder {
namespace fs = std::filesystem;

std::string errno_text(int err) { return std::strerror(err); }

fd_closer::~fd_closer() {
  if (fd_ >= 0) ::close(fd_);
}

std::string read_to_end(int fd, const fs::path& path) {
  std::string bytes;
  std::string buffer(1 << 16, '\0');
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw failure(exit_code::bad_input, "cannot read " + path.string() + ": " + errno_text(errno));
    if (n == 0) return bytes;
    bytes.append(buffer.data(), static_cast<size_t>(n));
  }
}

namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

atomic_output::atomic_output(fs::path target, unsigned mode) : target_(std::move(target)) {
  fs::path dir = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
  temp_path_ = (dir / ("." + target_.filename().string() + ".tmp-XXXXXX")).string();
  fd_ = ::mkostemp(temp_path_.data(), O_CLOEXEC);
  if (fd_ < 0) {
    throw failure(exit_code::disk, "cannot create a file beside " + target_.string() + ": " + errno_text(errno));
  }
  ::fchmod(fd_, static_cast<mode_t>(mode));
}

atomic_output::~atomic_output() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

void atomic_output::write(std::string_view bytes) {
  const char* data = bytes.data();
  size_t size = bytes.size();
  while (size > 0) {
    ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw failure(exit_code::disk, "cannot write " + target_.string() + ": " + errno_text(errno));
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void atomic_output::commit() {
  int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(temp_path_.c_str());
    throw failure(exit_code::disk, "cannot write " + target_.string() + ": " + errno_text(err));
  }
  if (::close(fd) != 0 || ::rename(temp_path_.c_str(), target_.c_str()) != 0) {
    int err = errno;
    ::unlink(temp_path_.c_str());
    throw failure(exit_code::disk, "cannot write " + target_.string() + ": " + errno_text(err));
  }
}

void write_file_atomically(const fs::path& path, std::string_view bytes, unsigned mode) {
  atomic_output out(path, mode);
  out.write(bytes);
  out.commit();
}

std::string_view line_content(std::string_view line) {
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
  return line;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw failure(exit_code::bad_input, "cannot read " + path.string() + ": " + errno_text(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw failure(exit_code::bad_input, "cannot read " + path.string());
  return out.str();
}

std::string read_private_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  const std::string refusing = "refusing to use " + path.string() + ": ";
  if (fd < 0 && errno == ELOOP) throw failure(exit_code::bad_input, refusing + "it is a symbolic link");
  if (fd < 0) throw failure(exit_code::bad_input, "cannot read " + path.string() + ": " + errno_text(errno));
  fd_closer close_fd(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw failure(exit_code::bad_input, "cannot inspect " + path.string() + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) throw failure(exit_code::bad_input, refusing + "it is not a regular file");
  if (st.st_uid != ::geteuid()) {
    throw failure(exit_code::bad_input, refusing + "it belongs to uid " + std::to_string(st.st_uid) + ", not to this user");
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    throw failure(exit_code::bad_input, refusing + "others may write it (mode " + octal_mode(st.st_mode) + ")");
  }
  return read_to_end(fd, path);
}

void copy_file_atomically(const fs::path& source, const fs::path& target, unsigned mode_mask) {
  int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) throw failure(exit_code::bad_input, "cannot read " + source.string() + ": " + errno_text(errno));
  fd_closer close_in(in);
  struct stat st {};
  ::fstat(in, &st);
  atomic_output out(target, st.st_mode & mode_mask);
  std::string buffer(1 << 20, '\0');
  for (;;) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw failure(exit_code::bad_input, "cannot read " + source.string() + ": " + errno_text(errno));
    if (n == 0) break;
    out.write(std::string_view(buffer.data(), static_cast<size_t>(n)));
  }
  out.commit();
}

void claim_payload_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  if (errno != EEXIST) throw failure(exit_code::disk, "cannot create " + path.string() + ": " + errno_text(errno));
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) throw failure(exit_code::disk, "cannot inspect " + path.string() + ": " + errno_text(errno));
  const std::string refusing = "refusing to write the payload to " + path.string() + ": ";
  if (S_ISLNK(st.st_mode)) throw failure(exit_code::bad_input, refusing + "it is a symbolic link (remove it, or choose another temp_path)");
  if (!S_ISREG(st.st_mode)) throw failure(exit_code::bad_input, refusing + "it is not a regular file");
  if (st.st_uid != ::geteuid()) {
    throw failure(exit_code::bad_input, refusing + "it belongs to uid " + std::to_string(st.st_uid) + ", not to this user");
  }
  if (st.st_nlink != 1) {
    throw failure(exit_code::bad_input, refusing + "it has " + std::to_string(st.st_nlink) +
                                            " hard links, so writing it would change another file");
  }
}

std::vector<fs::directory_entry> sorted_children(const fs::path& dir, bool skip_git) {
  std::vector<fs::directory_entry> children;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (skip_git && it->path().filename().string().rfind(".git", 0) == 0) continue;
    children.push_back(*it);
  }
  if (ec) throw failure(exit_code::bad_input, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(children.begin(), children.end(),
            [](const auto& a, const auto& b) { return a.path().filename().native() < b.path().filename().native(); });
  return children;
}

void swap_into_place(const fs::path& parent, const fs::path& staging, const fs::path& target) {
  int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) throw failure(exit_code::disk, "cannot open " + parent.string() + ": " + errno_text(errno));
  fd_closer close_dir(dir);
  const auto staging_name = staging.filename();
  const auto target_name = target.filename();
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(target, ec))) {
    if (::renameat(dir, staging_name.c_str(), dir, target_name.c_str()) != 0) {
      throw failure(exit_code::disk, "cannot move extracted files to " + target.string() + ": " + errno_text(errno));
    }
    return;
  }
  if (::renameat2(dir, staging_name.c_str(), dir, target_name.c_str(), RENAME_EXCHANGE) != 0) {
    throw failure(exit_code::disk, "cannot move extracted files to " + target.string() + ": " + errno_text(errno));
  }
  fs::remove_all(staging, ec);
}

std::int64_t pread_fully(int fd, char* buffer, std::int64_t size, std::int64_t offset) {
  std::int64_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, buffer + got, static_cast<size_t>(size - got), offset + got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += n;
  }
  return got;
}

fs::path make_staging_dir(const fs::path& target) {
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string templ = (dir / ("." + target.filename().string() + ".murder-partial-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw failure(exit_code::disk, "cannot create a staging directory beside " + target.string() + ": " + errno_text(errno));
  }
  return templ;
}

unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace murder
