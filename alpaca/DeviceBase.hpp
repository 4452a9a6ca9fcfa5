// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/BodySession.hpp"
#include "alpaca/Device.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sonyalpaca::alpaca {

/// The fixed texts of a device.
struct DeviceTexts {
    std::string type;         ///< "Camera"
    std::string name;         ///< Name
    std::string description;  ///< Description (at most 68 characters for a camera: it goes into FITS headers)
};

/// The members every Alpaca device has (Connected, Connect/Disconnect/Connecting, Description,
/// DriverInfo, DriverVersion, InterfaceVersion, Name, SupportedActions, Action, Command*,
/// DeviceState), the member table, and the connection to the shared body. Camera and Focuser derive
/// from it and add their own members in their constructors.
class DeviceBase : public Device {
public:
    std::string_view deviceType() const noexcept override { return texts_.type; }
    std::string deviceName() const override { return texts_.name; }
    const Member* findMember(std::string_view name, Verb verb) const noexcept override;
    bool hasMember(std::string_view name) const noexcept override;
    void shutdown() noexcept override;

    bool connected() const noexcept { return connected_; }
    bool connecting() const noexcept { return connecting_; }

protected:
    DeviceBase(DeviceTexts texts, std::shared_ptr<BodySession> session);
    ~DeviceBase() override;

    using Getter = std::function<nlohmann::json()>;
    using Setter = std::function<void(const Arguments&)>;
    using ActionHandler = std::function<std::string(const std::string& parameters)>;

    void addGet(std::string name, Getter getter);
    void addPut(std::string name, std::vector<ParamSpec> params, Setter setter);
    /// A GET member that builds its whole response (ImageArray: ImageBytes or streamed JSON).
    void addReplyGet(std::string name, std::function<HttpResponse(const ReplyContext&)> reply);
    /// Adds an Action (matched case-insensitively) to SupportedActions.
    void addAction(std::string name, ActionHandler handler);

    /// Throws NotConnected naming `member` unless the device is connected.
    void requireConnected(std::string_view member) const;

    /// The DeviceState entries known now ({"Name":…,"Value":…}); called only while connected.
    virtual nlohmann::json deviceState() const;

    /// Hooks run after the body was acquired / before it is released.
    virtual void onConnected() {}
    virtual void onDisconnecting() noexcept {}

    BodySession& session() const noexcept { return *session_; }

private:
    void setConnected(bool on);
    void startConnect();
    void disconnect() noexcept;
    std::string runAction(const std::string& action, const std::string& parameters);

    DeviceTexts texts_;
    std::shared_ptr<BodySession> session_;
    std::vector<Member> members_;
    std::map<std::string, ActionHandler, std::less<>> actions_;  // key: lower-case action name
    std::vector<std::string> action_names_;
    std::atomic<bool> connected_{false};
    std::atomic<bool> connecting_{false};
    std::mutex connection_mutex_;  // serialises connect and disconnect
    std::jthread connect_worker_;
};

}  // namespace sonyalpaca::alpaca
