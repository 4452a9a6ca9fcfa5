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
    addGet("connected", [this] { return connected(); });
    addPut("connected", {{"Connected", ParamType::Bool}},
           [this](const Arguments& a) { setConnected(a.get<bool>("Connected")); });
    addPut("connect", {}, [this](const Arguments&) { startConnect(); });
    addPut("disconnect", {}, [this](const Arguments&) { disconnect(); });
    addGet("connecting", [this] { return connecting(); });
    addGet("description", [this] { return texts_.description; });
    addGet("driverinfo", [] {
        return std::string(kProductName) + " " + kVersion +
               ": ASCOM Alpaca server for Sony Alpha bodies and their lens focus drive, on Linux";
    });
    addGet("driverversion", [] { return std::string(kVersion); });
    addGet("interfaceversion", [] { return kInterfaceVersion; });
    addGet("name", [this] { return texts_.name; });
    addGet("supportedactions", [this] { return action_names_; });
    members_.push_back({"action", Verb::Put, {{"Action", ParamType::String}, {"Parameters", ParamType::String}},
                        [this](const Arguments& a) -> nlohmann::json {
                            return runAction(a.get<std::string>("Action"), a.get<std::string>("Parameters"));
                        }});
    for (const char* command : {"commandblind", "commandbool", "commandstring"}) {
        const std::string member = command;
        addPut(member, {{"Command", ParamType::String}, {"Raw", ParamType::Bool}}, [this, member](const Arguments&) {
            throw AlpacaError::notImplemented(texts_.type + "." + member +
                                              " is not implemented: the Command methods are deprecated in Alpaca; "
                                              "use Action");
        });
    }
    addGet("devicestate", [this] {
        requireConnected("DeviceState");
        return deviceState();
    });
}

DeviceBase::~DeviceBase() { shutdown(); }

void DeviceBase::shutdown() noexcept {
    if (connect_worker_.joinable()) {
        connect_worker_.request_stop();
        connect_worker_.join();
    }
    disconnect();
}

const Member* DeviceBase::findMember(std::string_view name, Verb verb) const noexcept {
    for (const auto& member : members_)
        if (member.verb == verb && member.name == name) return &member;
    return nullptr;
}

bool DeviceBase::hasMember(std::string_view name) const noexcept {
    return std::any_of(members_.begin(), members_.end(), [&](const Member& m) { return m.name == name; });
}

void DeviceBase::addGet(std::string name, Getter getter) {
    members_.push_back({std::move(name), Verb::Get, {}, [g = std::move(getter)](const Arguments&) { return g(); }});
}

void DeviceBase::addPut(std::string name, std::vector<ParamSpec> params, Setter setter) {
    members_.push_back({std::move(name), Verb::Put, std::move(params), [s = std::move(setter)](const Arguments& a) {
                            s(a);
                            return nlohmann::json();
                        }});
}

void DeviceBase::addReplyGet(std::string name, std::function<HttpResponse(const ReplyContext&)> reply) {
    Member member{std::move(name), Verb::Get, {}, {}};
    member.reply = [r = std::move(reply)](const Arguments&, const ReplyContext& context) { return r(context); };
    members_.push_back(std::move(member));
}

void DeviceBase::addAction(std::string name, ActionHandler handler) {
    actions_.emplace(asciiLower(name), std::move(handler));
    action_names_.push_back(std::move(name));
}

std::string DeviceBase::runAction(const std::string& action, const std::string& parameters) {
    if (actions_.empty())
        throw AlpacaError::notImplemented(texts_.type + ".Action is not implemented: this device supports no actions");
    const auto found = actions_.find(asciiLower(action));
    if (found == actions_.end()) {
        std::string list;
        for (const auto& known : action_names_) list += (list.empty() ? "" : ", ") + known;
        throw AlpacaError(ErrorCode::ActionNotImplemented,
                          "unknown action \"" + action + "\"; supported actions: " + list);
    }
    return found->second(parameters);
}

void DeviceBase::requireConnected(std::string_view member) const {
    if (!connected_)
        throw AlpacaError::notConnected(texts_.type + " is not connected: set Connected to true (or call Connect) "
                                        "before reading " + std::string(member));
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
