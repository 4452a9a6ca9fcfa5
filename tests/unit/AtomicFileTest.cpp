// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/AtomicFile.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <unistd.h>

TEST_CASE("atomic write creates directories, replaces the content and leaves no temporary file") {
    const auto dir = std::filesystem::temp_directory_path() / ("atomic-test-" + std::to_string(::getpid()));
    const auto file = dir / "sub" / "state.json";
    sonyalpaca::config::writeFileAtomically(file, "first");
    sonyalpaca::config::writeFileAtomically(file, "second");
    std::stringstream text;
    text << std::ifstream(file).rdbuf();
    CHECK(text.str() == "second");
    CHECK(std::distance(std::filesystem::directory_iterator(file.parent_path()), {}) == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("atomic write into an unwritable place throws") {
    CHECK_THROWS(sonyalpaca::config::writeFileAtomically("/proc/sonyalpaca-test/x.json", "x"));
}
