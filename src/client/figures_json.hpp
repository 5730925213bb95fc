#pragma once
// A run's figures as a JSON object: the status file holds one, and the stop and
// status event lines carry the same object (status_file.hpp, status_events.hpp).

#include <nlohmann/json.hpp>

#include "murder/client/status_file.hpp"

namespace murder::client {

nlohmann::ordered_json figures_object(const run_figures& figures);
// Throws std::invalid_argument naming what is wrong.
run_figures figures_from_object(const nlohmann::ordered_json& object);

}  // namespace murder::client
