#pragma once
// The seed's "one copy first" request policy.
//
// A plain seed serves whatever it is asked for. In a fleet every host starts at
// once and asks the seed for the same rare pieces, so the seed sends each piece
// two or three times and every host waits for it (BENCHMARKS.md: 1.7 to 2.9
// copies). With this policy the seed refuses, with the fast extension's
// reject_request (BEP 6), a request for a piece that another peer already holds
// or is already being sent, and suggests a piece nobody has yet instead. The
// peers then trade what the seed sent among themselves, and the seed sends
// about one copy.
//
// Never a dead end:
//  - a peer without the fast extension is served as usual (it could not be
//    told no);
//  - a peer that has announced no new piece for `patience` is served whatever
//    it asks until it announces one (its other sources may be gone or slow);
//  - a piece whose receiver disconnects or cancels is free again.
//
// piece_ledger is the decision, with no libtorrent in it (unit-tested);
// one_copy_extension is the libtorrent plugin that feeds it.

#include <libtorrent/extensions.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace murder::client {

// Who holds each piece, and which connection each piece nobody holds yet is on
// its way to. Connections are named by any distinct pointer.
class piece_ledger {
 public:
  using connection = const void*;
  explicit piece_ledger(int num_pieces);

  int num_pieces() const { return static_cast<int>(holders_.size()); }
  bool valid(int piece) const { return piece >= 0 && piece < num_pieces(); }

  // `who` announced `piece` (HAVE, bitfield) or took it back (DONT_HAVE).
  void gained(connection who, int piece);
  void lost(connection who, int piece);
  // `who` cancelled its request for `piece`, or went away: the piece is free.
  void released(connection who, int piece);

  // Whether `who` may be sent `piece` as its first copy: nobody holds it and
  // it is not on its way to another connection. Serving records `who` as its
  // receiver.
  bool take_first_copy(connection who, int piece);

  // A piece nobody holds and none is being sent (-1 when every piece is out),
  // each call resuming after the last answer so that peers get different ones.
  int fresh_piece();

  int holders(int piece) const { return holders_[piece]; }

 private:
  std::vector<int> holders_;
  std::vector<connection> receiver_;  // nullptr: not being sent
  int next_fresh_ = 0;
};

// What the policy did, readable from any thread.
struct one_copy_figures {
  std::atomic<std::uint64_t> served{0};          // requests passed on to libtorrent
  std::atomic<std::uint64_t> refused{0};         // requests answered with reject_request
  std::atomic<std::uint64_t> served_starving{0}; // of `served`: allowed only by the patience rule
};

// The extension to pass to add_torrent_params::extensions, for a torrent of
// `num_pieces` pieces. `figures` outlives the torrent.
std::function<std::shared_ptr<libtorrent::torrent_plugin>(const libtorrent::torrent_handle&, libtorrent::client_data_t)>
one_copy_extension(int num_pieces, std::shared_ptr<one_copy_figures> figures,
                   std::chrono::milliseconds patience = std::chrono::milliseconds(2000));

}  // namespace murder::client
