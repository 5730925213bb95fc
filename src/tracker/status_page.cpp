#include <string>

#include "murder/core/hex.hpp"
#include "murder/tracker/request_handler.hpp"

namespace murder::tracker {

std::string render_status_page(const swarm_registry& registry, const tracker_stats& stats, const allowed_torrents& allowed) {
  constexpr size_t max_rows = 200;
  std::string page =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>murder tracker</title></head><body>"
      "<h1>murder tracker</h1><p>";
  page += std::to_string(registry.swarms().size()) + " torrents, " + std::to_string(registry.peer_count()) +
          " peers; " + std::to_string(stats.announces) + " announces, " + std::to_string(stats.scrapes) +
          " scrapes, " + std::to_string(stats.refused) + " refused since start. ";
  page += allowed.is_open() ? "Open to any torrent." : "Serving " + std::to_string(allowed.size()) + " allowed torrents.";
  page += "</p><table border=\"1\"><tr><th>info-hash</th><th>seeds</th><th>leechers</th><th>completed</th></tr>";
  size_t rows = 0;
  for (const auto& [hash, s] : registry.swarms()) {
    if (rows++ == max_rows) break;
    page += "<tr><td><code>" + to_hex(hash.view()) + "</code></td><td>" + std::to_string(s.seeds()) + "</td><td>" +
            std::to_string(s.leechers()) + "</td><td>" + std::to_string(s.completed()) + "</td></tr>";
  }
  page += "</table></body></html>\n";
  return page;
}

}  // namespace murder::tracker
