#pragma once
// Where each host of a distribute_files run gets the bundle from (issue 14:
// the workstation uploads a few copies, the rest travels host to host).
//
// The first `uploads` hosts of the list get it from the workstation (SFTP);
// the others wait for a host to pass it on, never for a reserved upload that
// is not used. Every host holding a checked copy may serve it (murder_client
// serve-bundle) to at most `fanout` hosts at a time, so with a fanout of 1
// the hosts holding it double with every copy time. A host asking while
// every source is busy waits for one. When no source is left and no host is
// installing one (the first hosts all failed), the workstation uploads once
// more, so a run never waits for what cannot come. A source that failed
// twice in a row (its server gone, say) is not handed out again.
//
// Thread-safe: the runner's threads, one a host, share one of these.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace murder::ctl {

struct bundle_source {
  std::string address;  // empty: the workstation uploads it
  int port = 0;
  std::size_t id = 0;   // which server, for give_back
  bool from_workstation() const { return address.empty(); }
  std::string name() const { return from_workstation() ? "this machine" : address + " port " + std::to_string(port); }
};

class bundle_sources {
 public:
  // `hosts`: the run's hosts in list order.
  bundle_sources(std::vector<std::string> hosts, std::size_t uploads, std::size_t fanout);

  // A source for one fetch, not one of `avoid` (addresses this host failed
  // to fetch from already; empty on a host's first ask); waits up to
  // `patience` for one with room. nullopt: none came in time, or none is left
  // that this host has not failed with.
  std::optional<bundle_source> take(const std::string& host, std::chrono::milliseconds patience,
                                    const std::vector<std::string>& avoid = {});

  // After a fetch from a host source: `fetched`, `failed`, or `unused` (the
  // fetch failed for a reason of the fetching host's own; no fault of the
  // source). A
  // fetched copy (or any upload from the workstation) makes the fetching host
  // "installing" until it calls `serving` or `not_serving`.
  enum class outcome { fetched, failed, unused };
  void give_back(const bundle_source& source, outcome how);
  // The installing host now serves the bundle at `address` port `port`.
  void serving(const std::string& host, const std::string& address, int port);
  // The installing host will not serve (its install failed, or nobody needs it).
  void not_serving();
  // `host` no longer serves (its install failed): not handed out again.
  void withdraw(const std::string& host);
  // Whether a host that just got its copy should serve: fewer copies have
  // gone out than there are hosts, or a host is waiting for one.
  bool wanted() const;
  // Whether `host` was told to serve (so its server must be stopped).
  bool serves(const std::string& host) const;
  // Bundles the workstation has uploaded so far.
  std::size_t uploads() const;

 private:
  struct server {
    std::string host;
    bundle_source where;
    std::size_t open = 0;
    std::size_t fetched = 0;
    std::size_t failed_in_a_row = 0;
    bool withdrawn = false;
    bool usable() const { return !withdrawn && failed_in_a_row < 2; }
  };
  // With the lock held: a source now, or nullopt with `never` saying whether
  // waiting could still bring one.
  std::optional<bundle_source> pick(const std::string& host, const std::vector<std::string>& avoid, bool& never);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t hosts_;
  std::vector<std::string> reserved_;  // hosts an upload waits for, until they ask
  std::size_t fanout_;
  std::size_t uploads_ = 0;
  std::size_t fetched_ = 0;  // copies fetched from hosts
  std::size_t waiting_ = 0;     // threads waiting in take()
  std::size_t installing_ = 0;  // hosts with a copy, not yet serving or settled
  std::vector<server> servers_;
  std::set<std::string> serving_hosts_;  // every host ever told to serve
};

}  // namespace murder::ctl
