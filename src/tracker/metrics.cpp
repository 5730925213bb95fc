// /metrics: the tracker's figures in the Prometheus text format (version 0.0.4).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "murder/core/hex.hpp"
#include "murder/core/prometheus_text.hpp"
#include "murder/tracker/request_handler.hpp"

namespace murder::tracker {

std::string render_metrics(const tracker_view& view) {
  const tracker_stats& stats = view.stats;
  prometheus_text m;
  m.family("murder_tracker_torrents", "gauge", "Swarms the tracker holds.");
  m.sample("murder_tracker_torrents", "", static_cast<double>(view.registry.swarms().size()));
  m.family("murder_tracker_peers", "gauge", "Peers in all swarms.");
  m.sample("murder_tracker_peers", "", static_cast<double>(view.registry.peer_count()));
  m.family("murder_tracker_announces_total", "counter", "Announces answered with peers.");
  m.sample("murder_tracker_announces_total", "", static_cast<double>(stats.announces));
  m.family("murder_tracker_scrapes_total", "counter", "Scrapes answered.");
  m.sample("murder_tracker_scrapes_total", "", static_cast<double>(stats.scrapes));
  m.family("murder_tracker_refused_total", "counter", "Requests refused, by reason.");
  for (size_t r = 0; r < refusal_kinds; ++r) {
    const auto why = static_cast<refusal>(r);
    m.sample("murder_tracker_refused_total", "reason=\"" + std::string(refusal_label(why)) + "\"",
             static_cast<double>(stats.refused(why)));
  }
  m.family("murder_tracker_open_connections", "gauge", "HTTP connections open now.");
  m.sample("murder_tracker_open_connections", "", static_cast<double>(stats.connections()));
  m.family("murder_tracker_reply_seconds", "histogram", "Time from a whole request to its reply.");
  const auto& times = stats.reply_times;
  for (size_t i = 0; i < reply_time_histogram::bounds.size(); ++i) {
    char le[32];
    std::snprintf(le, sizeof le, "le=\"%g\"", reply_time_histogram::bounds[i]);
    m.sample("murder_tracker_reply_seconds_bucket", le, static_cast<double>(times.at_most(i)));
  }
  m.sample("murder_tracker_reply_seconds_bucket", "le=\"+Inf\"", static_cast<double>(times.count()));
  m.sample("murder_tracker_reply_seconds_sum", "", times.sum());
  m.sample("murder_tracker_reply_seconds_count", "", static_cast<double>(times.count()));

  // Per torrent, in info-hash order so that the text is stable.
  std::vector<const std::pair<const info_hash, swarm>*> swarms;
  for (const auto& entry : view.registry.swarms()) swarms.push_back(&entry);
  std::sort(swarms.begin(), swarms.end(), [](auto* a, auto* b) { return a->first < b->first; });
  auto labels_of = [&](const info_hash& h) {
    const torrent_label* label = view.allowed.label(h);
    return "info_hash=\"" + to_hex(h.view()) + "\",tag=\"" + (label ? prometheus_label_value(label->tag) : "") + "\"";
  };
  struct per_torrent {
    const char* name;
    const char* type;
    const char* help;
    double (*value)(const swarm&);
  };
  const per_torrent families[] = {
      {"murder_tracker_torrent_peers", "gauge", "Peers in the swarm.",
       [](const swarm& s) { return static_cast<double>(s.size()); }},
      {"murder_tracker_torrent_seeds", "gauge", "Peers with the whole payload.",
       [](const swarm& s) { return static_cast<double>(s.seeds()); }},
      {"murder_tracker_torrent_leechers", "gauge", "Peers still downloading.",
       [](const swarm& s) { return static_cast<double>(s.leechers()); }},
      {"murder_tracker_torrent_completed_total", "counter", "Downloads completed (event=completed).",
       [](const swarm& s) { return static_cast<double>(s.completed()); }},
      {"murder_tracker_torrent_uploaded_bytes_total", "counter", "Bytes uploaded, as the peers report them.",
       [](const swarm& s) { return static_cast<double>(s.totals().uploaded); }},
      {"murder_tracker_torrent_downloaded_bytes_total", "counter", "Bytes downloaded, as the peers report them.",
       [](const swarm& s) { return static_cast<double>(s.totals().downloaded); }},
  };
  std::vector<std::string> labels;
  labels.reserve(swarms.size());
  for (const auto* entry : swarms) labels.push_back(labels_of(entry->first));
  for (const auto& f : families) {
    m.family(f.name, f.type, f.help);
    for (size_t i = 0; i < swarms.size(); ++i) m.sample(f.name, labels[i], f.value(swarms[i]->second));
  }
  return m.take();
}

}  // namespace murder::tracker
