# Installation and the Debian package (make deb; docs/operations.md,
# Install). CPack's DEB generator with dpkg-shlibdeps computing Depends.
include(GNUInstallDirs)
# install (and cpack) never builds: make deb builds what the package holds
# first, and tests/e2e/deb.sh packages the build tree as it is
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(GENU_DEB_RELEASE 1)
set(GENU_PKG ${CMAKE_SOURCE_DIR}/packaging)

install(TARGETS genu RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# genu.1 from the CLI's own help (help2man: scripts/deps.sh build)
find_program(GENU_HELP2MAN help2man)
if(GENU_HELP2MAN)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/genu.1.gz
    COMMAND bash ${CMAKE_SOURCE_DIR}/tools/make-man.sh $<TARGET_FILE:genu> ${CMAKE_BINARY_DIR}/genu.1.gz
    DEPENDS genu ${CMAKE_SOURCE_DIR}/tools/make-man.sh VERBATIM)
  add_custom_target(man ALL DEPENDS ${CMAKE_BINARY_DIR}/genu.1.gz)
  install(FILES ${CMAKE_BINARY_DIR}/genu.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page (scripts/deps.sh build installs it)")
endif()

# /usr/share/doc/genu: copyright, the Debian changelog, the operations guide
configure_file(${GENU_PKG}/changelog.in ${CMAKE_BINARY_DIR}/changelog.Debian @ONLY)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/changelog.Debian.gz
  COMMAND gzip -9n -c ${CMAKE_BINARY_DIR}/changelog.Debian > ${CMAKE_BINARY_DIR}/changelog.Debian.gz
  DEPENDS ${CMAKE_BINARY_DIR}/changelog.Debian VERBATIM)
add_custom_target(changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/changelog.Debian.gz)
install(FILES ${GENU_PKG}/copyright ${CMAKE_BINARY_DIR}/changelog.Debian.gz
              ${CMAKE_SOURCE_DIR}/docs/operations.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The systemd units and /etc/genu/genu.conf go to the system's own places
# when the prefix is /usr (the package, whose staging DESTDIR file(INSTALL)
# prepends), else under the prefix, so that a local `cmake --install` never
# writes to /etc or /lib.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(_genu_root \"\")
  else()
    set(_genu_root \"\${CMAKE_INSTALL_PREFIX}\")
  endif()
  file(INSTALL DESTINATION \"\${_genu_root}/lib/systemd/system\" TYPE FILE
       FILES \"${GENU_PKG}/genu.service\" \"${GENU_PKG}/genu-backup.service\"
             \"${GENU_PKG}/genu-backup.timer\")
  file(INSTALL DESTINATION \"\${_genu_root}/etc/genu\" TYPE FILE FILES \"${GENU_PKG}/genu.conf\")
")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME genu)
set(CPACK_PACKAGE_VENDOR "genu developers")
set(CPACK_PACKAGE_CONTACT "genu developers <genu@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "outcomes registry for regenerative knee treatments")
# the extended description (CPack puts the summary above it)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "genu records patients, treatments (PRP, prolotherapy, injections),
validated patient-reported outcomes (KOOS, WOMAC, IKDC, ...) and adverse
events, scores them, runs follow-up by e-mail and text message, and reports
responder rates, durability and cohort outcomes. genu serve is its web
interface and JSON API, run here as the systemd service genu.service with
HTTPS, and genu-backup.timer makes a verified copy of the registry every
night.")
set(CPACK_DEBIAN_PACKAGE_RELEASE ${GENU_DEB_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, nginx")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${GENU_PKG}/postinst ${GENU_PKG}/prerm ${GENU_PKG}/postrm ${GENU_PKG}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
