// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/DeviceBase.hpp"

#include "alpaca/AlpacaError.hpp"
#include "config/Log.hpp"
#include "sonyalpaca/Version.hpp"

#include <algorithm>

namespace sonyalpaca::alpaca {
namespace {
constexpr int kInterfaceVersion = 4;

}  // namespace

DeviceBase::DeviceBase(DeviceTexts texts, std::shared_ptr<BodySession> session)
    : texts_(std::move(texts)), session_(std::move(session)) {
    addProperty(
        "Connected", ParamType::Bool, Needs::Nothing, [this] { return connected(); },
        [this](const Arguments& a) { setConnected(a.get<bool>("Connected")); });
    addPut("Connect", {}, Needs::Nothing, [this](const Arguments&) { startConnect(); });
    addPut("Disconnect", {}, Needs::Nothing, [this](const Arguments&) { disconnect(); });
    addGet("Connecting", Needs::Nothing, [this] { return connecting(); });
    addGet("Description", Needs::Nothing, [this] { return texts_.description; });
    addGet("DriverInfo", Needs::Nothing, [] {
        return std::string(kProductName) + " " + kVersion +
               ": ASCOM Alpaca server for Sony Alpha bodies and their lens focus drive, on Linux";
    });
    addGet("DriverVersion", Needs::Nothing, [] { return std::string(kVersion); });
    addGet("InterfaceVersion", Needs::Nothing, [] { return kInterfaceVersion; });
    addGet("Name", Needs::Nothing, [this] { return texts_.name; });
    addGet("SupportedActions", Needs::Nothing, [this] {
        std::vector<std::string> names;
        for (const auto& action : actions_) names.push_back(action.name);
        return names;
    });
    members_.push_back({"Action",
                        "action",
                        Verb::Put,
                        {{"Action", ParamType::String}, {"Parameters", ParamType::String}},
                        Needs::Nothing,
                        [this](const Arguments& a) -> nlohmann::json {
                            return runAction(a.get<std::string>("Action"), a.get<std::string>("Parameters"));
                        }});
    for (const char* command : {"CommandBlind", "CommandBool", "CommandString"})
        addAbsent(command, Verb::Put, "the Command methods are deprecated in Alpaca; use Action",
                  {{"Command", ParamType::String}, {"Raw", ParamType::Bool}});
    addGet("DeviceState", Needs::Connected, [this] { return deviceState(); });
}

DeviceBase::~DeviceBase() { shutdown(); }

void DeviceBase::shutdown() noexcept {
    if (connect_worker_.joinable()) {
        connect_worker_.request_stop();
        connect_worker_.join();
    }
    disconnect();
}

const Member* DeviceBase::findMember(std::string_view route, Verb verb) const noexcept {
    for (const auto& member : members_)
        if (member.verb == verb && member.route == route) return &member;
    return nullptr;
}

bool DeviceBase::hasMember(std::string_view route) const noexcept {
    return std::any_of(members_.begin(), members_.end(), [&](const Member& m) { return m.route == route; });
}

void DeviceBase::admit(const Member& member) const { require(member.needs, member.use()); }

void DeviceBase::require(Needs needs, const std::string& use) const {
    if (needs == Needs::Nothing) return;
    if (!connected_)
        throw AlpacaError::notConnected(texts_.type +
                                        " is not connected: set Connected to true (or call Connect) "
                                        "before " +
                                        use);
    if (needs == Needs::Idle)
        if (const auto busy = busyReason()) throw AlpacaError::invalidOperation(use + " is refused while " + *busy);
}

void DeviceBase::addGet(std::string name, Needs needs, Getter getter) {
    std::string route = asciiLower(name);
    members_.push_back(
        {std::move(name), std::move(route), Verb::Get, {}, needs, [g = std::move(getter)](const Arguments&) {
             return g();
         }});
}

void DeviceBase::addPut(std::string name, std::vector<ParamSpec> params, Needs needs, Setter setter) {
    std::string route = asciiLower(name);
    members_.push_back({std::move(name), std::move(route), Verb::Put, std::move(params), needs,
                        [s = std::move(setter)](const Arguments& a) {
                            s(a);
                            return nlohmann::json();
                        }});
}

void DeviceBase::addProperty(std::string name, ParamType type, Needs needs, Getter getter, Setter setter) {
    addGet(name, needs, std::move(getter));
    std::vector<ParamSpec> params{{name, type}};
    addPut(std::move(name), std::move(params), needs, std::move(setter));
}

void DeviceBase::addAbsent(std::string name, Verb verb, std::string why, std::vector<ParamSpec> params) {
    const std::string message = texts_.type + "." + name + " is not implemented: " + why;
    const auto refuse = [message](const Arguments&) -> nlohmann::json { throw AlpacaError::notImplemented(message); };
    std::string route = asciiLower(name);
    members_.push_back({std::move(name), std::move(route), verb, std::move(params), Needs::Nothing, refuse});
}

void DeviceBase::addReplyGet(std::string name, Needs needs, std::function<HttpResponse(const ReplyContext&)> reply) {
    std::string route = asciiLower(name);
    Member member{std::move(name), std::move(route), Verb::Get, {}, needs};
    member.reply = [r = std::move(reply)](const Arguments&, const ReplyContext& context) { return r(context); };
    members_.push_back(std::move(member));
}

void DeviceBase::addAction(std::string name, Needs needs, ActionHandler handler) {
    actions_.push_back({std::move(name), needs, std::move(handler)});
}

std::string DeviceBase::runAction(const std::string& action, const std::string& parameters) {
    if (actions_.empty())
        throw AlpacaError::notImplemented(texts_.type + ".Action is not implemented: this device supports no actions");
    for (const auto& known : actions_) {
        if (!equalsIgnoringCase(known.name, action)) continue;
        require(known.needs, "calling Action " + known.name);
        return known.handler(parameters);
    }
    std::string list;
    for (const auto& known : actions_) list += (list.empty() ? "" : ", ") + known.name;
    throw AlpacaError(ErrorCode::ActionNotImplemented, "unknown action \"" + action + "\"; supported actions: " + list);
}

nlohmann::json DeviceBase::deviceState() const { return nlohmann::json::array(); }

void DeviceBase::setConnected(bool on) {
    std::lock_guard lock(connection_mutex_);
    if (on == connected_) return;
    if (on) {
        session_->acquire();
        connected_ = true;
        try {
            onConnected();
        } catch (...) {
            connected_ = false;
            session_->release();
            throw;
        }
        log::get("alpaca")->info("{} connected ({})", texts_.type, session_->body().describe());
    } else {
        onDisconnecting();
        connected_ = false;
        session_->release();
        log::get("alpaca")->info("{} disconnected", texts_.type);
    }
}

void DeviceBase::startConnect() {
    if (connected_ || connecting_) return;
    session_->checkReachable();  // nothing attached: refuse now, with the reason
    if (connect_worker_.joinable()) connect_worker_.join();
    connecting_ = true;
    connect_worker_ = std::jthread([this](std::stop_token) {
        try {
            setConnected(true);
        } catch (const std::exception& e) {
            log::get("alpaca")->error("{} could not connect: {}", texts_.type, fullMessage(e));
        }
        connecting_ = false;
    });
}

void DeviceBase::disconnect() noexcept {
    try {
        setConnected(false);
    } catch (...) {
        // setConnected(false) does not throw; a failing lock would leave the state as it is.
    }
}

}  // namespace sonyalpaca::alpaca
