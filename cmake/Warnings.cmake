# SPDX-License-Identifier: GPL-3.0-or-later
# Compiler flags shared by every target of the project: sonyalpaca_flags.
add_library(sonyalpaca_flags INTERFACE)
target_compile_options(sonyalpaca_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
if(SONYALPACA_WERROR)
  target_compile_options(sonyalpaca_flags INTERFACE -Werror)
endif()
if(SONYALPACA_SANITIZE)
  target_compile_options(sonyalpaca_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(sonyalpaca_flags INTERFACE -fsanitize=address,undefined)
endif()
