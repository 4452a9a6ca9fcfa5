// SPDX-License-Identifier: GPL-3.0-or-later
// AbsoluteFocuser's state file: the tracked position saved after every move and restored at
// connect, trusted only for the same body, lens and travel.
#include "focus/AbsoluteFocuser.hpp"

#include "config/AtomicFile.hpp"
#include "config/Log.hpp"
#include "config/TimeText.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

namespace sonyalpaca::focus {
namespace {
constexpr int kStateVersion = 1;
}  // namespace

void AbsoluteFocuser::restore() {
    auto logger = log::get("focus");
    bool trusted = false;
    bool estimate_kept = false;
    std::string why = "no saved position";
    std::ifstream in(setup_.state_file);
    if (in) {
        try {
            const auto state = nlohmann::json::parse(in);
            if (state.value("version", 0) != kStateVersion)
                why = "the saved state has another version";
            else if (state.value("body", std::string()) != setup_.body_id)
                why = "the saved position is for another body (" + state.value("body", std::string()) + ")";
            else if (state.value("lens", std::string()) != setup_.lens.model_id)
                why = "the saved position is for another lens (" + state.value("lens", std::string()) + ")";
            else if (std::abs(state.value("travel", 0.0) - model_.travel) > 1e-6)
                why = "the lens profile's travel changed since the position was saved";
            else {
                tracker_.fromJson(state.at("tracker"));
                if (state.value("moving", false)) {
                    why = "the daemon stopped in the middle of a move";
                    estimate_kept = true;  // roughly right: the move's steps are lost, not the start
                    loosenPosition();
                } else {
                    trusted = true;
                }
            }
        } catch (const std::exception& e) {
            why = "the saved state " + setup_.state_file.string() + " is damaged (" + e.what() + ")";
        }
    }
    if (!trusted && !estimate_kept) tracker_.restore(model_.travel / 2, unknownSigma(model_.travel), 0, false);
    switch (setup_.settings.homing) {
    case config::HomingPolicy::EveryConnect: needs_homing_ = true; break;
    case config::HomingPolicy::FirstConnect: needs_homing_ = !trusted; break;
    case config::HomingPolicy::Never: needs_homing_ = false; break;
    }
    position_ = std::clamp(std::lround(tracker_.position()), 0L, maxStep());
    target_ = position_;
    logger->info("focuser: lens {} ({}), profile from {}; {}", setup_.lens.model_id, setup_.lens.name,
                 setup_.lens.source,
                 trusted ? "position " + std::to_string(position_) + " restored from the saved state"
                         : why + ": position unknown");
    if (needs_homing_) logger->info("focuser: the first move homes into the infinity end stop first");
}

void AbsoluteFocuser::save(bool moving) {
    nlohmann::json state;
    {
        std::lock_guard lock(mutex_);
        state = {{"version", kStateVersion},
                 {"body", setup_.body_id},
                 {"lens", setup_.lens.model_id},
                 {"travel", model_.travel},
                 {"tracker", tracker_.toJson()},
                 {"moving", moving},
                 {"saved", timetext::utc(std::chrono::system_clock::now(), "%Y-%m-%dT%H:%M:%SZ")}};
    }
    try {
        config::writeFileAtomically(setup_.state_file, state.dump(2) + "\n");
    } catch (const std::exception& e) {
        log::get("focus")->warn("focuser: cannot save the position to {}: {}", setup_.state_file.string(), e.what());
    }
}

}  // namespace sonyalpaca::focus
