#pragma once
// The tracker's HTTP/1.x request reader, with no sockets: given the bytes
// received so far, it says whether a whole request is there, how long it is,
// and what it asks; or that more bytes are needed; or what is wrong with it.
// Trackers only take GET (and HEAD) requests with no body, so that is all it
// reads: a request line, headers up to a size limit, and the one header that
// matters here (Connection). Bodies are refused.

#include <cstddef>
#include <string_view>

namespace murder::tracker {

struct http_request_head {
  std::string_view method;
  std::string_view target;
  unsigned version = 11;   // 10 or 11
  bool keep_alive = true;  // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive"
  std::size_t length = 0;  // bytes of the request, its blank line included: the next one starts there
};

enum class http_read_state {
  complete,    // `head` holds the request
  incomplete,  // no blank line yet, and still under the size limit
  too_large,   // no blank line within `max_bytes`: answer 431
  bad,         // not an HTTP/1.x request line or header: answer 400
  has_body,    // a body (Content-Length above 0, or chunked): answer 413
};

// Reads the request at the front of `bytes` (which may hold the start of the
// next one too). The views in `head` point into `bytes`.
http_read_state read_http_request(std::string_view bytes, std::size_t max_bytes, http_request_head& head);

}  // namespace murder::tracker
