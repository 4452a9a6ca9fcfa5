// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/RequestParameters.hpp"

#include <doctest/doctest.h>

using namespace sonyalpaca::alpaca;

namespace {
HttpRequest get(std::string query) { return {"GET", "/api/v1/camera/0/binx", std::move(query), "", "", ""}; }
HttpRequest put(std::string body) {
    return {"PUT", "/api/v1/camera/0/binx", "", std::move(body), "application/x-www-form-urlencoded", ""};
}
}  // namespace

TEST_CASE("GET keys match in any casing, PUT keys only exactly") {
    const auto g = RequestParameters::fromRequest(get("clienttransactionid=67890&CLIENTID=5&binx=2"), Verb::Get);
    CHECK(g.clientTransactionId() == 67890);
    CHECK(g.clientId() == 5);
    CHECK(g.find("BinX") == "2");

    const auto p = RequestParameters::fromRequest(put("clienttransactionid=67890&ClientID=5&bINx=2"), Verb::Put);
    CHECK(p.clientTransactionId() == 0);  // mis-cased: ignored
    CHECK(p.clientId() == 5);
    CHECK_FALSE(p.find("BinX").has_value());
}

TEST_CASE("IDs present but not uint32 are a bad request") {
    for (const char* bad : {"", "%20%20%20%20%20", "-12345", "NASDAQ", "4294967296"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(RequestParameters::fromRequest(get(std::string("ClientID=") + bad), Verb::Get), BadRequest);
        CHECK_THROWS_AS(RequestParameters::fromRequest(put(std::string("ClientTransactionID=") + bad), Verb::Put),
                        BadRequest);
    }
    // In a PUT a mis-cased ID key is not an ID at all, whatever its value.
    CHECK_NOTHROW(RequestParameters::fromRequest(put("clientid=NASDAQ"), Verb::Put));
}

TEST_CASE("required parameters: missing, mis-cased and malformed values are bad requests naming the parameter") {
    const std::vector<ParamSpec> specs{{"Duration", ParamType::Double}, {"Light", ParamType::Bool}};
    const auto ok = RequestParameters::fromRequest(put("Duration=2.5&Light=True"), Verb::Put).parse(specs);
    CHECK(ok.get<double>("Duration") == 2.5);
    CHECK(ok.get<bool>("Light") == true);

    auto message = [&](const std::string& body) {
        try {
            RequestParameters::fromRequest(put(body), Verb::Put).parse(specs);
        } catch (const BadRequest& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(message("Light=true").find("missing parameter Duration") != std::string::npos);
    CHECK(message("dURATION=2&Light=true").find("case-sensitive") != std::string::npos);
    CHECK(message("Duration=asduio6fghZZ&Light=true").find("Duration=\"asduio6fghZZ\" is not valid") !=
          std::string::npos);
    CHECK(message("Duration=2&Light=1").find("expected true or false") != std::string::npos);
}

TEST_CASE("parameters in the wrong place are bad requests") {
    HttpRequest put_with_query = put("Connected=true");
    put_with_query.query = "ClientID=1";
    CHECK_THROWS_AS(RequestParameters::fromRequest(put_with_query, Verb::Put), BadRequest);
    HttpRequest get_with_body = get("");
    get_with_body.body = "ClientID=1";
    CHECK_THROWS_AS(RequestParameters::fromRequest(get_with_body, Verb::Get), BadRequest);
    HttpRequest json_put = put(R"({"Connected":true})");
    json_put.content_type = "application/json";
    CHECK_THROWS_AS(RequestParameters::fromRequest(json_put, Verb::Put), BadRequest);
    HttpRequest charset_put = put("Connected=true");
    charset_put.content_type = "application/x-www-form-urlencoded; charset=utf-8";
    CHECK_NOTHROW(RequestParameters::fromRequest(charset_put, Verb::Put));
}
