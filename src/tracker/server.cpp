#include "murder/tracker/server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"

namespace murder::tracker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// One client connection: read a request, answer it, repeat while keep-alive.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, asio::ip::address remote, request_handler& handler, const server_options& options,
          std::shared_ptr<size_t> open_connections)
      : stream_(std::move(socket)),
        handler_(handler),
        options_(options),
        open_(std::move(open_connections)),
        remote_(std::move(remote)) {
    ++*open_;
  }
  ~session() { --*open_; }

  void start() { read_request(); }

 private:
  void read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser_->body_limit(4096);
    stream_.expires_after(std::chrono::seconds(options_.request_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::header_limit) return send_error(http::status::request_header_fields_too_large);
    if (ec == http::error::body_limit) return send_error(http::status::payload_too_large);
    if (ec) return close();
    auto& request = parser_->get();
    http_reply reply = handler_.handle({std::string_view(request.method_string().data(), request.method_string().size()),
                                        std::string_view(request.target().data(), request.target().size()), remote_});
    const size_t length = reply.body.size();
    if (request.method() == http::verb::head) reply.body.clear();
    write(static_cast<http::status>(reply.status), request.version(), request.keep_alive(), reply.content_type,
          reply.body, length);
  }

  void send_error(http::status status) { write(status, 11, false, "text/plain", "", 0); }

  // The reply is a handful of fixed headers: written as one string, with no
  // per-request header map or serializer (they were a good part of each
  // announce's cost under load).
  void write(http::status status, unsigned version, bool keep_alive, std::string_view content_type,
             std::string_view body, size_t content_length) {
    out_.clear();
    out_ += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out_ += std::to_string(static_cast<unsigned>(status));
    out_ += ' ';
    out_ += std::string_view(http::obsolete_reason(status).data(), http::obsolete_reason(status).size());
    out_ += "\r\nServer: murder_tracker\r\nContent-Type: ";
    out_ += content_type;
    out_ += "\r\nContent-Length: ";
    out_ += std::to_string(content_length);
    out_ += keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
    out_ += body;
    stream_.expires_after(std::chrono::seconds(options_.request_timeout));
    asio::async_write(stream_, asio::buffer(out_), [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      if (ec || !keep_alive) return self->close();
      self->read_request();
    });
  }

  // close() alone sends the FIN; a shutdown() first would only cost a system call.
  void close() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  request_handler& handler_;
  const server_options& options_;
  std::shared_ptr<size_t> open_;
  asio::ip::address remote_;
  beast::flat_buffer buffer_{8192};
  std::string out_;
  std::optional<http::request_parser<http::empty_body>> parser_;
};

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
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.bind_address, ec);
  if (ec) throw failure(exit_code::usage, "bind address '" + options_.bind_address + "' is not an IP address");
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  // Accepted sockets inherit TCP_NODELAY from the listener: one system call
  // less per connection.
  if (!ec) acceptor_.set_option(tcp::no_delay(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw failure(exit_code::network, "cannot listen on " + where + ": " + ec.message());
  if (options_.defer_accept > 0) {
    int seconds = options_.defer_accept;
    if (::setsockopt(acceptor_.native_handle(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds) != 0) {
      throw failure(exit_code::network, "cannot set TCP_DEFER_ACCEPT on " + where + ": " + errno_text(errno));
    }
  }
}

std::uint16_t tracker_server::port() const { return acceptor_.local_endpoint().port(); }

void tracker_server::start() { accept_next(); }

void tracker_server::stop() {
  beast::error_code ec;
  acceptor_.close(ec);
}

void tracker_server::accept_next() {
  // One thread runs the io_context (tracker.cpp), so connections need no strand.
  // The peer's address comes with the accept, saving a getpeername() per connection.
  acceptor_.async_accept(io_, peer_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors or the like: back off briefly instead of spinning.
      log_->warn("accept failed: {}", ec.message());
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) accept_next();
      });
      return;
    }
    // Outsiders (outside --allowed_cidrs) have a small pool of their own, so
    // they can never hold the slots of the fleet, yet still get told why they
    // are refused.
    const bool outsider = !handler_.admits(peer_.address());
    auto& open = outsider ? outside_connections_ : open_connections_;
    const size_t limit = outsider ? options_.max_outside_connections : options_.max_connections;
    if (*open >= limit) {
      socket.close(ec);
    } else {
      std::make_shared<session>(std::move(socket), peer_.address(), handler_, options_, open)->start();
    }
    accept_next();
  });
}

}  // namespace murder::tracker
