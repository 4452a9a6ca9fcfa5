// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonyalpaca::config {

/// How many step sizes a Sony body drives a lens's focus by: 1 (the smallest) to 7 (the largest).
inline constexpr int kStepSizes = 7;

/// One value per step size, index 0 = size 1.
using PerStepSize = std::array<double, kStepSizes>;

/// One lens of the focus-profile database: how many moves of each of the seven step sizes carry the
/// lens across its whole focus travel (index 0 = size 1, the smallest step).
struct LensEntry {
    std::string maker;
    std::string model_id;
    std::string name;
    PerStepSize full_travel_moves{};
    // Optional fields a profile may add (the shipped file has none of them):
    std::optional<PerStepSize> step_time_ms;        ///< how long a step of each size drives the lens
    std::optional<double> backlash;                 ///< units lost at a reversal of direction
    std::optional<double> jitter;                   ///< relative standard deviation of one step's length
    std::optional<double> temperature_coefficient;  ///< focus shift in units per °C (temperature compensation)
    /// The image circle the lens covers: "full-frame" or "aps-c" (a full-frame body set to the
    /// factory APS-C/Super 35mm setting "Auto" crops to APS-C with such a lens); empty when unknown.
    std::string format;
    std::string source;  ///< the file the profile came from
};

/// The lens focus profiles (the shipped sony-lenses.json format).
class LensDatabase {
public:
    /// Loads and validates a database file; throws std::runtime_error naming the file, the lens and the field.
    static LensDatabase load(const std::filesystem::path& path);

    /// A database of the given profiles (tests, lens learning).
    static LensDatabase fromEntries(std::vector<LensEntry> lenses);

    const std::vector<LensEntry>& lenses() const { return lenses_; }

    /// The shipped database, then every *.json file (in the shipped format) in each of `directories`
    /// in name order: a profile replaces an earlier one with the same model id, so users add or
    /// correct lenses without a new release. A missing directory is skipped; a damaged user file is
    /// skipped and its problem appended to `problems`. Throws std::runtime_error when the shipped
    /// database cannot be loaded.
    static LensDatabase loadWithUserProfiles(const std::filesystem::path& shipped,
                                             const std::vector<std::filesystem::path>& directories,
                                             std::vector<std::string>& problems);

    /// The lens whose model id or name equals `query` (ASCII case-insensitive), else the one whose id or
    /// name has the same letters and digits ("FE 20mm F1.8 G" finds "FE 20mm f/1.8 G"), or nullptr.
    const LensEntry* find(std::string_view query) const;

    /// The model ids, comma separated, for error messages.
    std::string modelIds() const;

private:
    std::vector<LensEntry> lenses_;
};

/// Where user lens profiles live, in the order they override the shipped ones:
/// /etc/sonyalpaca/lenses.d, then `state_dir`/lenses (where lens learning saves).
std::vector<std::filesystem::path> lensProfileDirectories(const std::filesystem::path& state_dir);

}  // namespace sonyalpaca::config
