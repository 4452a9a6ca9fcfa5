// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/DeviceBase.hpp"
#include "config/LensDatabase.hpp"
#include "config/Settings.hpp"
#include "focus/AbsoluteFocuser.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sonyalpaca::alpaca {

/// What the focuser device is configured with.
struct FocuserConfig {
    std::shared_ptr<const config::LensDatabase> lenses;  ///< shipped and user profiles
    std::string configured_lens;                         ///< --lens / "lens"; empty = the reported lens
    config::FocuserSettings settings;
    std::filesystem::path state_dir;  ///< focuser.json is kept here, learned profiles in lenses/
    focus::ViewMeter meter;           ///< live view → grid; empty = imaging::liveViewGrid
};

/// The Alpaca Focuser (IFocuserV4) on the lens of a Sony body: an absolute focuser synthesised from
/// the body's relative focus drive (focus::AbsoluteFocuser). Position is in units of the lens's
/// smallest step, 0 at the close-focus end stop, MaxStep at infinity.
class FocuserDevice final : public DeviceBase {
public:
    FocuserDevice(std::shared_ptr<BodySession> session, FocuserConfig config);
    ~FocuserDevice() override;

    /// For the setup page: the focuser's status (focus::AbsoluteFocuser::statusJson() plus
    /// "connected": true), or {"connected": false} while the device is not connected. Never throws.
    nlohmann::json status() const noexcept;
    /// For the setup page's jog, home and halt: the running focuser, or nullptr while not connected.
    std::shared_ptr<focus::AbsoluteFocuser> drive() const;

    /// Starts learning the lens (Action "learn", the setup page's wizard). The profile is named
    /// `name` when given, else after the lens the body reports, else after the profile in use
    /// (re-learning a known lens), else "learned-<date>". Returns what started, for the user.
    /// Throws AlpacaError (a bad name, not connected), focus::FocuserBusy (already learning) or
    /// std::logic_error (no live view); toAlpaca() maps them.
    std::string startLearning(const std::string& name);

private:
    void onConnected() override;
    void onDisconnecting() noexcept override;
    nlohmann::json deviceState() const override;

    /// The running focuser (members that need the device connected); NotConnected while a disconnect
    /// has just taken it away.
    std::shared_ptr<focus::AbsoluteFocuser> focuser() const;
    /// Builds the focuser for the lens chosen from the configuration and what was reported.
    std::shared_ptr<focus::AbsoluteFocuser> makeFocuser(const std::string& reported_lens);
    void onFacts(const FrameFacts& facts);

    FocuserConfig config_;
    std::string body_id_;
    mutable std::mutex mutex_;  // guards focuser_ and mismatch_warned_
    std::shared_ptr<focus::AbsoluteFocuser> focuser_;
    bool mismatch_warned_ = false;
    bool profile_remembered_ = false;           // the profile is of the lens remembered from an earlier connection
    std::optional<config::LensEntry> learned_;  // learned this session: used on reconnects until a restart loads it
    int listener_ = 0;
};

}  // namespace sonyalpaca::alpaca
