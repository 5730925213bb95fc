#include "murder/client/progress.hpp"

#include <unistd.h>

namespace murder::client {

namespace {

double megabytes(std::uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }

class bar_reporter : public progress_reporter {
 public:
  explicit bar_reporter(std::FILE* out) : out_(out) {}
  void update(const transfer_status& s) override {
    constexpr int width = 30;
    double fraction = s.bytes_total ? static_cast<double>(s.bytes_done) / static_cast<double>(s.bytes_total) : 0.0;
    int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(out_, "\r[%s] %s\033[K", bar.c_str(), format_status(s).c_str());
    std::fflush(out_);
  }
  void finish(const transfer_status& s) override {
    update(s);
    std::fputc('\n', out_);
  }

 private:
  std::FILE* out_;
};

// A line every `interval`, and one at the end; `format` makes it.
class line_reporter : public progress_reporter {
 public:
  using formatter = std::string (*)(const transfer_status&);
  line_reporter(std::FILE* out, std::chrono::seconds interval, formatter format)
      : out_(out), interval_(interval), format_(format) {}
  void update(const transfer_status& s) override {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < interval_) return;
    last_ = now;
    finish(s);
  }
  void finish(const transfer_status& s) override {
    std::fprintf(out_, "%s\n", format_(s).c_str());
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  std::chrono::seconds interval_;
  formatter format_;
  std::chrono::steady_clock::time_point last_{};
};

std::string json_line(const transfer_status& s) { return to_json_line(s); }

}  // namespace

std::string format_status(const transfer_status& s) {
  double percent = s.bytes_total ? 100.0 * static_cast<double>(s.bytes_done) / static_cast<double>(s.bytes_total) : 0.0;
  char line[256];
  std::snprintf(line, sizeof line, "%s %s%.1f%% %.1f/%.1f MB %.1f MB/s down %.1f MB/s up %d peers (%d seeds)",
                s.name.c_str(), s.checking ? "checking " : "", percent, megabytes(s.bytes_done),
                megabytes(s.bytes_total), static_cast<double>(s.download_rate) / 1e6,
                static_cast<double>(s.upload_rate) / 1e6, s.peers, s.seeds);
  return line;
}

std::unique_ptr<progress_reporter> make_progress_reporter(std::FILE* out, std::chrono::seconds line_interval) {
  if (::isatty(::fileno(out))) return std::make_unique<bar_reporter>(out);
  return std::make_unique<line_reporter>(out, line_interval, &format_status);
}

std::unique_ptr<progress_reporter> make_json_progress_reporter(std::FILE* out, std::chrono::seconds interval) {
  return std::make_unique<line_reporter>(out, interval, &json_line);
}

}  // namespace murder::client
