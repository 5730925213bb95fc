#pragma once
// Keeps a run's connections open between its tasks: a deploy's eight tasks
// reach each host over one SSH session instead of eight, each of which would
// cost a key exchange, an authentication and a new sshd on the host.
//
// A connection goes back to the pool when its task is done with it, unless an
// operation on it failed; at most `capacity` idle connections are kept (the
// oldest go first). A pooled connection that cannot even begin its first
// operation (not_started: the host closed it while it was idle) is replaced by
// a new one once, transparently; nothing is ever run twice.
//
// prepare(host) connects ahead (a deploy's peers while its seeder works); a
// connect(host) meanwhile waits for that connection instead of opening a
// second one. When prepare(host) failed after `slow_failure` or more (a dead
// host's timeout), the first connect(host) throws that failure instead of
// waiting the timeout out again; after a quick failure it simply tries.

#include <chrono>
#include <cstddef>
#include <memory>

#include "murder/ctl/transport.hpp"

namespace murder::ctl {

std::unique_ptr<transport> make_reusing_transport(std::unique_ptr<transport> inner, std::size_t capacity,
                                                  std::chrono::milliseconds slow_failure = std::chrono::seconds(2));

}  // namespace murder::ctl
