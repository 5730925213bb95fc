#include "murder/client/metrics_file.hpp"

#include "murder/core/files.hpp"
#include "murder/core/prometheus_text.hpp"

namespace murder::client {

std::string metrics_text(const run_figures& f, const std::string& tag, int peers) {
  const std::string labels = "role=\"" + prometheus_label_value(f.role) + "\",tag=\"" + prometheus_label_value(tag) + "\"";
  prometheus_text text;
  auto gauge = [&](const char* name, const char* help, double value) {
    text.family(name, "gauge", help);
    text.sample(name, labels, value);
  };
  gauge("murder_client_payload_bytes", "Payload bytes.", static_cast<double>(f.bytes_total));
  gauge("murder_client_bytes_done", "Payload bytes verified here (a seed holds them all).",
        static_cast<double>(f.role == "seed" ? f.bytes_total : f.bytes_done));
  gauge("murder_client_bytes_uploaded", "Payload bytes uploaded to peers.", static_cast<double>(f.bytes_uploaded));
  gauge("murder_client_bytes_from_peers", "Payload bytes received from peers, repeats included (a peer, once done).",
        static_cast<double>(f.bytes_from_peers));
  gauge("murder_client_copies_uploaded", "Bytes uploaded over the payload's size.", f.copies_uploaded());
  gauge("murder_client_peers", "Peers connected now.", peers);
  gauge("murder_client_download_seconds", "Seconds from start to the last verified byte (a peer, once done).",
        f.download_seconds);
  gauge("murder_client_deliver_seconds", "Seconds from the last verified byte to the release in place.",
        f.deliver_seconds);
  text.family("murder_client_state", "gauge", "1 for the run's state now.");
  for (const char* state : {"seeding", "stopped", "downloading", "done", "failed"}) {
    text.sample("murder_client_state", labels + ",state=\"" + state + "\"", f.state == state ? 1 : 0);
  }
  return text.take();
}

void write_metrics_file(const std::filesystem::path& path, const run_figures& figures, const std::string& tag,
                        int peers) {
  write_file_atomically(path, metrics_text(figures, tag, peers), 0644);
}

}  // namespace murder::client
