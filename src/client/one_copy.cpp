#include "murder/client/one_copy.hpp"

#include <libtorrent/peer_connection_handle.hpp>
#include <libtorrent/peer_request.hpp>

#include <array>

namespace murder::client {

namespace lt = libtorrent;
using clock_type = std::chrono::steady_clock;

piece_ledger::piece_ledger(int num_pieces)
    : holders_(static_cast<std::size_t>(num_pieces), 0), receiver_(static_cast<std::size_t>(num_pieces), nullptr) {}

void piece_ledger::gained(connection, int piece) {
  ++holders_[piece];
  receiver_[piece] = nullptr;  // whoever announces it first: the piece is out
}

void piece_ledger::lost(connection, int piece) {
  if (holders_[piece] > 0) --holders_[piece];
}

void piece_ledger::released(connection who, int piece) {
  if (receiver_[piece] == who) receiver_[piece] = nullptr;
}

bool piece_ledger::take_first_copy(connection who, int piece) {
  if (receiver_[piece] == who) return true;
  if (holders_[piece] != 0 || receiver_[piece] != nullptr) return false;
  receiver_[piece] = who;
  return true;
}

int piece_ledger::fresh_piece() {
  int n = num_pieces();
  for (int k = 0; k < n; ++k) {
    int piece = (next_fresh_ + k) % n;
    if (holders_[piece] == 0 && receiver_[piece] == nullptr) {
      next_fresh_ = (piece + 1) % n;
      return piece;
    }
  }
  return -1;
}

namespace {

// Shared by the torrent's connections; touched only on libtorrent's network thread.
struct shared_state {
  piece_ledger ledger;
  std::chrono::milliseconds patience;
  std::shared_ptr<one_copy_figures> figures;
};

void put_u32(char* out, std::uint32_t v) {
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
}

class peer_policy final : public lt::peer_plugin {
 public:
  peer_policy(std::shared_ptr<shared_state> state, lt::peer_connection_handle connection)
      : state_(std::move(state)),
        ledger_(state_->ledger),
        connection_(std::move(connection)),
        have_(static_cast<std::size_t>(ledger_.num_pieces()), false) {}
  ~peer_policy() override { forget(); }

  lt::string_view type() const override { return "murder_one_copy"; }

  bool on_handshake(lt::span<char const> reserved) override {
    constexpr char fast_extension_bit = 0x04;  // BEP 6: reserved byte 7
    fast_ = reserved.size() >= 8 && (reserved[7] & fast_extension_bit) != 0;
    return true;
  }

  bool on_bitfield(lt::bitfield const& pieces) override {
    for (int piece = 0; piece < pieces.size() && ledger_.valid(piece); ++piece) {
      if (pieces.get_bit(piece)) gained(piece);
    }
    return false;
  }
  bool on_have_all() override {
    for (int piece = 0; ledger_.valid(piece); ++piece) gained(piece);
    return false;
  }
  bool on_have(lt::piece_index_t index) override {
    int piece = static_cast<int>(index);
    if (ledger_.valid(piece) && !have_[piece]) {
      gained(piece);
      last_new_piece_ = clock_type::now();
    }
    return false;
  }
  bool on_dont_have(lt::piece_index_t index) override {
    int piece = static_cast<int>(index);
    if (ledger_.valid(piece) && have_[piece]) {
      have_[piece] = false;
      ledger_.lost(this, piece);
    }
    return false;
  }
  bool on_cancel(lt::peer_request const& r) override {
    int piece = static_cast<int>(r.piece);
    if (ledger_.valid(piece)) ledger_.released(this, piece);
    return false;
  }
  void on_disconnect(lt::error_code const&) override { forget(); }

  bool on_request(lt::peer_request const& r) override {
    int piece = static_cast<int>(r.piece);
    if (!ledger_.valid(piece)) return false;  // libtorrent refuses it itself
    auto& figures = *state_->figures;
    if (!fast_ || ledger_.take_first_copy(this, piece)) {
      ++figures.served;
      return false;
    }
    if (clock_type::now() - last_new_piece_ > state_->patience) {
      ++figures.served;
      ++figures.served_starving;
      return false;
    }
    refuse(r);
    ++figures.refused;
    return true;
  }

 private:
  void gained(int piece) {
    have_[piece] = true;
    ledger_.gained(this, piece);
  }

  // Gives back what this connection held and was being sent.
  void forget() {
    if (forgotten_) return;
    forgotten_ = true;
    for (int piece = 0; ledger_.valid(piece); ++piece) {
      if (have_[piece]) ledger_.lost(this, piece);
      ledger_.released(this, piece);
    }
  }

  // reject_request (BEP 6, id 16), then suggest_piece (id 13) for a piece
  // nobody has, so that the peer's next pick is one only we can give.
  void refuse(lt::peer_request const& r) {
    std::array<char, 17> reject{};
    put_u32(reject.data(), 13);
    reject[4] = 16;
    put_u32(reject.data() + 5, static_cast<std::uint32_t>(static_cast<int>(r.piece)));
    put_u32(reject.data() + 9, static_cast<std::uint32_t>(r.start));
    put_u32(reject.data() + 13, static_cast<std::uint32_t>(r.length));
    connection_.send_buffer(reject.data(), static_cast<int>(reject.size()));
    int fresh = ledger_.fresh_piece();
    if (fresh < 0) return;
    std::array<char, 9> suggest{};
    put_u32(suggest.data(), 5);
    suggest[4] = 13;
    put_u32(suggest.data() + 5, static_cast<std::uint32_t>(fresh));
    connection_.send_buffer(suggest.data(), static_cast<int>(suggest.size()));
  }

  std::shared_ptr<shared_state> state_;
  piece_ledger& ledger_;
  lt::peer_connection_handle connection_;
  std::vector<bool> have_;
  bool fast_ = false;
  bool forgotten_ = false;
  clock_type::time_point last_new_piece_ = clock_type::now();
};

class torrent_policy final : public lt::torrent_plugin {
 public:
  explicit torrent_policy(std::shared_ptr<shared_state> state) : state_(std::move(state)) {}

  std::shared_ptr<lt::peer_plugin> new_connection(lt::peer_connection_handle const& connection) override {
    return std::make_shared<peer_policy>(state_, connection);
  }

 private:
  std::shared_ptr<shared_state> state_;
};

}  // namespace

std::function<std::shared_ptr<lt::torrent_plugin>(const lt::torrent_handle&, lt::client_data_t)> one_copy_extension(
    int num_pieces, std::shared_ptr<one_copy_figures> figures, std::chrono::milliseconds patience) {
  return [=](const lt::torrent_handle&, lt::client_data_t) -> std::shared_ptr<lt::torrent_plugin> {
    return std::make_shared<torrent_policy>(
        std::make_shared<shared_state>(shared_state{piece_ledger(num_pieces), patience, figures}));
  };
}

}  // namespace murder::client
