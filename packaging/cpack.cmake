# The Debian package: "cpack -G DEB" in a build directory makes idshift_<version>_<arch>.deb.
# Included last by the top-level CMakeLists.txt, after every install() rule of the project.
include("${CMAKE_CURRENT_LIST_DIR}/install.cmake")

set(IDSHIFT_PACKAGE_MAINTAINER "idshift maintainers <maintainers@idshift.dev>" CACHE STRING
    "Maintainer field of the Debian package")

# The package version is the project version plus a Debian revision; the first entry of
# debian/changelog must name exactly that version, or dpkg and lintian disagree with the package.
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(_idshift_deb_version "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/debian/changelog" _idshift_changelog_head LIMIT_COUNT 1)
if(NOT _idshift_changelog_head MATCHES "^idshift \\(${_idshift_deb_version}\\) ")
    message(FATAL_ERROR "packaging/debian/changelog starts with '${_idshift_changelog_head}', "
                        "but the package version is ${_idshift_deb_version}: add an entry for it")
endif()

# cpack (and "cmake --install") take what the tree has built and never start a build themselves:
# build first. Otherwise the package tests, which run after the build, would rebuild whatever
# changed since, under the other tests running at the same time.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME idshift)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${IDSHIFT_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The package takes the binary as this build tree built it; its debug information stays out.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps adds the shared libraries the binary links (libfuse3-3, libcap2, libc6, ...);
# fuse3 itself brings fusermount3 and mount.fuse3, which mount(8) and the unit run.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS fuse3)
# CPack puts the summary (the project's description) first; this is the extended description.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
string(JOIN "\n" CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "idshift mounts a directory a second time and translates the owners of its"
    "files between the ids stored on disk and the ids a container sees, by ranges"
    "(like a user namespace's uid_map) or by user and group names, in both"
    "directions, including POSIX ACLs and file capabilities. Containers whose"
    "images disagree about /etc/passwd can share one volume on any storage."
    "."
    "The package provides the idshift daemon, the fuse.idshift and idshift types"
    "for mount(8) and /etc/fstab, and a systemd template unit, idshift@.service,"
    "that mounts one volume per instance.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${CMAKE_CURRENT_LIST_DIR}/debian/postinst"
    "${CMAKE_CURRENT_LIST_DIR}/debian/prerm" "${CMAKE_CURRENT_LIST_DIR}/debian/postrm")
# Maintainer scripts 0755, everything else in the control archive 0644, as dpkg expects.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
