# Install rules for what the Debian package ships besides the idshift binary (src/ installs that):
# the mount(8) helper, the systemd unit, man pages, documentation and examples. Debian wants man
# pages and the changelog gzipped with no name or timestamp in the header (gzip -n), so that the
# package builds byte for byte the same every time; that happens at build time, in the build tree.

find_program(IDSHIFT_GZIP gzip REQUIRED)

pkg_get_variable(_idshift_systemd_unit_dir systemd systemdsystemunitdir)
if(NOT _idshift_systemd_unit_dir)
    set(_idshift_systemd_unit_dir /lib/systemd/system)
endif()
set(IDSHIFT_SYSTEMD_UNIT_DIR "${_idshift_systemd_unit_dir}" CACHE PATH
    "Where systemd looks for system units (absolute)")
set(IDSHIFT_MOUNT_HELPER_DIR /sbin CACHE PATH
    "Where mount(8) looks for mount.TYPE helpers (absolute)")

set(_idshift_pkg_src "${PROJECT_SOURCE_DIR}/packaging")
set(_idshift_pkg_out "${PROJECT_BINARY_DIR}/packaging")

# idshift_gzip_for_install(SOURCE NAME): build ${_idshift_pkg_out}/NAME.gz from SOURCE.
set(_idshift_gzipped "")
function(idshift_gzip_for_install source name)
    set(copy "${_idshift_pkg_out}/${name}")
    add_custom_command(OUTPUT "${copy}.gz"
        COMMAND ${CMAKE_COMMAND} -E copy "${source}" "${copy}"
        COMMAND "${IDSHIFT_GZIP}" -9 -n -f "${copy}"
        DEPENDS "${source}"
        COMMENT "Compressing ${name} for the package"
        VERBATIM)
    set(_idshift_gzipped ${_idshift_gzipped} "${copy}.gz" PARENT_SCOPE)
endfunction()

idshift_gzip_for_install("${_idshift_pkg_src}/man/idshift.8" idshift.8)
idshift_gzip_for_install("${_idshift_pkg_src}/man/idshift.map.5" idshift.map.5)
idshift_gzip_for_install("${_idshift_pkg_src}/debian/changelog" changelog.Debian)
add_custom_target(idshift_package_files ALL DEPENDS ${_idshift_gzipped})

# mount.idshift(8) is a section of idshift(8); a link gives "man mount.idshift" a page.
file(MAKE_DIRECTORY "${_idshift_pkg_out}")
file(CREATE_LINK idshift.8.gz "${_idshift_pkg_out}/mount.idshift.8.gz" SYMBOLIC)

install(PROGRAMS "${_idshift_pkg_src}/mount.idshift" DESTINATION "${IDSHIFT_MOUNT_HELPER_DIR}")
install(FILES "${_idshift_pkg_src}/systemd/idshift@.service"
        DESTINATION "${IDSHIFT_SYSTEMD_UNIT_DIR}")
install(FILES "${_idshift_pkg_out}/idshift.8.gz" "${_idshift_pkg_out}/mount.idshift.8.gz"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man8")
install(FILES "${_idshift_pkg_out}/idshift.map.5.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man5")
install(FILES "${_idshift_pkg_src}/debian/copyright" "${_idshift_pkg_out}/changelog.Debian.gz"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(DIRECTORY "${_idshift_pkg_src}/examples/" DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples")
install(FILES "${_idshift_pkg_src}/systemd/examples/srv-volumes-web.mount"
              "${_idshift_pkg_src}/systemd/examples/web.conf"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples/systemd")
# The OCI hook: podman and CRI-O read hooks.d files from here; a sample host configuration.
install(FILES "${_idshift_pkg_src}/oci/idshift-oci-hook.json"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/containers/oci/hooks.d")
install(FILES "${_idshift_pkg_src}/oci/oci-hook.conf" DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples/oci")
