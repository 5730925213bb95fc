// The SSH transport: libssh sessions, one per host connection.
#include <fcntl.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <algorithm>
#include <random>
#include <utility>

#include "line_splitter.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/ctl/ssh_config_file.hpp"
#include "murder/ctl/transport.hpp"

namespace murder::ctl {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

thread_local std::function<void(std::string_view)> library_log;

// libssh's log callback: its warnings ("ssh_pki_import_privkey_file: Error
// opening ...") go to the host being worked on, not to stderr.
void forward_library_log(int, const char*, const char* message, void*) {
  transport_log_scope::write(std::string("ssh: ") + (message ? message : ""));  // it names its function itself
}

std::string sftp_error_text(sftp_session sftp, ssh_session session) {
  switch (sftp_get_error(sftp)) {
    case SSH_FX_NO_SUCH_FILE: return "no such file";
    case SSH_FX_PERMISSION_DENIED: return "permission denied";
    case SSH_FX_FILE_ALREADY_EXISTS: return "file exists";
    default: return ssh_get_error(session);
  }
}

class ssh_connection : public host_connection {
 public:
  ssh_connection(std::string host, ssh_session session) : host_(std::move(host)), session_(session) {}
  ~ssh_connection() override {
    ssh_disconnect(session_);
    ssh_free(session_);
  }

  command_result run(const std::string& command, std::chrono::seconds timeout, const line_sink& on_line) override {
    std::unique_ptr<ssh_channel_struct, void (*)(ssh_channel)> channel(ssh_channel_new(session_), [](ssh_channel c) {
      if (ssh_channel_is_open(c)) ssh_channel_close(c);
      ssh_channel_free(c);
    });
    if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK ||
        ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK) {
      throw not_started(exit_code::network, broken("cannot start a command").what());
    }
    command_result result;
    line_splitter out(result.output, false), err(result.errors, true);
    auto deadline = clock_type::now() + timeout;
    auto next_keepalive = clock_type::now() + std::chrono::seconds(15);
    char buffer[16384];
    for (;;) {
      int n = ssh_channel_read_timeout(channel.get(), buffer, sizeof buffer, 0, 200);
      if (n == SSH_ERROR) throw broken("connection lost while a command ran");
      if (n > 0) out.feed(buffer, static_cast<size_t>(n), on_line);
      int e;
      while ((e = ssh_channel_read_nonblocking(channel.get(), buffer, sizeof buffer, 1)) > 0) {
        err.feed(buffer, static_cast<size_t>(e), on_line);
      }
      if (e == SSH_ERROR) throw broken("connection lost while a command ran");
      if (n == 0 && ssh_channel_is_eof(channel.get())) break;
      auto now = clock_type::now();
      if (now >= deadline) {
        throw failure(exit_code::network,
                      host_ + ": command did not finish within " + std::to_string(timeout.count()) + " s");
      }
      if (now >= next_keepalive) {
        // Keeps idle NAT and firewall state alive during long downloads, and
        // notices a dead connection (the write fails).
        if (ssh_send_ignore(session_, "keepalive") != SSH_OK) throw broken("connection lost while a command ran");
        next_keepalive = now + std::chrono::seconds(15);
      }
    }
    // Whatever arrived together with the end of the stream.
    for (int is_stderr : {0, 1}) {
      int n;
      while ((n = ssh_channel_read_nonblocking(channel.get(), buffer, sizeof buffer, is_stderr)) > 0) {
        (is_stderr ? err : out).feed(buffer, static_cast<size_t>(n), on_line);
      }
    }
    out.finish(on_line);
    err.finish(on_line);
    ssh_channel_send_eof(channel.get());
    int status = ssh_channel_get_exit_status(channel.get());
    result.exit_status = status < 0 ? 255 : status;
    return result;
  }

  void upload(std::string_view contents, const std::string& remote_path, unsigned mode) override {
    sftp_holder sftp = open_sftp();
    std::string target = login_relative(remote_path);
    std::string temp = target + ".part-" + std::to_string(std::random_device{}());
    sftp_file file = sftp_open(sftp.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, static_cast<mode_t>(mode));
    if (!file) throw sftp_failure(sftp.get(), "cannot create " + temp);
    bool ok = true;
    for (size_t done = 0; ok && done < contents.size();) {
      ssize_t n = sftp_write(file, contents.data() + done, std::min<size_t>(contents.size() - done, 65536));
      if (n <= 0) ok = false;
      else done += static_cast<size_t>(n);
    }
    ok = sftp_close(file) == SSH_NO_ERROR && ok;
    if (ok && sftp_rename(sftp.get(), temp.c_str(), target.c_str()) != SSH_NO_ERROR) {
      // A server without posix-rename will not rename over an existing file.
      sftp_unlink(sftp.get(), target.c_str());
      ok = sftp_rename(sftp.get(), temp.c_str(), target.c_str()) == SSH_NO_ERROR;
    }
    if (!ok) {
      failure why = sftp_failure(sftp.get(), "cannot upload " + target);
      sftp_unlink(sftp.get(), temp.c_str());
      throw why;
    }
  }

  std::string download(const std::string& remote_path) override {
    constexpr size_t limit = 64u << 20;
    sftp_holder sftp = open_sftp();
    std::string source = login_relative(remote_path);
    sftp_file file = sftp_open(sftp.get(), source.c_str(), O_RDONLY, 0);
    if (!file) throw sftp_failure(sftp.get(), "cannot read " + source);
    std::string contents;
    char buffer[32768];
    ssize_t n;
    while ((n = sftp_read(file, buffer, sizeof buffer)) > 0 && contents.size() <= limit) {
      contents.append(buffer, static_cast<size_t>(n));
    }
    sftp_close(file);
    if (n < 0) throw sftp_failure(sftp.get(), "cannot read " + source);
    if (contents.size() > limit) throw failure(exit_code::bad_input, host_ + ": " + source + " is larger than 64 MiB");
    return contents;
  }

 private:
  using sftp_holder = std::unique_ptr<sftp_session_struct, void (*)(sftp_session)>;

  sftp_holder open_sftp() {
    sftp_holder sftp(sftp_new(session_), sftp_free);
    if (!sftp || sftp_init(sftp.get()) != SSH_OK) throw not_started(exit_code::network, broken("cannot start SFTP").what());
    return sftp;
  }

  failure broken(const std::string& what) const {
    return failure(exit_code::network, host_ + ": " + what + ": " + ssh_get_error(session_));
  }
  failure sftp_failure(sftp_session sftp, const std::string& what) const {
    return failure(exit_code::failure, host_ + ": " + what + ": " + sftp_error_text(sftp, session_));
  }

  std::string host_;
  ssh_session session_;
};

class ssh_transport : public transport {
 public:
  ssh_transport(ssh_settings settings, std::string user) : settings_(std::move(settings)), user_(std::move(user)) {
    config_path_ = expand_home(settings_.config);
    std::error_code ec;
    if (!config_path_.empty() && fs::is_regular_file(config_path_, ec)) config_text_ = read_file(config_path_);
  }

  std::unique_ptr<host_connection> connect(const std::string& host) override {
    ssh_session session = ssh_new();
    if (!session) throw failure(exit_code::failure, host + ": cannot create an SSH session");
    auto connection = std::make_unique<ssh_connection>(host, session);
    // Values set before the config file is read take priority over it, as
    // OpenSSH's command-line options do.
    ssh_options_set(session, SSH_OPTIONS_HOST, host.c_str());
    if (!user_.empty()) ssh_options_set(session, SSH_OPTIONS_USER, user_.c_str());
    if (settings_.port > 0) {
      unsigned port = static_cast<unsigned>(settings_.port);
      ssh_options_set(session, SSH_OPTIONS_PORT, &port);
    }
    if (!settings_.identity.empty()) ssh_options_set(session, SSH_OPTIONS_IDENTITY, expand_home(settings_.identity).c_str());
    long timeout = settings_.connect_timeout;
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout);
    if (!config_text_.empty() && ssh_options_parse_config(session, config_path_.c_str()) != SSH_OK) {
      throw failure(exit_code::usage, "cannot read ssh config " + config_path_ + ": " + ssh_get_error(session));
    }
    if (ssh_connect(session) != SSH_OK) {
      throw failure(exit_code::network, host + ": cannot connect: " + ssh_get_error(session));
    }
    check_host_key(host, session);
    int auth = ssh_userauth_publickey_auto(session, nullptr, nullptr);
    if (auth != SSH_AUTH_SUCCESS) {
      char* name = nullptr;
      ssh_options_get(session, SSH_OPTIONS_USER, &name);
      std::string who = name ? name : "?";
      ssh_string_free_char(name);
      throw failure(exit_code::network, host + ": authentication as " + who + " failed (no key or agent identity accepted)");
    }
    return connection;
  }

 private:
  std::string strict_mode(const std::string& host) const {
    if (!settings_.strict_host_key_checking.empty()) return settings_.strict_host_key_checking;
    return strict_host_key_checking_for(config_text_, host).value_or("yes");
  }

  static std::string fingerprint(ssh_session session) {
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(session, &key) != SSH_OK) return "unknown key";
    unsigned char* hash = nullptr;
    size_t length = 0;
    std::string text = "unknown key";
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) == 0) {
      char* printable = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
      if (printable) text = printable;
      ssh_string_free_char(printable);
      ssh_clean_pubkey_hash(&hash);
    }
    ssh_key_free(key);
    return text;
  }

  void check_host_key(const std::string& host, ssh_session session) const {
    std::string mode = strict_mode(host);
    switch (ssh_session_is_known_server(session)) {
      case SSH_KNOWN_HOSTS_OK:
        return;
      case SSH_KNOWN_HOSTS_CHANGED:
      case SSH_KNOWN_HOSTS_OTHER:
        if (mode == "no") return;
        throw failure(exit_code::network, host + ": host key " + fingerprint(session) +
                                              " does not match the one in known_hosts; refusing to connect "
                                              "(possible man-in-the-middle, or the host was reinstalled)");
      case SSH_KNOWN_HOSTS_NOT_FOUND:
      case SSH_KNOWN_HOSTS_UNKNOWN:
        if (mode == "no") return;
        if (mode == "accept-new") {
          if (ssh_session_update_known_hosts(session) != SSH_OK) {
            throw failure(exit_code::failure, host + ": cannot record its host key: " + ssh_get_error(session));
          }
          return;
        }
        throw failure(exit_code::network, host + ": host key " + fingerprint(session) +
                                              " is not in known_hosts and strict_host_key_checking is yes");
      case SSH_KNOWN_HOSTS_ERROR:
        break;
    }
    throw failure(exit_code::network, host + ": cannot check the host key: " + ssh_get_error(session));
  }

  ssh_settings settings_;
  std::string user_;
  std::string config_path_;
  std::string config_text_;
};

}  // namespace

transport_log_scope::transport_log_scope(std::function<void(std::string_view)> sink)
    : previous_(std::exchange(library_log, std::move(sink))) {
  // libssh keeps its log callback and level per thread.
  ssh_set_log_callback(forward_library_log);
  ssh_set_log_level(SSH_LOG_WARN);
}

transport_log_scope::~transport_log_scope() { library_log = std::move(previous_); }

void transport_log_scope::write(std::string_view line) {
  if (library_log) library_log(line);
}

std::unique_ptr<transport> make_ssh_transport(const ssh_settings& settings, const std::string& user) {
  return std::make_unique<ssh_transport>(settings, user);
}

}  // namespace murder::ctl
