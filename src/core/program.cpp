#include "murder/core/program.hpp"

#include <cstdio>
#include <exception>

#include "murder/core/error.hpp"

namespace murder {

int run_program(const char* program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const failure& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return static_cast<int>(exit_code::failure);
  }
}

}  // namespace murder
