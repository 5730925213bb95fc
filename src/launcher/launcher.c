/*
 * bin/NAME in the murder bundle: runs libexec/NAME through the bundle's own
 * dynamic loader and glibc (lib/), so that the programs run on any x86-64
 * Linux, whatever its C library, or none (issue 14). Linked statically: it
 * needs nothing from the host but the kernel.
 *
 *   ROOT/bin/murder_client ARGS  ->  ROOT/lib/ld-linux-x86-64.so.2 --library-path ROOT/lib
 *                                    --argv0 ARGV0 ROOT/libexec/murder_client ARGS
 *
 * ROOT is found from /proc/self/exe, or where /proc is not mounted from the
 * path the kernel was asked to run (AT_EXECFN: what execve was given, never
 * a name searched on PATH). Every failure is one line on stderr and exit 127,
 * as a shell says for a command it cannot run.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static int fail(const char *what, const char *path) {
  fprintf(stderr, "murder launcher: %s %s: %s\n", what, path, strerror(errno));
  return 127;
}

/* Writes into `out` (PATH_MAX bytes) or fails on truncation. */
static int joined(char *out, const char *a, const char *b) {
  int n = snprintf(out, PATH_MAX, "%s%s", a, b);
  return n >= 0 && n < PATH_MAX;
}

int main(int argc, char **argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self);
  if (n > 0 && n < (ssize_t)sizeof self) {
    self[n] = '\0';
  } else {
    const char *exec_path = (const char *)getauxval(AT_EXECFN);
    if (!exec_path || !realpath(exec_path, self)) return fail("cannot find itself from", exec_path ? exec_path : "(none)");
  }
  char name[PATH_MAX], dir[PATH_MAX];
  if (!joined(name, self, "") || !joined(dir, self, "")) return fail("path too long:", self);
  const char *program = basename(name);
  const char *root = dirname(dirname(dir));
  char loader[PATH_MAX], libdir[PATH_MAX], target[PATH_MAX], libexec[PATH_MAX];
  if (!joined(loader, root, "/lib/ld-linux-x86-64.so.2") || !joined(libdir, root, "/lib") ||
      !joined(libexec, root, "/libexec/") || !joined(target, libexec, program)) {
    return fail("path too long:", root);
  }
  char **args = calloc((size_t)argc + 7, sizeof *args);
  if (!args) return fail("out of memory for", program);
  int k = 0;
  args[k++] = loader;
  args[k++] = "--library-path";
  args[k++] = libdir;
  args[k++] = "--argv0";
  args[k++] = argc > 0 ? argv[0] : (char *)program;
  args[k++] = target;
  for (int i = 1; i < argc; ++i) args[k++] = argv[i];
  args[k] = NULL;
  execv(loader, args);
  return fail("cannot run", loader);
}
