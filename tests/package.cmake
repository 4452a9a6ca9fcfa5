# SPDX-License-Identifier: GPL-3.0-or-later
# Checks of the service's install side (issue 8), run by ctest like every other test:
#   default_config  the shipped /etc/sonyalpaca/config.json names every key and the daemon runs with it;
#   unit_sandbox    the daemon, run under strace, makes only system calls the unit's SystemCallFilter=
#                   allows and opens only socket families RestrictAddressFamilies= allows;
#   package_deb     cpack builds the .deb; its control data, Depends and files are checked; it installs,
#                   is removed and purged in a throwaway root; systemd-analyze verify and security
#                   (exposure <= 2.0) pass on its unit. See scripts/check-package.sh.
add_test(NAME default_config
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-default-config.sh $<TARGET_FILE:sonyalpaca>
          ${PROJECT_SOURCE_DIR}/systemd/config.json)
set_tests_properties(default_config PROPERTIES TIMEOUT 60)

# Only for the build that ships: a sanitizer runtime makes system calls of its own (and LeakSanitizer
# cannot run under strace), and packaging it would test the same scripts again.
if(NOT SONYALPACA_SANITIZE)
  add_test(NAME unit_sandbox
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-syscall-filter.sh $<TARGET_FILE:sonyalpaca>
            ${PROJECT_SOURCE_DIR}/systemd/sonyalpaca.service ${PROJECT_SOURCE_DIR}/systemd/config.json)
  set_tests_properties(unit_sandbox PROPERTIES TIMEOUT 60)

  add_test(NAME package_deb COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-package.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(package_deb PROPERTIES TIMEOUT 300)
endif()
