// BitTornado's tracker options as old command lines pass them: parsed without
// error, applied where they mean something, one warning each otherwise.
#include <CLI/CLI.hpp>

#include <algorithm>

#include "murder/core/cidr.hpp"
#include "murder/core/error.hpp"
#include "murder/tracker/bittornado_options.hpp"
#include "sandbox.hpp"
#include "tracker_helpers.hpp"

using namespace murder::tracker;
using namespace murder::testing;

namespace {

class bittornado_test : public sandbox_test {
 protected:
  // Parses `args` as murder_tracker would, then applies the BitTornado options.
  std::vector<std::string> apply(std::vector<std::string> args) {
    CLI::App app;
    bittornado_options options;
    add_bittornado_options(app, options);
    std::reverse(args.begin(), args.end());  // CLI11 takes them last first
    app.parse(args);
    return apply_bittornado_options(options, config);
  }
  tracker_config config;
};

TEST_F(bittornado_test, applied_options_set_what_they_mean_here) {
  write(path("allowed"), "# the fleet\n198.18.0.0/15 the fleet\n10.1.2.3  # one host\n\n");
  write(path("banned"), "a broken host:198.18.0.66-198.18.0.70\nanother:198.18.0.80 - 198.18.0.81\nlone:198.18.0.90\n");
  auto warnings = apply({"--timeout_downloaders_interval", "60", "--socket_timeout", "7", "--allowed_ips",
                         path("allowed").string(), "--banned_ips", path("banned").string(), "--scrape_allowed",
                         "specific", "--show_infopage", "0"});
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(config.limits.peer_timeout, 60);
  EXPECT_EQ(config.server.request_timeout, 7);
  EXPECT_EQ(murder::describe_ranges(config.access.allowed_cidrs), "198.18.0.0-198.19.255.255, 10.1.2.3");
  EXPECT_EQ(murder::describe_ranges(config.access.banned), "198.18.0.66-198.18.0.70, 198.18.0.80-198.18.0.81, 198.18.0.90");
  EXPECT_EQ(config.access.scrape, scrape_access::specific);
  EXPECT_FALSE(config.access.status_page);
}

TEST_F(bittornado_test, ignored_options_warn_once_each_unless_they_ask_for_what_happens_anyway) {
  auto warnings = apply({"--nat_check", "3", "--parse_dir_interval", "60", "--keep_dead", "0", "--allow_get", "1",
                         "--multitracker_enabled", "0", "--http_timeout", "60"});
  ASSERT_EQ(warnings.size(), 4u);  // keep_dead 0 and multitracker_enabled 0 are what murder_tracker does
  EXPECT_EQ(warnings[0].rfind("--allow_get 1 is ignored: ", 0), 0u) << warnings[0];
  EXPECT_EQ(warnings[1].rfind("--http_timeout 60 is ignored: ", 0), 0u) << warnings[1];
  EXPECT_EQ(warnings[2].rfind("--nat_check 3 is ignored: murder_tracker does not NAT-check peers", 0), 0u) << warnings[2];
  EXPECT_EQ(warnings[3].rfind("--parse_dir_interval 60 is ignored: ", 0), 0u) << warnings[3];
}

TEST_F(bittornado_test, values_it_cannot_use_are_named) {
  auto error_of = [&](std::vector<std::string> args) {
    try {
      apply(std::move(args));
    } catch (const murder::failure& e) {
      EXPECT_EQ(e.code(), murder::exit_code::usage);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of({"--timeout_downloaders_interval", "soon"}),
            "--timeout_downloaders_interval must be a whole number of seconds above 0, not 'soon'");
  EXPECT_EQ(error_of({"--scrape_allowed", "some"}), "--scrape_allowed must be full, specific or none, not 'some'");
  EXPECT_EQ(error_of({"--show_infopage", "yes"}), "--show_infopage must be 0 or 1, not 'yes'");
  EXPECT_EQ(error_of({"--allowed_ips", path("absent").string()}), "cannot read address file " + path("absent").string());
  write(path("bad"), "198.18.0.0/15\nnot an address\n");
  EXPECT_EQ(error_of({"--banned_ips", path("bad").string()}).rfind(path("bad").string() + " line 2: ", 0), 0u);
}

TEST(access_rules, banned_addresses_scrape_access_and_the_status_page) {
  std::int64_t now = 1000;
  swarm_registry registry{registry_limits{}, 1};
  allowed_torrents open;
  access_rules rules;
  rules.banned = {murder::parse_address_range("198.18.0.66-198.18.0.70")};
  rules.scrape = scrape_access::specific;
  rules.status_page = false;
  request_handler handler(registry, open, rules, [&] { return now; });
  auto from = [](const char* a) { return boost::asio::ip::make_address(a); };
  auto ok = handler.handle({"GET", announce_target(hash_a, 1, 7001, 1), from("198.18.0.65")});
  EXPECT_EQ(ok.body.find("failure"), std::string::npos) << ok.body;
  auto banned = handler.handle({"GET", announce_target(hash_a, 2, 7001, 1), from("198.18.0.68")});
  EXPECT_NE(banned.body.find("not allowed"), std::string::npos) << banned.body;
  EXPECT_FALSE(handler.admits(from("198.18.0.70")));
  auto via_ip = handler.handle({"GET", announce_target(hash_a, 3, 7001, 1, "&ip=198.18.0.67"), from("198.18.0.2")});
  EXPECT_NE(via_ip.body.find("not an allowed address"), std::string::npos) << via_ip.body;
  EXPECT_EQ(registry.peer_count(), 1u);

  EXPECT_NE(handler.handle({"GET", "/scrape", from("198.18.0.2")}).body.find("only the torrents named"), std::string::npos);
  EXPECT_EQ(handler.handle({"GET", "/scrape?info_hash=" + escape(hash_a), from("198.18.0.2")}).body.find("failure"), std::string::npos);
  EXPECT_EQ(handler.handle({"GET", "/", from("198.18.0.2")}).status, 404);
}

}  // namespace
