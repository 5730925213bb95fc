#pragma once
// A run's figures for Prometheus' node exporter (its textfile collector):
// `murder_client --metrics-file DIR/murder.prom` keeps the file current while
// the seed serves or the peer downloads, and writes it once more at the end.
//
//   murder_client_payload_bytes{role="peer",tag="v42"} 33564862
//   murder_client_bytes_done{...} murder_client_bytes_uploaded{...}
//   murder_client_bytes_from_peers{...} murder_client_copies_uploaded{...}
//   murder_client_peers{...} murder_client_state{...,state="done"} 1
//
// The file is replaced atomically (the collector never reads half of one).

#include <filesystem>
#include <string>

#include "murder/client/status_file.hpp"

namespace murder::client {

// The figures in the Prometheus text format, labelled with the role and `tag`;
// `peers` is how many peers are connected now.
std::string metrics_text(const run_figures& figures, const std::string& tag, int peers);

void write_metrics_file(const std::filesystem::path& path, const run_figures& figures, const std::string& tag, int peers);

}  // namespace murder::client
