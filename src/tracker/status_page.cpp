// The page at "/": what an operator watches during a deploy. Server-rendered
// HTML that reloads itself every few seconds and needs nothing from the
// internet. Each torrent gets its host counts (done, in progress, stalled),
// its rate and progress; one torrent's peers are listed stuck-first, a page
// of rows at a time, so that 10,000 peers never make a 10,000-row table.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "murder/core/hex.hpp"
#include "murder/tracker/request_handler.hpp"

namespace murder::tracker {

namespace {

constexpr size_t torrents_shown = 20;
constexpr size_t peers_per_page = 50;
constexpr int refresh_seconds = 5;

std::string escaped(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string formatted(const char* format, double value) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string bytes_text(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(units)) {
    bytes /= 1024;
    ++unit;
  }
  return formatted(unit == 0 ? "%.0f " : "%.1f ", bytes) + units[unit];
}

enum class host_state { done, in_progress, stalled };

const char* state_name(host_state s) {
  switch (s) {
    case host_state::done: return "done";
    case host_state::in_progress: return "in progress";
    case host_state::stalled: return "stalled";
  }
  return "";
}

// A leecher is stalled when its `left` has not gone down for two announce
// intervals and a margin (stall_seconds): it announced without progress, or
// went silent.
host_state state_of(const peer_entry& p, std::int64_t now, std::int64_t stall_after) {
  if (p.is_seed) return host_state::done;
  return now - p.progressed_at > stall_after ? host_state::stalled : host_state::in_progress;
}

// Lower first: the order hosts are listed in.
int urgency(host_state s) { return s == host_state::stalled ? 0 : s == host_state::in_progress ? 1 : 2; }

struct torrent_summary {
  const info_hash* hash = nullptr;
  const swarm* s = nullptr;
  const torrent_label* label = nullptr;
  size_t counts[3] = {0, 0, 0};  // by host_state
  double fetched_share = -1;     // of all peers' bytes, when the size is known

  size_t count(host_state st) const { return counts[static_cast<int>(st)]; }
  std::string name() const { return label && !label->tag.empty() ? label->tag : to_hex(hash->view()).substr(0, 12); }
};

// The share of the payload a peer holds, or -1 when the tracker does not know it.
double held_share(const peer_entry& p, const torrent_label* label) {
  if (p.is_seed) return 1;
  if (!label || label->size == 0 || p.left == unknown_left || p.left > label->size) return -1;
  return 1.0 - static_cast<double>(p.left) / static_cast<double>(label->size);
}

// Hosts are counted by address, each once in its most pressing state
// (stalled, then in progress, then done): the seeder's host runs a peer too.
torrent_summary summarize(const info_hash& h, const swarm& s, const tracker_view& view, std::int64_t stall_after) {
  torrent_summary t{&h, &s, view.allowed.label(h)};
  std::unordered_map<std::string, host_state> hosts;
  double held = 0;
  bool known = t.label != nullptr;
  for (const auto& p : s.peers()) {
    const host_state st = state_of(p, view.now, stall_after);
    const std::string address(reinterpret_cast<const char*>(p.address.bytes.data()), p.address.is_v6 ? 16 : 4);
    auto [it, fresh] = hosts.try_emplace(address, st);
    if (!fresh && urgency(st) < urgency(it->second)) it->second = st;
    double share = held_share(p, t.label);
    known = known && share >= 0;
    held += share;
  }
  for (const auto& [address, st] : hosts) ++t.counts[static_cast<int>(st)];
  if (known && s.size() > 0) t.fetched_share = held / static_cast<double>(s.size());
  return t;
}

std::string link_to(const info_hash& h, size_t page) {
  return "?torrent=" + to_hex(h.view()) + (page > 1 ? "&amp;page=" + std::to_string(page) : "");
}

std::string summary_html(const torrent_summary& t, bool linked, std::int64_t now) {
  const std::string hex = to_hex(t.hash->view());
  std::string html = "<section class=\"torrent\" data-info-hash=\"" + hex + "\" data-tag=\"" +
                     escaped(t.label ? t.label->tag : "") + "\" data-done=\"" +
                     std::to_string(t.count(host_state::done)) + "\" data-in-progress=\"" +
                     std::to_string(t.count(host_state::in_progress)) + "\" data-stalled=\"" +
                     std::to_string(t.count(host_state::stalled)) + "\">";
  html += "<h2>" + (linked ? "<a href=\"" + link_to(*t.hash, 1) + "\">" + escaped(t.name()) + "</a>" : escaped(t.name())) +
          "</h2><p class=\"hash\"><code>" + hex + "</code>" +
          (t.label ? " · " + bytes_text(static_cast<double>(t.label->size)) : "") + "</p>";
  html += "<p class=\"counts\"><span class=\"done\">" + std::to_string(t.count(host_state::done)) +
          " done</span> · <span class=\"progress\">" + std::to_string(t.count(host_state::in_progress)) +
          " in progress</span> · <span class=\"" + (t.count(host_state::stalled) ? "stalled" : "none") + "\">" +
          std::to_string(t.count(host_state::stalled)) +
          " stalled</span> · " + std::to_string(t.s->completed()) + " completed since start · " +
          bytes_text(t.s->download_rate(now)) + "/s</p>";
  if (t.fetched_share >= 0) {
    const std::string percent = formatted("%.1f", 100 * t.fetched_share);
    html += "<div class=\"bar\"><div style=\"width:" + percent + "%\"></div></div><p>" + percent +
            " % of all hosts' bytes are in place</p>";
  }
  return html + "</section>";
}

// `page` counts from 1, as the page shows it and its links ask.
std::string peers_html(const torrent_summary& t, const tracker_view& view, std::int64_t stall_after, size_t page) {
  const auto& all = t.s->peers();
  const size_t pages = std::max<size_t>(1, (all.size() + peers_per_page - 1) / peers_per_page);
  page = std::clamp<size_t>(page, 1, pages);
  const size_t first = (page - 1) * peers_per_page, end = std::min(all.size(), page * peers_per_page);
  // Stuck hosts first, then the least advanced, then the longest silent;
  // sorted only as far as this page, so a late page of a large swarm costs
  // one pass and a partial sort.
  struct row {
    int urgency;
    std::uint64_t left;
    std::int64_t last_seen;
    const peer_entry* peer;
  };
  std::vector<row> rows;
  rows.reserve(all.size());
  for (const auto& p : all) rows.push_back({urgency(state_of(p, view.now, stall_after)), p.left, p.last_seen, &p});
  auto before = [](const row& a, const row& b) {
    if (a.urgency != b.urgency) return a.urgency < b.urgency;
    if (a.left != b.left) return a.left > b.left;
    return a.last_seen < b.last_seen;
  };
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(end), rows.end(), before);
  const bool located = !view.registry.limits().where.empty();
  std::string html = "<h3>Peers " + std::to_string(std::min(all.size(), first + 1)) + "–" + std::to_string(end) +
                     " of " + std::to_string(all.size()) + "</h3><table class=\"peers\"><tr><th>address</th>" +
                     (located ? "<th>location</th>" : "") +
                     "<th>state</th><th>progress</th><th>left</th><th>last seen</th></tr>";
  for (size_t i = first; i < end; ++i) {
    const peer_entry& p = *rows[i].peer;
    const host_state st = state_of(p, view.now, stall_after);
    const double share = held_share(p, t.label);
    html += "<tr class=\"" + std::string(st == host_state::stalled ? "stalled" : "") + "\"><td>" +
            escaped(p.address.ip().to_string()) + ":" + std::to_string(p.port) + "</td>" +
            (located ? "<td>" + escaped(view.registry.limits().where.name(p.location)) + "</td>" : "") + "<td>" +
            state_name(st) + "</td><td>" + (share >= 0 ? formatted("%.1f %%", 100 * share) : "?") + "</td><td>" +
            (p.left == unknown_left ? "?" : bytes_text(static_cast<double>(p.left))) + "</td><td>" +
            std::to_string(std::max<std::int64_t>(0, view.now - p.last_seen)) + " s ago</td></tr>";
  }
  html += "</table><p class=\"pages\">";
  if (page > 1) html += "<a href=\"" + link_to(*t.hash, page - 1) + "\">« previous</a> ";
  html += "page " + std::to_string(page) + " of " + std::to_string(pages);
  if (page < pages) html += " <a href=\"" + link_to(*t.hash, page + 1) + "\">next »</a>";
  return html + "</p>";
}

std::string param(const query_params& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace

std::string render_status_page(const tracker_view& view, const query_params& params) {
  const std::int64_t stall_after = stall_seconds(view.registry.limits());
  std::vector<torrent_summary> torrents;
  double rate = 0;
  for (const auto& [h, s] : view.registry.swarms()) {
    torrents.push_back(summarize(h, s, view, stall_after));
    rate += s.download_rate(view.now);
  }
  // The busiest first: most hosts not done, then most hosts.
  std::sort(torrents.begin(), torrents.end(), [](const auto& a, const auto& b) {
    const size_t busy_a = a.s->size() - a.count(host_state::done), busy_b = b.s->size() - b.count(host_state::done);
    if (busy_a != busy_b) return busy_a > busy_b;
    if (a.s->size() != b.s->size()) return a.s->size() > b.s->size();
    return *a.hash < *b.hash;
  });
  std::string wanted = param(params, "torrent");
  std::transform(wanted.begin(), wanted.end(), wanted.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!wanted.empty()) {
    torrents.erase(std::remove_if(torrents.begin(), torrents.end(),
                                  [&](const auto& t) { return to_hex(t.hash->view()) != wanted; }),
                   torrents.end());
  }
  const tracker_stats& stats = view.stats;
  std::string page =
      "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"" +
      std::to_string(refresh_seconds) +
      "\"><title>murder tracker</title><style>"
      "body{font-family:sans-serif;margin:1.5em;color:#222}section{border:1px solid #ccc;border-radius:6px;"
      "padding:.2em 1em;margin:.8em 0}.hash{color:#777;font-size:.85em}.done{color:#1a7f37}.progress{color:#0550ae}"
      ".stalled{color:#cf222e;font-weight:bold}.bar{background:#eee;height:.8em;border-radius:4px}"
      ".bar div{background:#1a7f37;height:100%;border-radius:4px}table{border-collapse:collapse}"
      "td,th{padding:.15em .8em;border-bottom:1px solid #eee;text-align:left}tr.stalled td{background:#ffebe9}"
      "</style></head><body><h1>murder tracker</h1><p id=\"summary\">";
  page += std::to_string(view.registry.swarms().size()) + " torrents, " + std::to_string(view.registry.peer_count()) +
          " peers; " + std::to_string(stats.announces) + " announces, " + std::to_string(stats.scrapes) +
          " scrapes, " + std::to_string(stats.refused()) + " refused since start; " + bytes_text(rate) +
          "/s downloaded. ";
  page += view.allowed.is_open() ? "Open to any torrent." : "Serving " + std::to_string(view.allowed.size()) + " allowed torrents.";
  page += " <a href=\"/metrics\">metrics</a></p>";
  if (torrents.empty()) page += "<p>No swarm" + std::string(wanted.empty() ? "s yet." : " for that torrent.") + "</p>";
  for (size_t i = 0; i < torrents.size() && i < torrents_shown; ++i) {
    page += summary_html(torrents[i], torrents.size() > 1, view.now);
  }
  if (torrents.size() > torrents_shown) {
    page += "<p>and " + std::to_string(torrents.size() - torrents_shown) +
            " quieter torrents (all of them are at <a href=\"/metrics\">/metrics</a>)</p>";
  }
  if (torrents.size() == 1) {
    const std::string page_text = param(params, "page");
    const size_t page_number = page_text.empty() ? 1 : std::strtoul(page_text.c_str(), nullptr, 10);
    page += peers_html(torrents.front(), view, stall_after, page_number);
  }
  return page + "<p class=\"hash\">Reloads every " + std::to_string(refresh_seconds) + " s.</p></body></html>\n";
}

}  // namespace murder::tracker
