#include "murder/tracker/server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <boost/asio/ip/v6_only.hpp>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/tracker/http_request.hpp"

namespace murder::tracker {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    default: return "Unknown";
  }
}

}  // namespace

// One client connection: read a request, answer it, repeat while keep-alive.
//
// Built for a connection per announce. The descriptor comes from accept4()
// non-blocking, and while the client keeps up it is only ever read, written
// and closed: four system calls per announce. Only a connection that makes it
// wait (a request not all there yet, a reply the socket cannot take whole) is
// handed to Asio to wait on. No timer per connection: each session carries a
// deadline, and the server's sweeper closes the ones past it once a second
// (session_list).
class session : public std::enable_shared_from_this<session> {
 public:
  session(asio::io_context& io, int fd, asio::ip::address remote, request_handler& handler,
          const server_options& options, std::shared_ptr<size_t> open_connections,
          std::shared_ptr<session_list> sessions)
      : io_(io),
        fd_(fd),
        handler_(handler),
        options_(options),
        open_(std::move(open_connections)),
        sessions_(std::move(sessions)),
        remote_(std::move(remote)) {
    ++*open_;
    sessions_->link(this);
  }
  ~session() {
    close();
    --*open_;
    sessions_->unlink(this);
  }

  void start() {
    deadline_ = monotonic_seconds() + options_.request_timeout;
    serve();
  }

  // The sweeper's call: a session past its deadline is closed, and its pending
  // wait ends with an error that lets it go.
  void expire(std::int64_t now) {
    if (now >= deadline_) close();
  }

  session* prev_ = nullptr;  // session_list's links
  session* next_ = nullptr;

 private:
  enum class step { more_bytes, answered, waiting, done };

  // Answers every whole request received, then reads; waits only when there is
  // nothing to read.
  void serve() {
    for (;;) {
      step next = answer_buffered();
      if (next == step::answered) continue;
      if (next == step::waiting || next == step::done) return;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        in_.append(chunk, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait(tcp::socket::wait_read, &session::serve);
      return close();  // the client closed, or the connection broke
    }
  }

  step answer_buffered() {
    if (in_.empty()) return step::more_bytes;
    http_request_head head;
    switch (read_http_request(in_, options_.max_header_bytes, head)) {
      case http_read_state::incomplete: return step::more_bytes;
      case http_read_state::too_large: return reply_error(431, refusal::too_large);
      case http_read_state::bad: return reply_error(400, refusal::malformed);
      case http_read_state::has_body: return reply_error(413, refusal::too_large);
      case http_read_state::complete: break;
    }
    http_reply reply = handler_.handle({head.method, head.target, remote_});
    const size_t length = reply.body.size();
    if (head.method == "HEAD") reply.body.clear();
    const size_t consumed = head.length;
    compose(reply.status, head.version, head.keep_alive, reply.content_type, reply.body, length);
    // Held for the FIN only when nothing else was received: a close with
    // unread bytes resets the connection and would drop a held reply.
    hold_for_close_ = !keep_alive_ && in_.size() == consumed;
    in_.erase(0, consumed);
    return send_reply();
  }

  step reply_error(int status, refusal why) {
    handler_.stats().refuse(why);
    compose(status, 11, false, "text/plain", "", 0);
    hold_for_close_ = false;
    in_.clear();
    return send_reply();
  }

  // The reply is a handful of fixed headers: written as one string.
  void compose(int status, unsigned version, bool keep_alive, std::string_view content_type, std::string_view body,
               size_t content_length) {
    out_.clear();
    out_ += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out_ += std::to_string(status);
    out_ += ' ';
    out_ += reason_phrase(status);
    out_ += "\r\nServer: murder_tracker\r\nContent-Type: ";
    out_ += content_type;
    out_ += "\r\nContent-Length: ";
    out_ += std::to_string(content_length);
    out_ += keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
    out_ += body;
    sent_ = 0;
    keep_alive_ = keep_alive;
    deadline_ = monotonic_seconds() + options_.request_timeout;
  }

  step send_reply() {
    while (sent_ < out_.size()) {
      // The last reply on a connection goes out with the FIN that close()
      // adds: one segment instead of two (MSG_MORE holds it for the close).
      ssize_t n = ::send(fd_, out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL | (hold_for_close_ ? MSG_MORE : 0));
      if (n >= 0) {
        sent_ += static_cast<size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait(tcp::socket::wait_write, &session::resume_reply);
        return step::waiting;
      }
      close();
      return step::done;
    }
    if (!keep_alive_) {
      close();
      return step::done;
    }
    deadline_ = monotonic_seconds() + options_.request_timeout;  // for the next request, from now
    return step::answered;
  }

  void resume_reply() {
    if (send_reply() == step::answered) serve();
  }

  // Hands the descriptor to Asio (once) to wait until it is ready, then goes on with `then`.
  void wait(tcp::socket::wait_type what, void (session::*then)()) {
    if (!socket_) {
      boost::system::error_code ec;
      socket_.emplace(io_);
      socket_->assign(remote_.is_v4() ? tcp::v4() : tcp::v6(), fd_, ec);
      if (ec) {
        socket_.reset();
        return close();
      }
    }
    socket_->async_wait(what, [self = shared_from_this(), then](boost::system::error_code ec) {
      if (ec) return self->close();
      ((*self).*then)();
    });
  }

  // close() alone sends the FIN; a shutdown() first would only cost a system call.
  void close() {
    if (fd_ < 0) return;
    if (socket_) {
      boost::system::error_code ec;
      socket_->close(ec);  // also ends a pending wait
    } else {
      ::close(fd_);
    }
    fd_ = -1;
  }

  asio::io_context& io_;
  int fd_;
  std::optional<tcp::socket> socket_;  // only once the connection has had to wait
  request_handler& handler_;
  const server_options& options_;
  std::shared_ptr<size_t> open_;
  std::shared_ptr<session_list> sessions_;
  asio::ip::address remote_;
  std::string in_;
  std::string out_;
  size_t sent_ = 0;
  std::int64_t deadline_ = 0;
  bool keep_alive_ = false;
  bool hold_for_close_ = false;
};

void session_list::link(session* s) {
  s->next_ = head_;
  if (head_) head_->prev_ = s;
  head_ = s;
}

void session_list::unlink(session* s) {
  if (s->prev_) s->prev_->next_ = s->next_;
  else head_ = s->next_;
  if (s->next_) s->next_->prev_ = s->prev_;
  s->prev_ = s->next_ = nullptr;
}

void session_list::expire(std::int64_t now) {
  // close() only cancels a pending wait: no session leaves the list in here.
  for (session* s = head_; s; s = s->next_) s->expire(now);
}

namespace {

// Idle keep-alive connections each hold a descriptor; let the process use as many
// as the hard limit allows.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

tracker_server::tracker_server(asio::io_context& io, request_handler& handler, server_options options,
                               std::shared_ptr<spdlog::logger> log)
    : io_(io), handler_(handler), options_(std::move(options)), log_(std::move(log)), acceptor_(io) {
  raise_descriptor_limit();
  const std::string where = options_.bind_address + ":" + std::to_string(options_.port);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.bind_address, ec);
  if (ec) throw failure(exit_code::usage, "bind address '" + options_.bind_address + "' is not an IP address");
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && address.is_v6() && options_.v6_only) acceptor_.set_option(asio::ip::v6_only(true), ec);
  // Accepted sockets inherit TCP_NODELAY from the listener: one system call
  // less per connection.
  if (!ec) acceptor_.set_option(tcp::no_delay(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) acceptor_.non_blocking(true, ec);
  if (ec) throw failure(exit_code::network, "cannot listen on " + where + ": " + ec.message());
  if (options_.defer_accept > 0) {
    int seconds = options_.defer_accept;
    if (::setsockopt(acceptor_.native_handle(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds) != 0) {
      throw failure(exit_code::network, "cannot set TCP_DEFER_ACCEPT on " + where + ": " + errno_text(errno));
    }
  }
}

std::uint16_t tracker_server::port() const { return acceptor_.local_endpoint().port(); }

void tracker_server::start() {
  accept_next();
  sweep();
}

void tracker_server::sweep() {
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    sessions_->expire(monotonic_seconds());
    sweep();
  });
}

void tracker_server::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  sweep_timer_.cancel();
}

namespace {

asio::ip::address address_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), in6.sin6_addr.s6_addr, bytes.size());
    return asio::ip::address_v6(bytes, in6.sin6_scope_id);
  }
  const auto& in4 = reinterpret_cast<const sockaddr_in&>(addr);
  return asio::ip::address_v4(ntohl(in4.sin_addr.s_addr));
}

}  // namespace

void tracker_server::accept_next() {
  // One thread runs the io_context (tracker.cpp), so connections need no strand.
  // accept4() gives a non-blocking descriptor and the peer's address in one
  // call; every connection queued is taken before waiting again.
  acceptor_.async_wait(tcp::acceptor::wait_read, [this](boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted) return;
    for (int taken = 0; !ec && taken < 256; ++taken) {
      sockaddr_storage addr{};
      socklen_t length = sizeof addr;
      int fd = ::accept4(acceptor_.native_handle(), reinterpret_cast<sockaddr*>(&addr), &length,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        admit(fd, address_of(addr));
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      ec.assign(errno, boost::system::system_category());
    }
    if (ec) {
      // Out of descriptors or the like: back off briefly instead of spinning.
      log_->warn("accept failed: {}", ec.message());
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec) accept_next();
      });
      return;
    }
    accept_next();
  });
}

void tracker_server::admit(int fd, const asio::ip::address& remote) {
  // Outsiders (outside --allowed_cidrs) have a small pool of their own, so
  // they can never hold the slots of the fleet, yet still get told why they
  // are refused.
  const bool outsider = !handler_.admits(remote);
  auto& open = outsider ? outside_connections_ : open_connections_;
  const size_t limit = outsider ? options_.max_outside_connections : options_.max_connections;
  if (*open >= limit) {
    ::close(fd);
    return;
  }
  std::make_shared<session>(io_, fd, remote, handler_, options_, open, sessions_)->start();
}

}  // namespace murder::tracker
