// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/BodySession.hpp"
#include "alpaca/Device.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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
    const Member* findMember(std::string_view route, Verb verb) const noexcept override;
    bool hasMember(std::string_view route) const noexcept override;
    void admit(const Member& member) const override;
    void shutdown() noexcept override;

    bool connected() const noexcept { return connected_; }
    bool connecting() const noexcept { return connecting_; }
    /// Why the device refuses what Needs::Idle asks now (busyReason), or nothing when it is idle.
    std::optional<std::string> busy() const { return busyReason(); }

protected:
    DeviceBase(DeviceTexts texts, std::shared_ptr<BodySession> session);
    ~DeviceBase() override;

    using Getter = std::function<nlohmann::json()>;
    using Setter = std::function<void(const Arguments&)>;
    using ActionHandler = std::function<std::string(const std::string& parameters)>;

    // The member table. Each member is declared once: its Alpaca name (the route is its lower case),
    // its parameters, what it needs and its function. The router checks the parameters and admit()
    // the needs, so a function runs only on a device in the state it declared.

    /// GET `name`.
    void addGet(std::string name, Needs needs, Getter getter);
    /// PUT `name` with `params`: a method, or the write of a property.
    void addPut(std::string name, std::vector<ParamSpec> params, Needs needs, Setter setter);
    /// A read/write property: GET `name`, and PUT `name` taking the one parameter `name` of `type`.
    void addProperty(std::string name, ParamType type, Needs needs, Getter getter, Setter setter);
    /// A member this device does not implement (either verb): NotImplemented "Camera.CoolerOn is not
    /// implemented: `why`".
    void addAbsent(std::string name, Verb verb, std::string why, std::vector<ParamSpec> params = {});
    /// A GET member that builds its whole response (ImageArray: ImageBytes or streamed JSON).
    void addReplyGet(std::string name, Needs needs, std::function<HttpResponse(const ReplyContext&)> reply);
    /// An Action (matched case-insensitively), listed in SupportedActions; its needs are checked as a
    /// member's are.
    void addAction(std::string name, Needs needs, ActionHandler handler);

    /// Why the device cannot do what Needs::Idle asks now ("the camera is Exposing; wait until ..."),
    /// or nothing when it is idle.
    virtual std::optional<std::string> busyReason() const { return std::nullopt; }

    /// The DeviceState entries known now ({"Name":…,"Value":…}); called only while connected.
    virtual nlohmann::json deviceState() const;

    /// Hooks run after the body was acquired / before it is released.
    virtual void onConnected() {}
    virtual void onDisconnecting() noexcept {}

    BodySession& session() const noexcept { return *session_; }

private:
    struct Action {
        std::string name;  ///< as declared, for SupportedActions and messages
        Needs needs;
        ActionHandler handler;
    };

    /// Throws the error of the first need not met; `use` names what the client does ("reading Gain").
    void require(Needs needs, const std::string& use) const;
    void setConnected(bool on);
    void startConnect();
    void disconnect() noexcept;
    std::string runAction(const std::string& action, const std::string& parameters);

    DeviceTexts texts_;
    std::shared_ptr<BodySession> session_;
    std::vector<Member> members_;
    std::vector<Action> actions_;
    std::atomic<bool> connected_{false};
    std::atomic<bool> connecting_{false};
    std::mutex connection_mutex_;  // serialises connect and disconnect
    std::jthread connect_worker_;
};

}  // namespace sonyalpaca::alpaca
