// SPDX-License-Identifier: GPL-3.0-or-later
// The per-body decode proof (issue 15, item 3). For every body of data/sony-bodies.json and every RAW
// file type it offers, an ARW is written as that body writes it as far as the simulator's writer
// imitates bodies: its model string, its Sony model id (maker note 0xB001), its real raw size (the
// lossless size where the type is lossless) and levels 512 / 15360. The LibRaw this build links
// decodes it, and so does the daemon's decoder (imaging/RawDecoder); both are compared with the
// values written.
//
// Full size, never a reduced sensor: LibRaw picks its visible area by the exact raw size (a 6048-wide
// readout keeps 6024 columns, 0.21's lossless a7 IV rule needs exactly 7168x5120, the 5504 rule looks
// at the height), so a reduced file would be cropped by no rule at all and prove nothing about a body.
//
// What is expected comes from the data, so that the test fails when the data and LibRaw disagree:
//  - LibRaw knows the body's model id iff the running series is at least the row's "libraw_min"
//    (a probe file whose IFD0 Model is a decoy: LibRaw renames it only when it knows the id);
//  - where it knows the id and decodes the type (lossless needs 0.21), the file decodes exactly: LibRaw's
//    visible area is the row's visible size at (0, 0), black 512, white 15360, every raw value as
//    written (cRAW: as its lossy coding keeps it), and the daemon's frame holds the visible values;
//  - where it knows the id but not the type (lossless on 0.20), the daemon's decoder refuses the file;
//  - where it does not know the id, the daemon refuses the body at connect (config::bodyDecodeProblem)
//    and the file's fate is recorded, not required.
// The results go to stdout as a table and to Testing/artifacts/decode-proof/libraw-<version>.json,
// from which scripts/decode-proof-table.py writes the table in docs/BODIES.md.
#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "config/DecodeSupport.hpp"
#include "config/RawTypes.hpp"
#include "imaging/RawDecoder.hpp"
#include "ptp/sim/sky/ArwFile.hpp"

#include <doctest/doctest.h>
#include <libraw/libraw.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace sonyalpaca;
using config::BodyEntry;
using ptp::sim::ArwFile;
using ptp::sim::ArwInfo;
using ptp::sim::ArwKind;
using ptp::sim::RawImage;
using ptp::sim::SensorLayout;

namespace {

constexpr unsigned kBlack = 512;
constexpr unsigned kWhite = 15360;
constexpr const char* kDecoyModel = "SONYALPACA-ID-PROBE";

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

std::string size(unsigned width, unsigned height) { return std::to_string(width) + "x" + std::to_string(height); }

/// Where the written values lie. The body's readout is raw_width x raw_height; LibRaw should keep
/// visible_width x visible_height of it at (0, 0) (the data's visible size); a lossless file pads
/// the readout to whole 512-pixel tiles at the black level, as bodies do.
struct Geometry {
    unsigned file_width = 0;  ///< the file's raw size (lossless: tile-padded)
    unsigned file_height = 0;
    unsigned readout_width = 0;
    unsigned readout_height = 0;
    unsigned visible_width = 0;
    unsigned visible_height = 0;
    unsigned crop_width = 0;  ///< Sony's DefaultCrop, centred in the visible area on even offsets
    unsigned crop_height = 0;
};

/// The value written at (x, y): the visible area holds values spread over the whole range (each
/// photosite its own, so that a crop or a row moved by one is seen), from a little below black to
/// just below white; the columns and rows LibRaw should drop hold values near black, as masked
/// photosites do; the tile padding of a lossless file is black.
std::uint16_t written(const Geometry& g, unsigned x, unsigned y, std::uint64_t seed) {
    if (x >= g.readout_width || y >= g.readout_height) return kBlack;
    const std::uint64_t h = mix(seed ^ (std::uint64_t{y} << 32) ^ x);
    if (x < g.visible_width && y < g.visible_height) return static_cast<std::uint16_t>(480 + h % (kWhite - 480));
    return static_cast<std::uint16_t>(500 + h % 32);
}

RawImage imageOf(const Geometry& g, std::uint64_t seed) {
    RawImage image;
    auto even = [](unsigned v) { return v / 2 * 2; };
    image.layout = SensorLayout{g.file_width,
                                g.file_height,
                                even((g.visible_width - g.crop_width) / 2),
                                even((g.visible_height - g.crop_height) / 2),
                                g.crop_width,
                                g.crop_height};
    image.pixels.resize(image.layout.pixelCount());
    for (unsigned y = 0; y < g.file_height; ++y)
        for (unsigned x = 0; x < g.file_width; ++x)
            image.pixels[std::size_t{y} * g.file_width + x] = written(g, x, y, seed);
    image.black_level = kBlack;
    image.white_level = kWhite;
    return image;
}

ArwInfo infoOf(const BodyEntry& body, const std::string& model) {
    ArwInfo info;
    info.model = model;
    info.camera_id = static_cast<std::uint16_t>(body.sony_model_id);
    info.exposure_s = 30.0;
    info.iso = 800;
    info.date_time = "2026:01:15 22:30:00";
    return info;
}

/// What LibRaw makes of a file, and how its raw values compare with `expected(x, y)`.
// TODO(code shape, issue 17): LibRawDecode.hpp's LibRawResult reads the same LibRaw fields into a
// full copy of the mosaic; this view compares in place (44 bodies at full size would not fit in
// memory twice). One reader with both modes would end the duplicate that `duplicates` reports.
struct LibRawView {
    int open_status = -1;
    int unpack_status = -1;
    std::string model;
    std::string decoder;
    unsigned raw_width = 0;
    unsigned raw_height = 0;
    unsigned width = 0;
    unsigned height = 0;
    unsigned left = 0;
    unsigned top = 0;
    int colour_at_origin = -1;
    unsigned filters = 0;
    unsigned black = 0;
    unsigned maximum = 0;
    bool has_mosaic = false;
    std::size_t compared = 0;   ///< raw values compared: where LibRaw's readout and the written one overlap
    std::size_t differing = 0;  ///< of those, values unlike the written ones
    std::string first_difference;
};

/// `expected` is asked only inside the written `width` x `height`.
template <typename Expected>
LibRawView libRawView(std::vector<std::uint8_t>& file, unsigned width, unsigned height, Expected expected) {
    LibRawView view;
    auto raw = std::make_unique<LibRaw>(0U);
    view.open_status = raw->open_buffer(file.data(), file.size());
    if (view.open_status != LIBRAW_SUCCESS) return view;
    const libraw_data_t& d = raw->imgdata;
    view.model = d.idata.model;
    view.unpack_status = raw->unpack();
    libraw_decoder_info_t info{};
    if (raw->get_decoder_info(&info) == LIBRAW_SUCCESS && info.decoder_name != nullptr)
        view.decoder = info.decoder_name;
    view.raw_width = d.sizes.raw_width;
    view.raw_height = d.sizes.raw_height;
    view.width = d.sizes.width;
    view.height = d.sizes.height;
    view.left = d.sizes.left_margin;
    view.top = d.sizes.top_margin;
    view.filters = d.idata.filters;
    view.colour_at_origin = raw->COLOR(0, 0);
    view.black = d.color.black + *std::min_element(d.color.cblack, d.color.cblack + 4);
    view.maximum = d.color.maximum;
    view.has_mosaic = view.unpack_status == LIBRAW_SUCCESS && d.rawdata.raw_image != nullptr;
    if (!view.has_mosaic) return view;
    const std::size_t pitch = d.sizes.raw_pitch / 2;
    view.compared = std::size_t{std::min(view.raw_width, width)} * std::min(view.raw_height, height);
    for (unsigned y = 0; y < std::min(view.raw_height, height); ++y) {
        const std::uint16_t* row = d.rawdata.raw_image + y * pitch;
        for (unsigned x = 0; x < std::min(view.raw_width, width); ++x) {
            if (row[x] == expected(x, y)) continue;
            if (view.differing++ == 0)
                view.first_difference = "(" + std::to_string(x) + "," + std::to_string(y) + ") is " +
                                        std::to_string(row[x]) + ", written " + std::to_string(expected(x, y));
        }
    }
    return view;
}

/// Whether the LibRaw that runs knows `body`'s Sony model id: a small file whose IFD0 Model is a
/// decoy; LibRaw replaces the Model by its own name of the id only when it knows the id. Its name of
/// the body, or nothing.
std::optional<std::string> libRawNameOf(const BodyEntry& body) {
    Geometry g{640, 424, 640, 424, 640, 424, 616, 400};
    const RawImage image = imageOf(g, 1);
    std::vector<std::uint8_t> file = ptp::sim::writeArw(image, infoOf(body, kDecoyModel), ArwKind::Uncompressed);
    auto raw = std::make_unique<LibRaw>(0U);
    REQUIRE(raw->open_buffer(file.data(), file.size()) == LIBRAW_SUCCESS);
    const std::string model = raw->imgdata.idata.model;
    if (model == kDecoyModel) return std::nullopt;
    return model;
}

ArwKind kindOf(const std::string& type) {
    if (type == "uncompressed") return ArwKind::Uncompressed;
    if (type == "compressed") return ArwKind::Compressed;
    return ArwKind::Lossless;
}

Geometry geometryOf(const BodyEntry& body, ArwKind kind) {
    Geometry g;
    g.readout_width = static_cast<unsigned>(body.raw_width);
    g.readout_height = static_cast<unsigned>(body.raw_height);
    g.visible_width = static_cast<unsigned>(body.sensor_width);
    g.visible_height = static_cast<unsigned>(body.sensor_height);
    g.crop_width = static_cast<unsigned>(body.cropped_width);
    g.crop_height = static_cast<unsigned>(body.cropped_height);
    g.file_width = g.readout_width;
    g.file_height = g.readout_height;
    if (kind == ArwKind::Lossless) {
        const unsigned tile = ptp::sim::SonyLosslessCodec::kTileSize;
        g.file_width = body.lossless_raw_width > 0 ? static_cast<unsigned>(body.lossless_raw_width)
                                                   : (g.readout_width + tile - 1) / tile * tile;
        g.file_height = body.lossless_raw_height > 0 ? static_cast<unsigned>(body.lossless_raw_height)
                                                     : (g.readout_height + tile - 1) / tile * tile;
    }
    return g;
}

/// One file's fate.
struct FileResult {
    std::string type;
    Geometry geometry;
    std::size_t bytes = 0;
    LibRawView libraw;
    std::optional<std::string> daemon_refusal;  ///< the daemon's decoder threw DecodeError
    std::string daemon_frame;                   ///< "6024x4024", when it served one
    std::size_t daemon_differing = 0;
    std::vector<std::string> problems;  ///< empty: exact
    /// In a word, the worst of them: "exact", "not decoded" (LibRaw fails, or no mosaic), "garbage"
    /// (another readout size, or values unlike those written), "wrong crop", "wrong levels",
    /// "refused by the daemon".
    std::string verdict = "exact";
    double seconds = 0;

    /// Notes a problem of kind `kind`; the verdict keeps the worst kind seen.
    void note(const std::string& kind, const std::string& text) {
        static const std::vector<std::string> worst_first{
            "not decoded", "garbage", "wrong crop", "wrong levels", "refused by the daemon", "exact"};
        problems.push_back(text);
        const auto rank = [](const std::string& k) { return std::find(worst_first.begin(), worst_first.end(), k); };
        if (rank(kind) < rank(verdict)) verdict = kind;
    }

    std::string outcome() const {
        if (problems.empty()) return "exact";
        std::string text;
        for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
        return text;
    }
};

FileResult prove(const BodyEntry& body, const std::string& type, std::uint64_t seed) {
    const auto started = std::chrono::steady_clock::now();
    FileResult result;
    result.type = type;
    const ArwKind kind = kindOf(type);
    const Geometry g = geometryOf(body, kind);
    result.geometry = g;
    std::vector<std::uint8_t> bytes;
    std::vector<std::uint16_t> coded;  // cRAW: the values its lossy coding keeps
    {
        const ArwFile file(imageOf(g, seed), infoOf(body, body.model), kind);
        bytes = file.bytes();
        if (kind == ArwKind::Compressed) coded = file.decodedValues();
    }
    result.bytes = bytes.size();
    auto expected = [&](unsigned x, unsigned y) -> std::uint16_t {
        if (!coded.empty()) return coded[std::size_t{y} * g.file_width + x];
        return written(g, x, y, seed);
    };

    // LibRaw on its own.
    const LibRawView& v = result.libraw = libRawView(bytes, g.file_width, g.file_height, expected);
    const auto& problems = result.problems;
    if (v.open_status != LIBRAW_SUCCESS) {
        result.note("not decoded", std::string("LibRaw refuses to open it (") + libraw_strerror(v.open_status) + ")");
    } else if (v.unpack_status != LIBRAW_SUCCESS) {
        result.note("not decoded", std::string("LibRaw fails to unpack it (") + libraw_strerror(v.unpack_status) + ")");
    } else if (!v.has_mosaic || v.filters == 0) {
        result.note("not decoded", "LibRaw returns no Bayer mosaic");
    } else {
        if (v.raw_width != g.file_width || v.raw_height != g.file_height)
            result.note("garbage", "LibRaw reads a " + size(v.raw_width, v.raw_height) + " readout, " +
                                       size(g.file_width, g.file_height) + " written");
        if (v.width != g.visible_width || v.height != g.visible_height || v.left != 0 || v.top != 0)
            result.note("wrong crop", "wrong crop: LibRaw keeps " + size(v.width, v.height) + " at (" +
                                          std::to_string(v.left) + "," + std::to_string(v.top) + "), the data says " +
                                          size(g.visible_width, g.visible_height));
        if (v.colour_at_origin != 0) result.note("wrong crop", "the mosaic does not start with red");
        if (v.black != kBlack) result.note("wrong levels", "black level " + std::to_string(v.black) + ", 512 written");
        if (v.maximum != kWhite)
            result.note("wrong levels", "white level " + std::to_string(v.maximum) + ", 15360 written");
        if (v.differing > 0)
            result.note("garbage", std::to_string(v.differing) + " of " + std::to_string(v.compared) +
                                       " raw values differ (first: " + v.first_difference + ")");
    }

    // The daemon's decoder: it serves LibRaw's visible area, RGGB from (0, 0), or refuses.
    try {
        const imaging::RawFrame frame = imaging::decodeArw(std::span<const std::uint8_t>(bytes));
        const auto& m = frame.metadata;
        result.daemon_frame = size(frame.image.width, frame.image.height);
        for (unsigned y = 0; y < frame.image.height; ++y)
            for (unsigned x = 0; x < frame.image.width; ++x) {
                const unsigned rx = m.crop_left + x;
                const unsigned ry = m.crop_top + y;
                const std::uint16_t want =
                    rx < g.file_width && ry < g.file_height ? std::min<std::uint16_t>(expected(rx, ry), 16383) : 0;
                result.daemon_differing += frame.image.pixels[std::size_t{y} * frame.image.width + x] != want;
            }
        if (problems.empty()) {
            // LibRaw was exact: the frame must be its visible area, with its levels.
            if (frame.image.width != (g.visible_width & ~1U) || frame.image.height != (g.visible_height & ~1U) ||
                m.crop_left != 0 || m.crop_top != 0)
                result.note("wrong crop", "the daemon serves " + result.daemon_frame + " at (" +
                                              std::to_string(m.crop_left) + "," + std::to_string(m.crop_top) + ")");
            if (m.black_level != kBlack || m.white_level != kWhite)
                result.note("wrong levels", "the daemon reports black " + std::to_string(m.black_level) + ", white " +
                                                std::to_string(m.white_level));
            if (result.daemon_differing > 0)
                result.note("garbage", "the daemon's frame has " + std::to_string(result.daemon_differing) +
                                           " values unlike those written");
        }
    } catch (const imaging::DecodeError& e) {
        result.daemon_refusal = e.what();
        if (problems.empty())
            result.note("refused by the daemon", std::string("the daemon's decoder refuses it: ") + e.what());
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

/// Short names for the table.
const char* letter(const std::string& type) { return type == "uncompressed" ? "U" : type == "compressed" ? "C" : "L"; }

std::string versionText(const std::optional<config::LibRawVersion>& v) {
    return v ? std::to_string(v->major) + "." + std::to_string(v->minor) : "none";
}

std::filesystem::path artifactDirectory() {
    if (const char* dir = std::getenv("SONYALPACA_DECODE_PROOF_DIR"); dir != nullptr && *dir != '\0') return dir;
    return SONYALPACA_DECODE_PROOF_DIR;
}

std::string osName() {
    std::ifstream in("/etc/os-release");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("PRETTY_NAME=")) {
            std::string value = line.substr(12);
            if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
            return value;
        }
    return "unknown";
}

}  // namespace

TEST_CASE("decode proof: every body's ARW, every RAW type it offers, through the LibRaw this build links") {
    const auto database = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    const config::LibRawVersion series = config::libRawSeries();
    const std::string version = config::libRawVersion();
    // SONYALPACA_DECODE_PROOF_BODIES="ILCE-7M4,ILCE-1" limits the run to those rows (while working on
    // them). Under AddressSanitizer (a Debug build, many times slower) two bodies stand for all, one
    // with each RAW type: the full proof is the normal build's.
    std::string only;
    if (const char* list = std::getenv("SONYALPACA_DECODE_PROOF_BODIES")) only = std::string(",") + list + ",";
#if defined(__SANITIZE_ADDRESS__)
    if (only.empty()) only = ",ILCE-7M3,ILCE-7M4,";
#endif

    nlohmann::json report;
    report["libraw_version"] = version;
    report["libraw_series"] = std::to_string(series.major) + "." + std::to_string(series.minor);
    report["os"] = osName();
    report["sensor"] = "full size: each body's raw size from the data (lossless: its tile-padded size)";
    report["bodies"] = nlohmann::json::array();
    std::ostringstream table;
    table << "decode proof with LibRaw " << version << " on " << osName() << "\n";

    std::size_t files = 0;
    std::uint64_t seed = 0x5eed;
    for (const BodyEntry& body : database.bodies()) {
        if (!only.empty() && only.find("," + body.model + ",") == std::string::npos) continue;
        CAPTURE(body.model);
        const bool knows = body.librawKnows(series.major, series.minor);
        const std::optional<std::string> libraw_name = libRawNameOf(body);
        // The data and LibRaw must agree on whether LibRaw knows the body's model id.
        INFO("libraw_min is ", versionText(body.libraw_min), "; LibRaw ", version, " names the id ",
             libraw_name.value_or("(unknown to it)"));
        CHECK(libraw_name.has_value() == knows);

        // What the daemon does at connect, the body offering the data's RAW types.
        std::vector<std::string> offered;
        for (const auto& type : body.raw_types) offered.push_back(config::rawTypeLabel(type));
        const auto refusal = config::bodyDecodeProblem(body, offered, series, version);
        const auto chosen = config::preferredRawType(offered, "", series);
        if (!knows) CHECK(refusal.has_value());

        nlohmann::json row;
        row["model"] = body.model;
        row["display_name"] = body.display_name;
        row["sony_model_id"] = body.sony_model_id;
        row["libraw_min"] = versionText(body.libraw_min);
        row["libraw_knows_id"] = libraw_name.has_value();
        row["libraw_name"] = libraw_name.value_or("");
        row["raw_types"] = body.raw_types;
        row["connect_refused"] = refusal.has_value();
        row["connect_refusal"] = refusal.value_or("");
        row["connect_raw_type"] = refusal ? "" : chosen.value_or("");
        row["files"] = nlohmann::json::array();
        table << body.model << " (id " << body.sony_model_id << ", libraw_min " << versionText(body.libraw_min)
              << "): LibRaw " << (libraw_name ? "knows the id as " + *libraw_name : std::string("does not know the id"))
              << "; connect " << (refusal ? "refused" : "accepted, " + chosen.value_or("as it is")) << "\n";

        for (const std::string& type : body.raw_types) {
            CAPTURE(type);
            const FileResult r = prove(body, type, ++seed);
            ++files;
            const bool decodable = type != "lossless" || config::decodesSonyLossless(series);
            if (knows && decodable) {
                // Known id, decodable type: exact, or the data (or LibRaw) is wrong.
                CHECK_MESSAGE(r.problems.empty(), r.outcome());
            } else if (knows) {
                // Lossless on LibRaw 0.20: the daemon's decoder refuses it, never serves a frame.
                CHECK(r.daemon_refusal.has_value());
            }
            nlohmann::json f;
            f["type"] = type;
            f["raw"] = size(r.geometry.file_width, r.geometry.file_height);
            f["bytes"] = r.bytes;
            f["outcome"] = r.outcome();
            f["verdict"] = r.verdict;
            f["visible_in_data"] = size(r.geometry.visible_width, r.geometry.visible_height);
            f["libraw"] = {{"open", r.libraw.open_status},
                           {"unpack", r.libraw.unpack_status},
                           {"decoder", r.libraw.decoder},
                           {"model", r.libraw.model},
                           {"raw", size(r.libraw.raw_width, r.libraw.raw_height)},
                           {"visible", size(r.libraw.width, r.libraw.height)},
                           {"margins", {r.libraw.left, r.libraw.top}},
                           {"black", r.libraw.black},
                           {"maximum", r.libraw.maximum},
                           {"values_differing", r.libraw.differing}};
            f["daemon"] = {{"frame", r.daemon_frame},
                           {"refused", r.daemon_refusal.value_or("")},
                           {"values_differing", r.daemon_differing}};
            row["files"].push_back(f);
            char seconds[16];
            std::snprintf(seconds, sizeof seconds, "%.1f s", r.seconds);
            table << "  " << letter(type) << " " << f["raw"].get<std::string>() << ": " << r.outcome() << " ("
                  << seconds << ")\n";
        }
        report["bodies"].push_back(row);
    }
    CHECK(files > 0);

    std::cout << table.str() << std::flush;
    if (only.empty()) {
        const auto dir = artifactDirectory();
        std::filesystem::create_directories(dir);
        const auto path = dir / ("libraw-" + report["libraw_series"].get<std::string>() + ".json");
        std::ofstream(path) << report.dump(1) << "\n";
        std::cout << "decode proof: results written to " << path.string() << "\n";
    }
}
