/*
 * bin/NAME in the murder bundle: runs libexec/NAME through the bundle's own
 * dynamic loader and glibc (lib/), so that the programs run on any x86-64
 * Linux, whatever its C library, or none (issue 14). Linked statically: it
 * needs nothing from the host but the kernel.
 *
 *   ROOT/bin/murder_client ARGS  ->  ROOT/lib/ld-linux-x86-64.so.2 --library-path ROOT/lib
 *                                    --argv0 ARGV0 ROOT/libexec/murder_client ARGS
 *
 * ROOT is found from /proc/self/exe, or from argv[0] where /proc is not
 * mounted. Every failure is one line on stderr and exit 127, as a shell says
 * for a command it cannot run.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(const char *what, const char *path) {
  fprintf(stderr, "murder launcher: %s %s: %s\n", what, path, strerror(errno));
  return 127;
}

int main(int argc, char **argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
  } else if (argc < 1 || !realpath(argv[0], self)) {
    return fail("cannot find itself from", argc > 0 ? argv[0] : "(no argv[0])");
  }
  char name[PATH_MAX], dir[PATH_MAX];
  snprintf(name, sizeof name, "%s", self);
  snprintf(dir, sizeof dir, "%s", self);
  const char *program = basename(name);
  const char *root = dirname(dirname(dir));
  char loader[PATH_MAX], libdir[PATH_MAX], target[PATH_MAX];
  snprintf(loader, sizeof loader, "%s/lib/ld-linux-x86-64.so.2", root);
  snprintf(libdir, sizeof libdir, "%s/lib", root);
  snprintf(target, sizeof target, "%s/libexec/%s", root, program);
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
