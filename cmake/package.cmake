# A Debian package of the bundle (issue 14): fleets of thousands of hosts
# install their tools with apt. `cpack -G DEB` in the build directory (what
# `bash scripts/package` runs) makes murder_VERSION_amd64.deb, which installs
# the bundle's tree (bin/, libexec/, lib/: see bundle.cmake) under
# /opt/murder. It depends on nothing: the bundle brings its own loader and C
# library. A fleet so installed keeps remote_murder_path = "/opt/murder" and
# runs `murderctl check_install` instead of distribute_files.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME murder)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "murder developers <murder@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "deploy files to many servers by BitTorrent (tracker, client, torrent maker, orchestrator)")
set(CPACK_PACKAGING_INSTALL_PREFIX /opt/murder)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)  # every library is in the package
set(CPACK_STRIP_FILES ON)
set(CPACK_MONOLITHIC_INSTALL ON)  # the bundle is the only component
include(CPack)
