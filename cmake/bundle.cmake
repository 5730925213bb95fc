# The relocatable bundle that `murderctl distribute_files` installs on hosts:
#
#   bin/  the four programs, with RPATH $ORIGIN/../lib
#   lib/  every shared library they need except glibc's own
#
# so a host with nothing but glibc runs them. DT_RPATH (--disable-new-dtags)
# rather than RUNPATH, because RPATH also applies when the bundled libraries
# load their own dependencies. The build makes murder-bundle.tar.gz beside the
# programs; `cmake --install` installs the same tree.

foreach(program IN LISTS MURDER_PROGRAMS)
  target_link_options(${program} PRIVATE -Wl,--disable-new-dtags)
endforeach()

install(TARGETS ${MURDER_PROGRAMS} RUNTIME DESTINATION bin COMPONENT murder_bundle)

set(murder_bundle_executables "")
foreach(program IN LISTS MURDER_PROGRAMS)
  list(APPEND murder_bundle_executables "$<TARGET_FILE:${program}>")
endforeach()

install(CODE "
  file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${murder_bundle_executables}
    RESOLVED_DEPENDENCIES_VAR murder_deps
    UNRESOLVED_DEPENDENCIES_VAR murder_missing
    PRE_EXCLUDE_REGEXES
      [[^ld-linux]] [[^linux-vdso]] [[^libc\\.so]] [[^libm\\.so]] [[^libdl\\.so]] [[^libpthread\\.so]]
      [[^librt\\.so]] [[^libresolv\\.so]] [[^libutil\\.so]] [[^libanl\\.so]]
    POST_EXCLUDE_REGEXES [[/ld-linux]])
  if(murder_missing)
    message(FATAL_ERROR \"bundle: cannot find ${murder_missing}\")
  endif()
  foreach(dep IN LISTS murder_deps)
    file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib\" TYPE SHARED_LIBRARY FOLLOW_SYMLINK_CHAIN FILES \"\${dep}\")
  endforeach()
" COMPONENT murder_bundle)

# GNU tar rather than `cmake -E tar`, which records the builder's uid: hosts
# unpack the bundle as root, and a file owned by some uid there could be
# replaced by whoever has that uid. Every entry is 0:0 (and hosts unpack with
# --no-same-owner as well).
find_program(MURDER_GNU_TAR NAMES tar REQUIRED)
set(murder_bundle_file ${CMAKE_BINARY_DIR}/murder-bundle.tar.gz)
add_custom_command(
  OUTPUT ${murder_bundle_file}
  COMMAND ${CMAKE_COMMAND} -E rm -rf bundle-root
  COMMAND ${CMAKE_COMMAND} --install . --prefix bundle-root --component murder_bundle --strip > bundle-install.log
  COMMAND ${MURDER_GNU_TAR} -C bundle-root --owner=0 --group=0 --numeric-owner -czf ${murder_bundle_file} bin lib
  DEPENDS ${MURDER_PROGRAMS}
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
  COMMENT "Packing the murder bundle (programs + libraries)")
add_custom_target(murder_bundle ALL DEPENDS ${murder_bundle_file})
