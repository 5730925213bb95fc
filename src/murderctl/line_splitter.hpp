#pragma once
// Shared by the transports: a command's output stream, kept whole and handed
// line by line to a line_sink as it arrives.

#include <string>

#include "murder/ctl/transport.hpp"

namespace murder::ctl {

// Splits a byte stream into lines for a line_sink.
class line_splitter {
 public:
  line_splitter(std::string& all, bool is_stderr) : all_(all), is_stderr_(is_stderr) {}
  void feed(const char* data, size_t n, const line_sink& sink) {
    all_.append(data, n);
    for (;;) {
      auto nl = all_.find('\n', emitted_);
      if (nl == std::string::npos) return;
      if (sink) sink(std::string_view(all_).substr(emitted_, nl - emitted_), is_stderr_);
      emitted_ = nl + 1;
    }
  }
  void finish(const line_sink& sink) {
    if (emitted_ < all_.size() && sink) sink(std::string_view(all_).substr(emitted_), is_stderr_);
    emitted_ = all_.size();
  }

 private:
  std::string& all_;
  bool is_stderr_;
  size_t emitted_ = 0;
};

}  // namespace murder::ctl
