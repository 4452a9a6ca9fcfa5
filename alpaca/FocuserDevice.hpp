// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/DeviceBase.hpp"
#include "config/LensDatabase.hpp"
#include "config/Settings.hpp"
#include "focus/AbsoluteFocuser.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace sonyalpaca::alpaca {

/// What the focuser device is configured with.
struct FocuserConfig {
    std::shared_ptr<const config::LensDatabase> lenses;  ///< shipped and user profiles
    std::string configured_lens;                         ///< --lens / "lens"; empty = the reported lens
    config::FocuserSettings settings;
    std::filesystem::path state_dir;                     ///< focuser.json is kept here
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

private:
    void onConnected() override;
    void onDisconnecting() noexcept override;
    nlohmann::json deviceState() const override;

    /// The running focuser; throws NotConnected naming `member` when the device is not connected.
    std::shared_ptr<focus::AbsoluteFocuser> focuser(std::string_view member) const;
    /// Builds the focuser for the lens chosen from the configuration and what was reported.
    std::shared_ptr<focus::AbsoluteFocuser> makeFocuser(const std::string& reported_lens);
    void onFacts(const FrameFacts& facts);

    FocuserConfig config_;
    std::string body_id_;
    mutable std::mutex mutex_;  // guards focuser_ and mismatch_warned_
    std::shared_ptr<focus::AbsoluteFocuser> focuser_;
    bool mismatch_warned_ = false;
    int listener_ = 0;
};

}  // namespace sonyalpaca::alpaca
