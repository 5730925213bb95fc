#pragma once
// A fresh directory per test, removed afterwards, and small helpers to fill it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace murder::testing {

class sandbox_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "murder-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    root_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::filesystem::path path(const std::string& name) const { return root_ / name; }
  void write(const std::filesystem::path& p, const std::string& content) const {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  static std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path root_;
};

}  // namespace murder::testing
