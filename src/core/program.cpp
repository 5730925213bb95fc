#include "murder/core/program.hpp"

#include <sys/prctl.h>

#include <cstdio>
#include <exception>

#include "murder/core/error.hpp"

namespace murder {

int run_program(const char* program, const std::function<int()>& body) {
  // The process's name is the program's, also when the bundle's launcher ran
  // it through the bundled loader (which would otherwise name it
  // "ld-linux-x86-64"): pidfiles are trusted only for processes named murder_*.
  ::prctl(PR_SET_NAME, program, 0, 0, 0);
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
