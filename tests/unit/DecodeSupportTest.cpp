// SPDX-License-Identifier: GPL-3.0-or-later
// The connect decision: which bodies the camera refuses because the running LibRaw cannot decode
// their files correctly, with which message, and which RAW file type it puts the others on.
#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "config/DecodeSupport.hpp"
#include "config/RawTypes.hpp"

#include <doctest/doctest.h>

using namespace sonyalpaca::config;

namespace {
constexpr LibRawVersion kDebian12{0, 20};
constexpr LibRawVersion kDebian13{0, 21};
constexpr LibRawVersion kLibRaw022{0, 22};

BodyEntry body(const std::string& model, std::optional<LibRawVersion> libraw_min, std::vector<std::string> types) {
    BodyEntry entry;
    entry.model = model;
    entry.display_name = "a9 X";
    entry.sony_model_id = 999;
    entry.libraw_known = true;
    entry.libraw_min = libraw_min;
    entry.raw_types = std::move(types);
    return entry;
}

bool contains(const std::optional<std::string>& text, const std::string& part) {
    return text && text->find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("connect decision: a body whose model id the LibRaw does not know is refused, with the fix") {
    const auto newer = body("ILCE-9X", LibRawVersion{0, 21}, {"uncompressed", "compressed", "lossless"});
    const auto problem = bodyDecodeProblem(newer, {}, kDebian12, "0.20.2-Release");
    REQUIRE(problem);
    CHECK(contains(problem, "Sony ILCE-9X (a9 X)"));
    CHECK(contains(problem, "LibRaw 0.20.2-Release"));
    CHECK(contains(problem, "does not know this body (Sony model id 999)"));
    CHECK(contains(problem, "Fix: move to Raspberry Pi OS trixie / Debian 13, whose LibRaw 0.21.4 knows it"));
    // Debian 13 knows it: nothing to refuse, whatever types it offers.
    CHECK_FALSE(bodyDecodeProblem(newer, {}, kDebian13, "0.21.4-Release"));
    CHECK_FALSE(bodyDecodeProblem(newer, {"Lossless Compressed RAW"}, kDebian13, "0.21.4-Release"));

    // Known from 0.22 only: no Debian release helps, on 12 or 13.
    const auto newest = body("ILCE-9Y", LibRawVersion{0, 22}, {"uncompressed"});
    for (const auto series : {kDebian12, kDebian13}) {
        const auto text = bodyDecodeProblem(newest, {}, series, "0.2x");
        CHECK(contains(text, "Fix: none in Debian yet: LibRaw knows it from 0.22 on, and the newest Debian release, "
                             "Raspberry Pi OS trixie / Debian 13, ships LibRaw 0.21.4"));
    }
    CHECK_FALSE(bodyDecodeProblem(newest, {}, kLibRaw022, "0.22.2-Release"));

    // No release knows it.
    const auto unknown_everywhere = body("ILCE-9Z", std::nullopt, {"lossless"});
    CHECK(contains(bodyDecodeProblem(unknown_everywhere, {}, kLibRaw022, "0.22.2-Release"),
                   "Fix: none yet: no LibRaw release knows it (checked up to 0.22.2)"));

    // A row without LibRaw data is not refused for it (nothing known either way).
    BodyEntry unknown = body("ILCE-9W", std::nullopt, {"uncompressed"});
    unknown.libraw_known = false;
    CHECK_FALSE(bodyDecodeProblem(unknown, {}, kDebian12, "0.20.2"));
}

TEST_CASE("connect decision: a body that offers only undecodable RAW types is refused") {
    const auto lossless_only = body("ILCE-9L", LibRawVersion{0, 20}, {"lossless"});
    const auto problem = bodyDecodeProblem(lossless_only, {}, kDebian12, "0.20.2-Release");
    CHECK(contains(problem, "Sony ILCE-9L (a9 X) offers only Lossless Compressed RAW, which LibRaw 0.20.2-Release"));
    CHECK(contains(problem, "Fix: move to Raspberry Pi OS trixie / Debian 13, whose LibRaw 0.21.4 decodes it"));
    CHECK_FALSE(bodyDecodeProblem(lossless_only, {}, kDebian13, "0.21.4-Release"));

    // The body's own list wins over the data: it lists an uncompressed type after all.
    CHECK_FALSE(bodyDecodeProblem(lossless_only, {"Uncompressed RAW", "Lossless Compressed RAW"}, kDebian12, "0.20.2"));
    // Only the S and M sizes (colour images): no LibRaw helps; the body's menu may.
    const auto small = bodyDecodeProblem(lossless_only, {"Lossless Compressed RAW S", "Lossless Compressed RAW M"},
                                         kDebian13, "0.21.4");
    CHECK(contains(small, "offers only Lossless Compressed RAW S, Lossless Compressed RAW M"));
    CHECK(contains(small, "Fix: set the body to Uncompressed RAW or the L size"));
    // Lossless next to compressed is served (compressed, lossy).
    CHECK_FALSE(
        bodyDecodeProblem(body("ZV-E9", LibRawVersion{0, 20}, {"compressed", "lossless"}), {}, kDebian12, "0.20.2"));
}

TEST_CASE("connect decision: the RAW type the body is put on") {
    const std::vector<std::string> all{"Uncompressed RAW", "Compressed RAW", "Lossless Compressed RAW"};
    // Uncompressed first (exact); a lossless type LibRaw decodes stays (exact and smaller).
    CHECK(preferredRawType(all, "Compressed RAW", kDebian12) == "Uncompressed RAW");
    CHECK(preferredRawType(all, "Lossless Compressed RAW", kDebian12) == "Uncompressed RAW");
    CHECK(preferredRawType(all, "Lossless Compressed RAW", kDebian13) == "Lossless Compressed RAW");
    CHECK(preferredRawType(all, "Compressed RAW", kDebian13) == "Uncompressed RAW");
    // Without uncompressed: lossless where it decodes (the L size, never S or M), else compressed.
    const std::vector<std::string> no_plain{"Compressed RAW", "Lossless Compressed RAW S", "Lossless Compressed RAW L"};
    CHECK(preferredRawType(no_plain, "Compressed RAW", kDebian13) == "Lossless Compressed RAW L");
    CHECK(preferredRawType(no_plain, "Lossless Compressed RAW S", kDebian12) == "Compressed RAW");
    // Nothing decodable: no choice (the camera refuses the body).
    CHECK_FALSE(preferredRawType({"Lossless Compressed RAW"}, "Lossless Compressed RAW", kDebian12));
    CHECK(preferredRawType({"Lossless Compressed RAW"}, "", kDebian13) == "Lossless Compressed RAW");
    CHECK_FALSE(preferredRawType({}, "", kDebian13));
}

TEST_CASE("connect decision: the shipped data, per Debian release") {
    const auto bodies = BodyDatabase::load(findDataFile("sony-bodies.json"));
    auto problem = [&](const char* model, LibRawVersion series) {
        const BodyEntry* entry = bodies.find(model);
        REQUIRE(entry != nullptr);
        return bodyDecodeProblem(*entry, {}, series, series == kDebian12 ? "0.20.2-Release" : "0.21.4-Release");
    };
    CHECK_FALSE(problem("ILCE-7M3", kDebian12));
    CHECK(contains(problem("ILCE-7M4", kDebian12), "whose LibRaw 0.21.4 knows it"));
    CHECK_FALSE(problem("ILCE-7M4", kDebian13));
    CHECK(contains(problem("ILCE-7RM5", kDebian13), "none in Debian yet"));
    CHECK(contains(problem("ILCE-7M5", kDebian13), "none yet: no LibRaw release knows it"));
    // Every row: refused exactly where the data says LibRaw does not know it (no row offers only
    // undecodable types while known).
    for (const auto& entry : bodies.bodies()) {
        CAPTURE(entry.model);
        for (const auto series : {kDebian12, kDebian13})
            CHECK(problem(entry.model.c_str(), series).has_value() != entry.librawKnows(series.major, series.minor));
    }
}

TEST_CASE("the running LibRaw's series matches its version text") {
    const LibRawVersion series = libRawSeries();
    const std::string text = std::to_string(series.major) + "." + std::to_string(series.minor) + ".";
    CHECK(libRawVersion().starts_with(text));
    CHECK(decodesSonyLossless() == (series.major > 0 || series.minor >= 21));
}
