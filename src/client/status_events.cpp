#include "murder/client/status_events.hpp"

#include <cstdio>

#include "figures_json.hpp"

namespace murder::client {

namespace {

// Keys in the documented order, for the people who read the lines too.
using json = nlohmann::ordered_json;

template <class... Visitors>
struct overloaded : Visitors... {
  using Visitors::operator()...;
};
template <class... Visitors>
overloaded(Visitors...) -> overloaded<Visitors...>;

json event_json(const client_event& event) {
  return std::visit(
      overloaded{
          [](const transfer_status& s) -> json {
            return {{"event", "progress"},         {"name", s.name},
                    {"bytes_done", s.bytes_done},  {"bytes_total", s.bytes_total},
                    {"download_rate", s.download_rate}, {"upload_rate", s.upload_rate},
                    {"peers", s.peers},            {"seeds", s.seeds},
                    {"checking", s.checking}};
          },
          [](const done_event& d) -> json {
            return {{"event", "done"},
                    {"path", d.path},
                    {"bytes", d.bytes},
                    {"bytes_from_peers", d.bytes_from_peers},
                    {"download_seconds", d.download_seconds},
                    {"deliver_seconds", d.deliver_seconds}};
          },
          [](const seeding_event& s) -> json { return {{"event", "seeding"}, {"path", s.path}, {"bytes", s.bytes}}; },
          [](const failed_event& f) -> json {
            return {{"event", "failed"}, {"exit_code", f.exit_code}, {"message", f.message}};
          },
          [](const stop_event& s) -> json {
            json j = {{"event", "stop"}, {"pidfile", s.pidfile}, {"outcome", s.outcome}};
            if (s.pid) j["pid"] = *s.pid;
            j["figures"] = s.figures ? figures_object(*s.figures) : json();
            return j;
          },
          [](const status_event& s) -> json {
            json j = {{"event", "status"}, {"pidfile", s.pidfile}, {"running", s.running}};
            if (s.pid) j["pid"] = *s.pid;
            if (s.figures) j["figures"] = figures_object(*s.figures);
            return j;
          },
      },
      event);
}

std::optional<long long> optional_pid(const json& j) {
  if (!j.contains("pid")) return std::nullopt;
  return j.at("pid").get<long long>();
}

client_event event_from(const json& j) {
  const std::string kind = j.at("event").get<std::string>();
  if (kind == "progress") {
    transfer_status s;
    s.name = j.at("name").get<std::string>();
    s.bytes_done = j.at("bytes_done").get<std::uint64_t>();
    s.bytes_total = j.at("bytes_total").get<std::uint64_t>();
    s.download_rate = j.value<std::int64_t>("download_rate", 0);
    s.upload_rate = j.value<std::int64_t>("upload_rate", 0);
    s.peers = j.value("peers", 0);
    s.seeds = j.value("seeds", 0);
    s.checking = j.value("checking", false);
    return s;
  }
  if (kind == "done") {
    done_event d;
    d.path = j.at("path").get<std::string>();
    d.bytes = j.at("bytes").get<std::uint64_t>();
    d.bytes_from_peers = j.at("bytes_from_peers").get<std::uint64_t>();
    d.download_seconds = j.value("download_seconds", 0.0);
    d.deliver_seconds = j.value("deliver_seconds", 0.0);
    return d;
  }
  if (kind == "seeding") return seeding_event{j.at("path").get<std::string>(), j.at("bytes").get<std::uint64_t>()};
  if (kind == "failed") return failed_event{j.at("exit_code").get<int>(), j.at("message").get<std::string>()};
  if (kind == "stop") {
    stop_event s;
    s.pidfile = j.at("pidfile").get<std::string>();
    s.outcome = j.at("outcome").get<std::string>();
    s.pid = optional_pid(j);
    if (j.contains("figures") && j.at("figures").is_object()) s.figures = figures_from_object(j.at("figures"));
    return s;
  }
  if (kind == "status") {
    status_event s;
    s.pidfile = j.at("pidfile").get<std::string>();
    s.running = j.at("running").get<bool>();
    s.pid = optional_pid(j);
    if (j.contains("figures") && j.at("figures").is_object()) s.figures = figures_from_object(j.at("figures"));
    return s;
  }
  throw std::invalid_argument("unknown event " + kind);
}

}  // namespace

std::string describe(const done_event& done) {
  char text[160];
  std::snprintf(text, sizeof text, "%llu bytes, %llu fetched from peers, %.1f s, delivered in %.2f s",
                static_cast<unsigned long long>(done.bytes), static_cast<unsigned long long>(done.bytes_from_peers),
                done.download_seconds, done.deliver_seconds);
  return text;
}

// A tag or path may hold bytes that are not UTF-8: they become U+FFFD rather
// than an exception that would cost the event (or the error it carries).
std::string to_json_line(const client_event& event) {
  return event_json(event).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<client_event> parse_event_line(std::string_view line) {
  if (line.empty() || line.front() != '{') return std::nullopt;
  auto j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("event")) return std::nullopt;
  try {
    return event_from(j);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace murder::client
