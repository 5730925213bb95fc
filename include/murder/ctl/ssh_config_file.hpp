#pragma once
// The one ssh_config setting libssh reads but leaves to the application:
// StrictHostKeyChecking. Looked up as OpenSSH does: `Host` blocks whose patterns
// (with `*`, `?` and `!negation`) match the host, first value wins. `Match`
// blocks are skipped.

#include <optional>
#include <string>
#include <string_view>

namespace murder::ctl {

// "yes", "accept-new" or "no" from the ssh_config text for `host`, if set there.
// OpenSSH's synonyms are mapped: "off" to "no", "ask" and "on" to "yes".
std::optional<std::string> strict_host_key_checking_for(std::string_view ssh_config_text, const std::string& host);

}  // namespace murder::ctl
