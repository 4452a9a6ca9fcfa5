# SPDX-License-Identifier: GPL-3.0-or-later
# Cross-building for 64-bit ARM (Raspberry Pi OS arm64) with Debian's cross toolchain:
#   apt-get install crossbuild-essential-arm64     (aarch64-linux-gnu-gcc/g++)
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install libspdlog-dev:arm64 libraw-dev:arm64 ...   (the -dev packages of install-deps.sh)
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake
# The arm64 libraries are installed multiarch, beside the build machine's, in /usr/lib/aarch64-linux-gnu;
# the same file works on Debian 12 and 13 (and in a debootstrap root of either). scripts/package.sh uses it.
# cmake/Packaging.cmake reads SONYALPACA_DEB_ARCHITECTURE for the .deb's Architecture.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(SONYALPACA_CROSS_TRIPLET aarch64-linux-gnu)
set(SONYALPACA_DEB_ARCHITECTURE arm64 CACHE STRING "Debian architecture of the target (the .deb's Architecture)")

find_program(CMAKE_C_COMPILER NAMES ${SONYALPACA_CROSS_TRIPLET}-gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER NAMES ${SONYALPACA_CROSS_TRIPLET}-g++ REQUIRED)
find_program(CMAKE_AR NAMES ${SONYALPACA_CROSS_TRIPLET}-ar)
find_program(CMAKE_RANLIB NAMES ${SONYALPACA_CROSS_TRIPLET}-ranlib)
find_program(CMAKE_STRIP NAMES ${SONYALPACA_CROSS_TRIPLET}-strip)
find_program(CMAKE_OBJCOPY NAMES ${SONYALPACA_CROSS_TRIPLET}-objcopy)
find_program(CMAKE_OBJDUMP NAMES ${SONYALPACA_CROSS_TRIPLET}-objdump)

# Headers and libraries: the multiarch directories below / (the arm64 -dev packages); programs: the
# build machine's. Architecture-independent packages (nlohmann-json3-dev) live in /usr/share and
# /usr/include, which the arm64 compiler searches as well.
set(CMAKE_FIND_ROOT_PATH /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config reads only the arm64 .pc files (and the architecture-independent ones).
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${SONYALPACA_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
find_program(PKG_CONFIG_EXECUTABLE NAMES pkg-config)

# Running an arm64 program of the build (none is run at build time today) goes through qemu.
find_program(SONYALPACA_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(SONYALPACA_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SONYALPACA_QEMU_AARCH64} -L /)
endif()
