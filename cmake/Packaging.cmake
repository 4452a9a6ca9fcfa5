# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package: "cpack -G DEB" in a build directory (scripts/check-package.sh does it and
# checks the result; scripts/package.sh builds one for a given release and architecture).
# - Architecture is the target's: SONYALPACA_DEB_ARCHITECTURE, which the cross toolchain file sets
#   (cmake/toolchain-aarch64-linux-gnu.cmake: arm64), else the build machine's
#   (dpkg --print-architecture: amd64, arm64 on a Raspberry Pi).
# - The version tells the Debian release apart, because the packages of Debian 12 and 13 differ in
#   Depends (libraw20 vs libraw23t64 ...): 0.1.0-1~deb12, 0.1.0-1~deb13, from VERSION_ID of
#   /etc/os-release (the release whose libraries the build links against: / natively, in a
#   debootstrap root, and for the multiarch cross build). File name: sonyalpaca_0.1.0-1~deb13_arm64.deb.
# - The library dependencies come from dpkg-shlibdeps; for a cross build it is told the target
#   architecture (DEB_HOST_ARCH) so that it reads the arm64 libraries and their symbols files.

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

if(NOT DEFINED SONYALPACA_DEB_ARCHITECTURE)
  execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE _sonyalpaca_deb_arch
                  OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _sonyalpaca_dpkg_status ERROR_QUIET)
  if(NOT _sonyalpaca_dpkg_status EQUAL 0 OR _sonyalpaca_deb_arch STREQUAL "")
    set(_sonyalpaca_deb_arch "")
  endif()
  set(SONYALPACA_DEB_ARCHITECTURE "${_sonyalpaca_deb_arch}" CACHE STRING
      "Debian architecture of the target (the .deb's Architecture)")
endif()
if(NOT DEFINED SONYALPACA_DEB_RELEASE)
  set(_sonyalpaca_deb_release 1)
  if(EXISTS /etc/os-release)
    file(STRINGS /etc/os-release _sonyalpaca_version_id REGEX "^VERSION_ID=")
    string(REGEX REPLACE "^VERSION_ID=\"?([0-9]+).*" "\\1" _sonyalpaca_version_id "${_sonyalpaca_version_id}")
    if(_sonyalpaca_version_id MATCHES "^[0-9]+$")
      set(_sonyalpaca_deb_release "1~deb${_sonyalpaca_version_id}")
    endif()
  endif()
  set(SONYALPACA_DEB_RELEASE "${_sonyalpaca_deb_release}" CACHE STRING
      "Debian revision of the .deb (1~deb12 on Debian 12, 1~deb13 on Debian 13)")
endif()
if(SONYALPACA_DEB_ARCHITECTURE)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${SONYALPACA_DEB_ARCHITECTURE}")
endif()
set(CPACK_DEBIAN_PACKAGE_RELEASE "${SONYALPACA_DEB_RELEASE}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SONYALPACA_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# cpack reads this file when it runs: a cross build's dpkg-shlibdeps (a child of cpack) gets the
# target architecture, so it searches that architecture's multiarch library directories and
# symbols files (and uses its objdump).
if(CMAKE_CROSSCOMPILING AND SONYALPACA_DEB_ARCHITECTURE)
  file(WRITE ${PROJECT_BINARY_DIR}/CPackProjectConfig.cmake
    "set(ENV{DEB_HOST_ARCH} \"${SONYALPACA_DEB_ARCHITECTURE}\")\n")
  set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_BINARY_DIR}/CPackProjectConfig.cmake)
endif()
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
