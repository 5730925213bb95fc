#pragma once
// The tracker's HTTP server: Asio on one thread. It accepts, reads requests
// with strict limits (http_request.hpp), and passes each to a request_handler.
//
// Abuse limits: a request header larger than `max_header_bytes` gets 431, a
// malformed one 400, one with a body 413, and the connection is closed; a client that takes longer than `request_timeout` seconds
// to send a request (slow drip) or sits idle on keep-alive is dropped; beyond
// `max_connections` open connections, new ones are closed at once. Connections
// from outside the handler's allowed CIDRs (request_handler::admits) never count
// toward `max_connections`: they have a pool of `max_outside_connections` of
// their own, where each request gets the handler's refusal; beyond it they are
// closed at once.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <string>

#include "murder/tracker/request_handler.hpp"

namespace murder::tracker {

struct server_options {
  std::string bind_address = "0.0.0.0";
  std::uint16_t port = 8998;  // 0: any free port (read it back with port())
  size_t max_connections = 10000;
  size_t max_outside_connections = 64;
  int request_timeout = 10;  // seconds to receive one whole request
  size_t max_header_bytes = 8192;
  // TCP_DEFER_ACCEPT on the listening socket: a connection is handed over only
  // once its request has arrived, or dropped by the kernel after this many
  // seconds. 0: off, the default (see docs/BENCHMARKS.md, "Tried and not taken").
  int defer_accept = 0;
  // An IPv6 address listens for IPv6 only (set when several addresses are
  // bound, so that 0.0.0.0 and :: can share a port).
  bool v6_only = false;
};

class session;

// The server's open connections, linked through the sessions themselves (no
// allocation per connection), so that one sweep a second can close those past
// their deadline instead of a timer per connection.
class session_list {
 public:
  void link(session* s);
  void unlink(session* s);
  void expire(std::int64_t now_seconds);

 private:
  session* head_ = nullptr;
};

class tracker_server {
 public:
  // Binds and listens; throws failure(network) naming the address on failure.
  tracker_server(boost::asio::io_context& io, request_handler& handler, server_options options,
                 std::shared_ptr<spdlog::logger> log);
  std::uint16_t port() const;
  void start();
  void stop();
  size_t open_connections() const { return *open_connections_; }
  size_t outside_connections() const { return *outside_connections_; }

 private:
  void accept_next();
  void admit(int fd, const boost::asio::ip::address& remote);
  void sweep();

  boost::asio::io_context& io_;
  request_handler& handler_;
  server_options options_;
  std::shared_ptr<spdlog::logger> log_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_{io_};
  boost::asio::steady_timer sweep_timer_{io_};
  std::shared_ptr<session_list> sessions_ = std::make_shared<session_list>();
  std::shared_ptr<size_t> open_connections_ = std::make_shared<size_t>(0);
  std::shared_ptr<size_t> outside_connections_ = std::make_shared<size_t>(0);
};

}  // namespace murder::tracker
