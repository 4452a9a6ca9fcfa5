// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sonyalpaca::config {

/// One lens of the focus-profile database: how many moves of each of the seven step sizes carry the
/// lens across its whole focus travel (index 0 = size 1, the smallest step).
struct LensEntry {
    std::string maker;
    std::string model_id;
    std::string name;
    std::array<double, 7> full_travel_moves{};
};

/// The lens focus profiles (the shipped sony-lenses.json format).
class LensDatabase {
public:
    /// Loads and validates a database file; throws std::runtime_error naming the file, the lens and the field.
    static LensDatabase load(const std::filesystem::path& path);

    const std::vector<LensEntry>& lenses() const { return lenses_; }

    /// The lens whose model id or name equals `query` (ASCII case-insensitive), or nullptr.
    const LensEntry* find(std::string_view query) const;

    /// The model ids, comma separated, for error messages.
    std::string modelIds() const;

private:
    std::vector<LensEntry> lenses_;
};

}  // namespace sonyalpaca::config
