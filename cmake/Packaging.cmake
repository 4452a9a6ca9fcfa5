# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package: "cpack -G DEB" in a build directory (scripts/check-package.sh does it and
# checks the result). Architecture is the build machine's (dpkg --print-architecture: amd64,
# arm64 on a Raspberry Pi); the library dependencies come from dpkg-shlibdeps.

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES cmake/deb/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(SONYALPACA_DEB_MAINTAINER "sonyalpaca maintainers" CACHE STRING "Maintainer field of the .deb")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sonyalpaca)
set(CPACK_PACKAGE_VENDOR "sonyalpaca")
set(CPACK_PACKAGE_CONTACT "${SONYALPACA_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "ASCOM Alpaca server for a Sony Alpha camera and its lens focus drive")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "sonyalpaca drives a Sony Alpha body over USB and offers it on the network as two\n"
  "ASCOM Alpaca devices, a camera and a focuser (the lens's focus drive), that N.I.N.A.,\n"
  "SharpCap, APT or any Alpaca client finds by discovery. It runs as a systemd service,\n"
  "typically on a Raspberry Pi beside the telescope.")
# The package installs below /usr whatever CMAKE_INSTALL_PREFIX the build has (/usr/local by
# default). DESTDIR staging keeps the config file's absolute /etc path inside the package.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SONYALPACA_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Beyond the libraries: the postinst creates the user with systemd-sysusers and enables the unit
# with deb-systemd-helper. Merged with what dpkg-shlibdeps finds.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "systemd | systemd-standalone-sysusers | systemd-sysusers, init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd, udev")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/cmake/deb/postinst
  ${PROJECT_SOURCE_DIR}/cmake/deb/prerm
  ${PROJECT_SOURCE_DIR}/cmake/deb/postrm
  ${PROJECT_SOURCE_DIR}/cmake/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
