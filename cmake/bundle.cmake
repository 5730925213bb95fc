# The relocatable bundle that `murderctl distribute_files` installs on hosts:
#
#   bin/      one static launcher (src/launcher/launcher.c) under each program's name
#   libexec/  the four programs, with RPATH $ORIGIN/../lib
#   lib/      every shared library they need, glibc and its loader included
#
# bin/NAME runs libexec/NAME through lib/ld-linux-x86-64.so.2, so a host runs
# them whatever its own C library (issue 14: a chroot with nothing but
# busybox-static, integration.bundle). DT_RPATH (--disable-new-dtags) rather
# than RUNPATH, because RPATH also applies when the bundled libraries load
# their own dependencies. The build makes murder-bundle.tar.gz beside the
# programs; `cmake --install` installs the same tree.

foreach(program IN LISTS MURDER_PROGRAMS)
  target_link_options(${program} PRIVATE -Wl,--disable-new-dtags)
endforeach()

install(TARGETS ${MURDER_PROGRAMS} RUNTIME DESTINATION libexec COMPONENT murder_bundle)

add_executable(murder_launcher src/launcher/launcher.c)
set_target_properties(murder_launcher PROPERTIES C_STANDARD 11)
target_compile_options(murder_launcher PRIVATE -Os)
target_link_options(murder_launcher PRIVATE -static -s)
# One launcher under each program's name: hard links, so the bundle holds it once.
list(GET MURDER_PROGRAMS 0 murder_first_program)
install(PROGRAMS $<TARGET_FILE:murder_launcher> DESTINATION bin RENAME ${murder_first_program} COMPONENT murder_bundle)
foreach(program IN LISTS MURDER_PROGRAMS)
  if(NOT program STREQUAL murder_first_program)
    install(CODE "file(CREATE_LINK \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin/${murder_first_program}\"
                                   \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin/${program}\")" COMPONENT murder_bundle)
  endif()
endforeach()

# glibc's loader, under the name the launcher runs it by.
find_file(MURDER_LOADER NAMES ld-linux-x86-64.so.2 PATHS /lib64 /lib/x86_64-linux-gnu NO_DEFAULT_PATH REQUIRED)
# The launcher passes --argv0, which glibc's loader takes from 2.33 on.
execute_process(COMMAND ${MURDER_LOADER} --help OUTPUT_VARIABLE murder_loader_help ERROR_QUIET)
if(NOT murder_loader_help MATCHES "--argv0")
  message(FATAL_ERROR "${MURDER_LOADER} has no --argv0 (glibc 2.33 or later is needed to build the bundle)")
endif()

set(murder_bundle_executables "")
foreach(program IN LISTS MURDER_PROGRAMS)
  list(APPEND murder_bundle_executables "$<TARGET_FILE:${program}>")
endforeach()

install(CODE "
  file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${murder_bundle_executables}
    RESOLVED_DEPENDENCIES_VAR murder_deps
    UNRESOLVED_DEPENDENCIES_VAR murder_missing
    PRE_EXCLUDE_REGEXES [[^ld-linux]] [[^linux-vdso]]
    POST_EXCLUDE_REGEXES [[/ld-linux]])
  if(murder_missing)
    message(FATAL_ERROR \"bundle: cannot find \${murder_missing}\")
  endif()
  foreach(dep IN LISTS murder_deps)
    file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib\" TYPE SHARED_LIBRARY FOLLOW_SYMLINK_CHAIN FILES \"\${dep}\")
  endforeach()
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib\" TYPE PROGRAM FOLLOW_SYMLINK_CHAIN FILES \"${MURDER_LOADER}\")
" COMPONENT murder_bundle)

# GNU tar rather than `cmake -E tar`, which records the builder's uid: hosts
# unpack the bundle as root, and a file owned by some uid there could be
# replaced by whoever has that uid. Every entry is 0:0 (and hosts unpack with
# --no-same-owner as well).
find_program(MURDER_GNU_TAR NAMES tar REQUIRED)
find_program(MURDER_GZIP NAMES gzip REQUIRED)
set(murder_bundle_file ${CMAKE_BINARY_DIR}/murder-bundle.tar.gz)
add_custom_command(
  OUTPUT ${murder_bundle_file}
  COMMAND ${CMAKE_COMMAND} -E rm -rf bundle-root
  COMMAND ${CMAKE_COMMAND} --install . --prefix bundle-root --component murder_bundle --strip > bundle-install.log
  COMMAND ${MURDER_GNU_TAR} -C bundle-root --owner=0 --group=0 --numeric-owner -cf murder-bundle.tar bin libexec lib
  COMMAND ${MURDER_GZIP} -9nf murder-bundle.tar
  DEPENDS ${MURDER_PROGRAMS} murder_launcher
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
  COMMENT "Packing the murder bundle (programs + libraries)")
add_custom_target(murder_bundle ALL DEPENDS ${murder_bundle_file})
