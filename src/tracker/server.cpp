#include "murder/tracker/server.hpp"

#include <sys/resource.h>

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "murder/core/error.hpp"

namespace murder::tracker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// One client connection: read a request, answer it, repeat while keep-alive.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, request_handler& handler, const server_options& options,
          std::shared_ptr<size_t> open_connections)
      : stream_(std::move(socket)), handler_(handler), options_(options), open_(std::move(open_connections)) {
    ++*open_;
    beast::error_code ec;
    remote_ = stream_.socket().remote_endpoint(ec).address();
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
    auto response = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status),
                                                                        request.version());
    response->set(http::field::server, "murder_tracker");
    response->set(http::field::content_type, reply.content_type);
    response->keep_alive(request.keep_alive());
    response->body() = std::move(reply.body);
    response->prepare_payload();
    if (request.method() == http::verb::head) response->body().clear();
    write(response);
  }

  void send_error(http::status status) {
    auto response = std::make_shared<http::response<http::string_body>>(status, 11);
    response->set(http::field::server, "murder_tracker");
    response->keep_alive(false);
    response->prepare_payload();
    write(response);
  }

  void write(std::shared_ptr<http::response<http::string_body>> response) {
    stream_.expires_after(std::chrono::seconds(options_.request_timeout));
    http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code ec, size_t) {
      if (ec || !response->keep_alive()) return self->close();
      self->read_request();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  request_handler& handler_;
  const server_options& options_;
  std::shared_ptr<size_t> open_;
  asio::ip::address remote_;
  beast::flat_buffer buffer_{8192};
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
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw failure(exit_code::network, "cannot listen on " + where + ": " + ec.message());
}

std::uint16_t tracker_server::port() const { return acceptor_.local_endpoint().port(); }

void tracker_server::start() { accept_next(); }

void tracker_server::stop() {
  beast::error_code ec;
  acceptor_.close(ec);
}

void tracker_server::accept_next() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors or the like: back off briefly instead of spinning.
      log_->warn("accept failed: {}", ec.message());
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) accept_next();
      });
      return;
    } else if (*open_connections_ >= options_.max_connections) {
      socket.close(ec);
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<session>(std::move(socket), handler_, options_, open_connections_)->start();
    }
    accept_next();
  });
}

}  // namespace murder::tracker
