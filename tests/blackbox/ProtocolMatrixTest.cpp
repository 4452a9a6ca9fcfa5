// SPDX-License-Identifier: GPL-3.0-or-later
// The ConformU "Alpaca protocol" matrix (conformu-checks.md §1) run against the real daemon on
// loopback, with the strict-mode expectations: every malformed request gets HTTP 400 with a text
// body, every understood one HTTP 200 with the exact JSON envelope (alpaca.md §1).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "DaemonProcess.hpp"
#include "RawHttp.hpp"

namespace sonyalpaca::test {
namespace {
using Json = nlohmann::json;
using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr std::uint32_t kClientTransactionId = 67890;
constexpr const char* kBadValue = "asduio6fghZZ";
constexpr int kNotImplemented = 0x400;
constexpr int kNotConnected = 0x407;

const Pairs kIds{{"ClientID", "123456"}, {"ClientTransactionID", "67890"}};
const Pairs kExtra{{"ExtraParameter", "ExtraValue"}};

// ---------------------------------------------------------------------------------------------
// The devices, written from the ASCOM interfaces (ICameraV4, IFocuserV4 and the common members).

enum class Kind { Bool, Int, Double, String };

struct Param {
    std::string name;  ///< exact form-key casing
    Kind kind;
    std::string good;  ///< a value of the right type
};

struct PutMember {
    std::string name;  ///< ASCOM member name; the URL uses it in lower case
    std::vector<Param> params;
};

const std::vector<std::string> kCommonGets{"Connected",  "Connecting",       "Description",
                                           "DriverInfo", "DriverVersion",    "InterfaceVersion",
                                           "Name",       "SupportedActions", "DeviceState"};

const std::vector<PutMember> kCommonPuts{
    {"Connected", {{"Connected", Kind::Bool, "False"}}},
    {"Connect", {}},
    {"Disconnect", {}},
    {"Action", {{"Action", Kind::String, "NoSuchAction"}, {"Parameters", Kind::String, ""}}},
    {"CommandBlind", {{"Command", Kind::String, "noop"}, {"Raw", Kind::Bool, "False"}}},
    {"CommandBool", {{"Command", Kind::String, "noop"}, {"Raw", Kind::Bool, "True"}}},
    {"CommandString", {{"Command", Kind::String, "noop"}, {"Raw", Kind::Bool, "false"}}},
};

const std::vector<std::string> kCameraGets{"BayerOffsetX",
                                           "BayerOffsetY",
                                           "BinX",
                                           "BinY",
                                           "CameraState",
                                           "CameraXSize",
                                           "CameraYSize",
                                           "CanAbortExposure",
                                           "CanAsymmetricBin",
                                           "CanFastReadout",
                                           "CanGetCoolerPower",
                                           "CanPulseGuide",
                                           "CanSetCCDTemperature",
                                           "CanStopExposure",
                                           "CCDTemperature",
                                           "CoolerOn",
                                           "CoolerPower",
                                           "ElectronsPerADU",
                                           "ExposureMax",
                                           "ExposureMin",
                                           "ExposureResolution",
                                           "FastReadout",
                                           "FullWellCapacity",
                                           "Gain",
                                           "GainMax",
                                           "GainMin",
                                           "Gains",
                                           "HasShutter",
                                           "HeatSinkTemperature",
                                           "ImageArray",
                                           "ImageArrayVariant",
                                           "ImageReady",
                                           "IsPulseGuiding",
                                           "LastExposureDuration",
                                           "LastExposureStartTime",
                                           "MaxADU",
                                           "MaxBinX",
                                           "MaxBinY",
                                           "NumX",
                                           "NumY",
                                           "Offset",
                                           "OffsetMax",
                                           "OffsetMin",
                                           "Offsets",
                                           "PercentCompleted",
                                           "PixelSizeX",
                                           "PixelSizeY",
                                           "ReadoutMode",
                                           "ReadoutModes",
                                           "SensorName",
                                           "SensorType",
                                           "SetCCDTemperature",
                                           "StartX",
                                           "StartY",
                                           "SubExposureDuration"};

const std::vector<PutMember> kCameraPuts{
    {"BinX", {{"BinX", Kind::Int, "1"}}},
    {"BinY", {{"BinY", Kind::Int, "1"}}},
    {"CoolerOn", {{"CoolerOn", Kind::Bool, "False"}}},
    {"FastReadout", {{"FastReadout", Kind::Bool, "false"}}},
    {"Gain", {{"Gain", Kind::Int, "1"}}},
    {"NumX", {{"NumX", Kind::Int, "640"}}},
    {"NumY", {{"NumY", Kind::Int, "480"}}},
    {"Offset", {{"Offset", Kind::Int, "1"}}},
    {"ReadoutMode", {{"ReadoutMode", Kind::Int, "0"}}},
    {"SetCCDTemperature", {{"SetCCDTemperature", Kind::Double, "-10.5"}}},
    {"StartX", {{"StartX", Kind::Int, "0"}}},
    {"StartY", {{"StartY", Kind::Int, "0"}}},
    {"SubExposureDuration", {{"SubExposureDuration", Kind::Double, "1.5"}}},
    {"AbortExposure", {}},
    {"PulseGuide", {{"Direction", Kind::Int, "0"}, {"Duration", Kind::Int, "1"}}},
    {"StartExposure", {{"Duration", Kind::Double, "2.0"}, {"Light", Kind::Bool, "False"}}},
    {"StopExposure", {}},
};

const std::vector<std::string> kFocuserGets{"Absolute", "IsMoving", "MaxIncrement",      "MaxStep",    "Position",
                                            "StepSize", "TempComp", "TempCompAvailable", "Temperature"};

const std::vector<PutMember> kFocuserPuts{
    {"TempComp", {{"TempComp", Kind::Bool, "False"}}},
    {"Halt", {}},
    {"Move", {{"Position", Kind::Int, "1"}}},
};

// ---------------------------------------------------------------------------------------------
// Small text helpers.

/// `text` with `change` applied to every character.
template <typename Change>
std::string mapChars(std::string text, Change change) {
    for (auto& c : text) c = static_cast<char>(change(static_cast<unsigned char>(c)));
    return text;
}

std::string lowerCase(std::string text) {
    return mapChars(std::move(text), [](int c) { return std::tolower(c); });
}
std::string upperCase(std::string text) {
    return mapChars(std::move(text), [](int c) { return std::toupper(c); });
}

/// "BinX" -> "bINx": what ConformU sends to check that PUT form keys are case-sensitive.
std::string invertCase(std::string text) {
    return mapChars(std::move(text), [](int c) { return std::isupper(c) ? std::tolower(c) : std::toupper(c); });
}

bool isBlank(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::string percentEncode(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 0x0F]);
        }
    }
    return out;
}

std::string encode(const Pairs& pairs) {
    std::string out;
    for (const auto& [key, value] : pairs)
        out += (out.empty() ? "" : "&") + percentEncode(key) + "=" + percentEncode(value);
    return out;
}

template <typename T>
std::vector<T> join(std::vector<T> first, const std::vector<T>& second) {
    first.insert(first.end(), second.begin(), second.end());
    return first;
}

/// ErrorNumber, ErrorMessage and Value of a reply that may not be a JSON object (-1, "", null then).
int errorOf(const Json& reply) {
    return reply.is_object() && reply.contains("ErrorNumber") && reply["ErrorNumber"].is_number_integer()
               ? reply["ErrorNumber"].get<int>()
               : -1;
}
std::string messageOf(const Json& reply) {
    return reply.is_object() && reply.contains("ErrorMessage") && reply["ErrorMessage"].is_string()
               ? reply["ErrorMessage"].get<std::string>()
               : std::string();
}
Json valueOf(const Json& reply) { return reply.is_object() && reply.contains("Value") ? reply["Value"] : Json(); }

Pairs goodParams(const PutMember& member) {
    Pairs pairs;
    for (const auto& param : member.params) pairs.emplace_back(param.name, param.good);
    return pairs;
}

std::string memberPath(const std::string& type, const std::string& member) {
    return "/api/v1/" + type + "/0/" + lowerCase(member);
}

/// TestBadIdValues: ClientID, then ClientTransactionID, set to empty, blank, negative, non-numeric.
std::vector<Pairs> badIdSets() {
    std::vector<Pairs> sets;
    for (const char* value : {"", "     ", "-12345", "NASDAQ"})
        sets.push_back({{"ClientID", value}, {"ClientTransactionID", "67890"}});
    for (const char* value : {"", "     ", "-67890", "qweqwe"})
        sets.push_back({{"ClientID", "123456"}, {"ClientTransactionID", value}});
    return sets;
}

enum class Method { Get, Put };

/// One request as sent (for failure messages) and its reply.
struct Exchange {
    std::string request;
    HttpReply reply;
};

std::string describe(const Exchange& exchange) {
    return exchange.request + "\n  -> " + std::to_string(exchange.reply.status) + " [" +
           exchange.reply.header("content-type") + "] " + exchange.reply.body;
}

// ---------------------------------------------------------------------------------------------
// The fixture: one daemon per test case, and the checks every ConformU sequence is built from.

class ProtocolServer {
public:
    ProtocolServer() : daemon_(DaemonProcess::serve(state_.path())) {}

    /// GET with `pairs` in the query string, or PUT with `pairs` as the form body.
    Exchange send(Method method, const std::string& path, const Pairs& pairs) {
        if (method == Method::Get) return get(path, pairs);
        return form("PUT", path, pairs);
    }

    Exchange get(const std::string& path, const Pairs& query) {
        const std::string target = query.empty() ? path : path + "?" + encode(query);
        return {"GET " + target, httpGet(daemon_.port(), target)};
    }

    Exchange form(const std::string& method, const std::string& target, const Pairs& body) {
        const std::string text = encode(body);
        return {method + " " + target + " body \"" + text + "\"", httpForm(daemon_.port(), method, target, text)};
    }

    Exchange raw(const std::string& request) { return {request, sendRaw("127.0.0.1", daemon_.port(), request)}; }

    /// HTTP 200 with the Alpaca JSON envelope, exactly cased, and `Value` when `needs_value`. The
    /// ClientTransactionID must be `client_transaction`, the ServerTransactionID above every one
    /// seen before. Returns the parsed body (null when it is not a JSON object).
    Json expectJson(const Exchange& exchange, bool needs_value, std::uint32_t client_transaction) {
        INFO(describe(exchange));
        CHECK(exchange.reply.status == 200);
        CHECK(exchange.reply.header("content-type").find("application/json") != std::string::npos);
        Json body = Json::parse(exchange.reply.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
            FAIL_CHECK("the body is not a JSON object");
            return Json();
        }
        static const std::set<std::string> allowed{"ClientTransactionID", "ServerTransactionID", "ErrorNumber",
                                                   "ErrorMessage", "Value"};
        for (const auto& item : body.items())
            CHECK_MESSAGE(allowed.count(item.key()) == 1, "unexpected key " << item.key());
        if (needs_value) CHECK_MESSAGE(body.contains("Value"), "a GET reply needs Value");
        const bool shaped = body.contains("ClientTransactionID") && body["ClientTransactionID"].is_number_unsigned() &&
                            body.contains("ServerTransactionID") && body["ServerTransactionID"].is_number_unsigned() &&
                            body.contains("ErrorNumber") && body["ErrorNumber"].is_number_integer() &&
                            body.contains("ErrorMessage") && body["ErrorMessage"].is_string();
        CHECK_MESSAGE(shaped, "ClientTransactionID, ServerTransactionID (uint32), ErrorNumber (int) and "
                              "ErrorMessage (string) are required");
        if (!shaped) return body;
        CHECK(body["ClientTransactionID"].get<std::uint64_t>() == client_transaction);
        const auto server_transaction = body["ServerTransactionID"].get<std::uint64_t>();
        CHECK(server_transaction >= 1);
        CHECK(server_transaction <= UINT32_MAX);
        CHECK_MESSAGE(server_transaction > last_server_transaction_,
                      "ServerTransactionID must increase; the previous one was " << last_server_transaction_);
        last_server_transaction_ = server_transaction;
        const int error = body["ErrorNumber"].get<int>();
        const auto message = body["ErrorMessage"].get<std::string>();
        if (error == 0) {
            CHECK_MESSAGE(message.empty(), "success needs an empty ErrorMessage");
        } else {
            CHECK_MESSAGE(!message.empty(), "an error needs a message");
            CHECK_MESSAGE((error >= 0x400 && error <= 0xFFF), "Alpaca error numbers are 0x400-0xFFF");
        }
        return body;
    }

    /// HTTP 400 with a plain-text body.
    void expectBadRequest(const Exchange& exchange) {
        INFO(describe(exchange));
        CHECK(exchange.reply.status == 400);
        CHECK(exchange.reply.header("content-type").rfind("text/plain", 0) == 0);
        CHECK_FALSE(exchange.reply.body.empty());
    }

    /// The steps GetNoParameters, PutNoParameters and Put{One,Two}Parameters share: good, extra
    /// parameter, mis-cased IDs, and the eight bad IDs.
    void idSequence(Method method, const std::string& path, const Pairs& params) {
        const bool get = method == Method::Get;
        expectJson(send(method, path, join(kIds, params)), get, kClientTransactionId);
        expectJson(send(method, path, join(join(kIds, params), kExtra)), get, kClientTransactionId);
        expectJson(send(method, path, join({{"clientid", "123456"}, {"ClientTransactionID", "67890"}}, params)), get,
                   kClientTransactionId);
        // GET keys are case-insensitive, so the ID counts; a mis-cased PUT form key is ignored.
        expectJson(send(method, path, join({{"ClientID", "123456"}, {"clienttransactionid", "67890"}}, params)), get,
                   get ? kClientTransactionId : 0);
        for (const auto& ids : badIdSets()) expectBadRequest(send(method, path, join(ids, params)));
    }

    void getNoParameters(const std::string& type, const std::string& member) {
        idSequence(Method::Get, memberPath(type, member), {});
    }

    /// PutNoParameters / PutOneParameter / PutTwoParameters, plus the parameters sent in the query
    /// string instead of the body.
    void putSequence(const std::string& type, const PutMember& member) {
        const std::string path = memberPath(type, member.name);
        const Pairs good = goodParams(member);
        idSequence(Method::Put, path, good);
        for (std::size_t i = 0; i < good.size(); ++i) {
            if (member.params[i].kind != Kind::String) {
                Pairs bad = good;
                bad[i].second = kBadValue;
                expectBadRequest(send(Method::Put, path, join(kIds, bad)));
            }
            Pairs miscased = good;
            miscased[i].first = invertCase(miscased[i].first);
            expectBadRequest(send(Method::Put, path, join(kIds, miscased)));
        }
        expectBadRequest(form("PUT", path + "?" + encode(join(kIds, good)), {}));
    }

    /// The value of a GET member that must succeed.
    Json value(const std::string& type, const std::string& member) {
        const Json body = expectJson(get(memberPath(type, member), kIds), true, kClientTransactionId);
        INFO(type << " " << member << ": " << body.dump());
        CHECK(errorOf(body) == 0);
        return valueOf(body);
    }

private:
    TempDir state_;
    DaemonProcess daemon_;
    std::uint64_t last_server_transaction_ = 0;
};

void checkDeviceState(const Json& reply, const std::set<std::string>& names) {
    INFO("DeviceState " << reply.dump());
    if (errorOf(reply) != 0) return;  // not connected: nothing to list yet
    const Json items = valueOf(reply);
    REQUIRE(items.is_array());
    for (const auto& item : items) {
        CHECK(item.is_object());
        CHECK(item.size() == 2);
        CHECK(item.contains("Value"));
        CHECK(item.contains("Name"));
        if (item.contains("Name") && item["Name"].is_string())
            CHECK_MESSAGE(names.count(item["Name"].get<std::string>()) == 1, "unknown name " << item["Name"]);
    }
}

/// The common members of one device: their types and values, and Connected's bad values.
void checkCommonMembers(ProtocolServer& server, const std::string& type, const std::set<std::string>& state_names) {
    CAPTURE(type);
    const Json version = server.value(type, "InterfaceVersion");
    CHECK(version == 4);
    CHECK(server.value(type, "Connected") == false);
    CHECK(server.value(type, "Connecting").is_boolean());
    for (const std::string text : {"Description", "DriverInfo", "DriverVersion", "Name"}) {
        CAPTURE(text);
        const Json value = server.value(type, text);
        REQUIRE(value.is_string());
        CHECK_FALSE(isBlank(value.get<std::string>()));
        if (type == "camera" && text == "Description")
            CHECK_MESSAGE(value.get<std::string>().size() <= 68, "FITS: a camera description is at most 68 characters");
    }
    const Json actions = server.value(type, "SupportedActions");
    REQUIRE(actions.is_array());
    for (const auto& action : actions) CHECK((action.is_string() && !action.get<std::string>().empty()));
    checkDeviceState(server.expectJson(server.get(memberPath(type, "DeviceState"), kIds), true, kClientTransactionId),
                     state_names);

    const std::string connected = memberPath(type, "Connected");
    for (const char* bad : {"", "123456", "asdqwe"})
        server.expectBadRequest(server.send(Method::Put, connected, join(kIds, {{"Connected", bad}})));
    // Re-ordered parameters; no body is attached, so connecting fails with NotConnected.
    const Json reordered = server.expectJson(
        server.form("PUT", connected,
                    {{"ClientTransactionID", "67890"}, {"Connected", "True"}, {"ClientID", "123456"}}),
        false, kClientTransactionId);
    CHECK(errorOf(reordered) == kNotConnected);
    CHECK(lowerCase(messageOf(reordered)).find("body") != std::string::npos);
    CHECK(server.value(type, "Connected") == false);

    // The Command methods are deprecated in Alpaca: NotImplemented, with a message.
    for (const char* command : {"CommandBlind", "CommandBool", "CommandString"}) {
        const Json reply = server.expectJson(server.send(Method::Put, memberPath(type, command),
                                                         join(kIds, {{"Command", "noop"}, {"Raw", "False"}})),
                                             false, kClientTransactionId);
        CHECK(errorOf(reply) == kNotImplemented);
        CHECK_FALSE(messageOf(reply).empty());
    }
}

void runDeviceMatrix(ProtocolServer& server, const std::string& type, const std::vector<std::string>& gets,
                     const std::vector<PutMember>& puts) {
    for (const auto& member : join(kCommonGets, gets)) {
        CAPTURE(member);
        server.getNoParameters(type, member);
    }
    for (const auto& member : join(kCommonPuts, puts)) {
        CAPTURE(member.name);
        server.putSequence(type, member);
    }
    // The daemon survived all of it.
    CHECK(server.value(type, "InterfaceVersion") == 4);
}

}  // namespace

TEST_CASE_FIXTURE(ProtocolServer, "protocol: camera members, GetNoParameters and Put*Parameters") {
    runDeviceMatrix(*this, "camera", kCameraGets, kCameraPuts);
}

TEST_CASE_FIXTURE(ProtocolServer, "protocol: focuser members, GetNoParameters and Put*Parameters") {
    runDeviceMatrix(*this, "focuser", kFocuserGets, kFocuserPuts);
}

TEST_CASE_FIXTURE(ProtocolServer, "protocol: common members, Connected and transaction IDs") {
    checkCommonMembers(*this, "camera",
                       {"CameraState", "CCDTemperature", "CoolerPower", "HeatSinkTemperature", "ImageReady",
                        "IsPulseGuiding", "PercentCompleted", "TimeStamp"});
    checkCommonMembers(*this, "focuser", {"IsMoving", "Position", "Temperature", "TimeStamp"});

    const std::string name = memberPath("camera", "Name");
    // ServerTransactionID strictly increases (expectJson also checks it on every reply).
    std::uint64_t previous = 0;
    for (int i = 0; i < 5; ++i) {
        const Json reply = expectJson(get(name, kIds), true, kClientTransactionId);
        const auto current = reply.is_object() ? reply.value("ServerTransactionID", std::uint64_t{0}) : 0;
        CHECK(current > previous);
        previous = current;
    }
    // ClientTransactionID is a uint32: its whole range is echoed; beyond it is a bad request.
    expectJson(get(name, {{"ClientTransactionID", "4294967295"}}), true, 4294967295U);
    expectJson(get(name, {{"ClientTransactionID", "0"}}), true, 0);
    expectJson(get(name, {}), true, 0);
    expectBadRequest(get(name, {{"ClientTransactionID", "4294967296"}}));
    expectBadRequest(get(name, {{"ClientID", "1.5"}}));
    // GET keys in any casing count, so a bad value under any casing is a bad request.
    expectJson(get(name, {{"CLIENTTRANSACTIONID", "67890"}, {"clientID", "123456"}}), true, kClientTransactionId);
    expectBadRequest(get(name, {{"clienttransactionid", "qweqwe"}}));
    // A mis-cased PUT form key is not the ID: it is ignored, whatever its value.
    expectJson(form("PUT", memberPath("focuser", "Disconnect"), {{"clienttransactionid", "qweqwe"}, {"CLIENTID", ""}}),
               false, 0);
}

TEST_CASE_FIXTURE(ProtocolServer, "protocol: bad URLs and verbs get HTTP 400") {
    std::vector<std::string> paths{"/api/v1/baddevicetype/0/description", "/api/v1/telescope/0/name", "/", "/api/v1",
                                   "/api/v1/camera"};
    for (const std::string type : {"camera", "focuser"}) {
        for (const std::string& path :
             {"/api/v1/" + upperCase(type) + "/0/description", "/api/v1/" + type + "/-1/description",
              "/api/v1/" + type + "/99999/description", "/api/v1/" + type + "/A/description",
              "/api/v1/" + type + "/0/descrip", "/api/v2/" + type + "/0/name", "/api/V1/" + type + "/0/name",
              "/apx/v1/" + type + "/0/name", "/api/1/" + type + "/0/name", "/api/v/" + type + "/0/name",
              "/api/v1/" + type + "/00/name", "/api/v1/" + type + "/1/name", "/api/v1/" + type + "/0/name/",
              "/api/v1/" + type + "/0/Name", "/api/v1/" + type + "/0", "/api/v1/" + type + "/0/"})
            paths.push_back(path);
    }
    for (const auto& path : paths) {
        expectBadRequest(get(path, kIds));
        expectBadRequest(form("PUT", path, kIds));
    }

    // A PUT-only member read with GET, and a GET-only member written with PUT.
    for (const char* path :
         {"/api/v1/camera/0/abortexposure", "/api/v1/camera/0/startexposure", "/api/v1/focuser/0/halt",
          "/api/v1/focuser/0/move", "/api/v1/camera/0/connect", "/api/v1/focuser/0/action"})
        expectBadRequest(get(path, kIds));
    for (const char* path : {"/api/v1/camera/0/description", "/api/v1/camera/0/camerastate",
                             "/api/v1/focuser/0/position", "/api/v1/focuser/0/name"})
        expectBadRequest(form("PUT", path, kIds));
    // Verbs other than GET and PUT.
    for (const char* method : {"POST", "DELETE", "PATCH"}) {
        for (const char* path : {"/api/v1/camera/0/connected", "/api/v1/focuser/0/connected"})
            expectBadRequest(form(method, path, join(kIds, {{"Connected", "False"}})));
    }
    // A PUT whose body is not a form.
    const std::string json_body = R"({"ClientID":123456,"ClientTransactionID":67890,"Connected":false})";
    expectBadRequest(raw("PUT /api/v1/focuser/0/connected HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                         "application/json\r\nContent-Length: " +
                         std::to_string(json_body.size()) + "\r\nConnection: close\r\n\r\n" + json_body));
}

// alpaca.md §1.2 (OmniSim strict mode) and RequestParameters::fromRequest: parameters of a GET are
// in the query string, so a GET carrying a form body is a bad request.
TEST_CASE_FIXTURE(ProtocolServer, "protocol: a GET with a form body gets HTTP 400") {
    expectBadRequest(form("GET", "/api/v1/camera/0/name", kIds));
    expectBadRequest(form("GET", "/api/v1/focuser/0/connected", kIds));
}

TEST_CASE_FIXTURE(ProtocolServer, "protocol: management API") {
    for (const std::string path :
         {"/management/apiversions", "/management/v1/description", "/management/v1/configureddevices"}) {
        CAPTURE(path);
        idSequence(Method::Get, path, {});
        expectBadRequest(form("PUT", path, kIds));
    }

    const Json versions = expectJson(get("/management/apiversions", kIds), true, kClientTransactionId);
    CHECK(valueOf(versions) == Json::array({1}));

    const Json description = valueOf(expectJson(get("/management/v1/description", kIds), true, kClientTransactionId));
    INFO("description " << description.dump());
    REQUIRE(description.is_object());
    for (const std::string key : {"ServerName", "Manufacturer", "ManufacturerVersion", "Location"}) {
        CAPTURE(key);
        REQUIRE(description.contains(key));
        CHECK(description[key].is_string());
    }
    CHECK_FALSE(isBlank(description.value("Manufacturer", "")));
    CHECK_FALSE(isBlank(description.value("ManufacturerVersion", "")));

    const Json devices = valueOf(expectJson(get("/management/v1/configureddevices", kIds), true, kClientTransactionId));
    INFO("configured devices " << devices.dump());
    REQUIRE(devices.is_array());
    std::set<std::string> unique_ids;
    std::set<std::string> found;
    for (const auto& device : devices) {
        REQUIRE(device.is_object());
        CHECK(device.size() == 4);
        CHECK_FALSE(isBlank(device.value("DeviceName", "")));
        const std::string unique_id = device.value("UniqueID", "");
        CHECK_FALSE(isBlank(unique_id));
        CHECK_MESSAGE(unique_ids.insert(unique_id).second, "UniqueID " << unique_id << " is used twice");
        REQUIRE(device.contains("DeviceNumber"));
        REQUIRE(device["DeviceNumber"].is_number_unsigned());
        found.insert(device.value("DeviceType", "") + " " + std::to_string(device["DeviceNumber"].get<unsigned>()));
    }
    CHECK(found == std::set<std::string>{"Camera 0", "Focuser 0"});

    for (const char* path : {"/management/v2/description", "/management/v1/apiversions", "/management/V1/description",
                             "/management/v1/description/", "/management/v1/configureddevices/0", "/management",
                             "/management/", "/management/v1"})
        expectBadRequest(get(path, kIds));
}

}  // namespace sonyalpaca::test

namespace sonyalpaca::test {

// Without a body every camera member answers for itself: the capabilities with their values, the
// members a Sony body has no counterpart for with NotImplemented (0x400) saying why, everything
// else with NotConnected (0x407).
TEST_CASE_FIXTURE(ProtocolServer, "protocol: camera members answer truthfully with no body attached") {
    const std::set<std::string> absent{
        "CoolerOn",          "CoolerPower",         "ElectronsPerADU", "FastReadout", "FullWellCapacity", "GainMax",
        "GainMin",           "HeatSinkTemperature", "Offset",          "OffsetMax",   "OffsetMin",        "Offsets",
        "SetCCDTemperature", "SubExposureDuration"};
    const std::map<std::string, Json> fixed{{"CanAbortExposure", true},
                                            {"CanAsymmetricBin", false},
                                            {"CanFastReadout", false},
                                            {"CanGetCoolerPower", false},
                                            {"CanPulseGuide", false},
                                            {"CanSetCCDTemperature", false},
                                            {"CanStopExposure", true},
                                            {"HasShutter", false},
                                            {"MaxBinX", 2},
                                            {"MaxBinY", 2},
                                            {"SensorType", 2},
                                            {"BayerOffsetX", 0},
                                            {"BayerOffsetY", 0}};
    for (const auto& member : kCameraGets) {
        CAPTURE(member);
        const Json reply = expectJson(get(memberPath("camera", member), kIds), true, kClientTransactionId);
        const int error = errorOf(reply);
        CHECK(lowerCase(messageOf(reply)).find("not implemented yet") == std::string::npos);
        if (const auto value = fixed.find(member); value != fixed.end()) {
            CHECK(error == 0);
            CHECK(valueOf(reply) == value->second);
        } else if (absent.count(member)) {
            CHECK(error == kNotImplemented);
        } else {
            CHECK(error == kNotConnected);
        }
    }
    for (const auto& member : kCameraPuts) {
        CAPTURE(member.name);
        const Json reply =
            expectJson(send(Method::Put, memberPath("camera", member.name), join(kIds, goodParams(member))), false,
                       kClientTransactionId);
        const bool none = absent.count(member.name) || member.name == "PulseGuide";
        CHECK(errorOf(reply) == (none ? kNotImplemented : kNotConnected));
    }
}

}  // namespace sonyalpaca::test
