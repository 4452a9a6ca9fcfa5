// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/UniqueIdStore.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>

#include <unistd.h>

using sonyalpaca::alpaca::UniqueIdStore;

namespace {
struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("ids-test-" + std::to_string(::getpid()));
    ~Dir() { std::filesystem::remove_all(path); }
};
}  // namespace

TEST_CASE("random UUIDs are version 4 and distinct") {
    const std::regex form("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const auto id = sonyalpaca::alpaca::randomUuid();
        CHECK(std::regex_match(id, form));
        seen.insert(id);
    }
    CHECK(seen.size() == 100);
}

TEST_CASE("IDs are created once and read back by a new store") {
    Dir dir;
    const auto file = dir.path / "unique-ids.json";
    std::string camera, focuser;
    {
        UniqueIdStore store(file);
        camera = store.idFor("camera/0");
        focuser = store.idFor("focuser/0");
        CHECK(camera != focuser);
        CHECK(store.idFor("camera/0") == camera);
    }
    UniqueIdStore again(file);
    CHECK(again.idFor("camera/0") == camera);
    CHECK(again.idFor("focuser/0") == focuser);
}

TEST_CASE("a damaged ID file is moved aside, not lost") {
    Dir dir;
    std::filesystem::create_directories(dir.path);
    const auto file = dir.path / "unique-ids.json";
    std::ofstream(file) << "{ not json";
    UniqueIdStore store(file);
    CHECK(store.idFor("camera/0").size() == 36);
    CHECK(std::filesystem::exists(dir.path / "unique-ids.json.damaged"));
}
