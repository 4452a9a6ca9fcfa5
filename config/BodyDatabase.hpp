// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonyalpaca::config {

/// The sizes of a full-frame body's APS-C / Super 35 mode; 0 where not known (the data says why).
struct ApscMode {
    int raw_width = 0;  ///< LibRaw's raw_width x raw_height of an uncompressed APS-C file
    int raw_height = 0;
    int crop_width = 0;  ///< the APS-C file's Sony DefaultCrop size
    int crop_height = 0;
    int image_width = 0;  ///< Sony's APS-C image size
    int image_height = 0;
};

/// A LibRaw release series, e.g. 0.21.
struct LibRawVersion {
    int major = 0;
    int minor = 0;
    friend constexpr bool operator==(const LibRawVersion&, const LibRawVersion&) = default;
};

/// One Sony body of the shipped database (sony-bodies.json; docs/BODIES.md explains the fields and
/// their sources). Some rows lack the ISO list or the shutter codes: those fields are then empty.
struct BodyEntry {
    std::string model;                       ///< PTP model string, e.g. "ILCE-7M3"
    std::vector<std::string> model_aliases;  ///< other model strings of the same body, e.g. "ILCE-6001"
    int sony_model_id = 0;                   ///< maker-note tag 0xB001; 0 when unknown
    std::string display_name;                ///< e.g. "a7 III"
    std::string sensor_format;               ///< "full-frame", "aps-c", "1-inch"; empty when absent
    double sensor_width_mm = 0;              ///< 0 when absent
    std::string sensor_name;                 ///< e.g. "Exmor R CMOS"; empty when absent
    double pixel_size_x_um = 0;
    double pixel_size_y_um = 0;
    int raw_width = 0;  ///< LibRaw's raw_width x raw_height of an uncompressed file; the visible size when absent
    int raw_height = 0;
    /// LibRaw's visible area (width x height) of that file, what the daemon serves: "visible_width"
    /// in the file ("sensor_width" in files of the old layout).
    int sensor_width = 0;
    int sensor_height = 0;
    int cropped_width = 0;  ///< Sony's DefaultCrop ("default_crop_width"); the visible size when absent
    int cropped_height = 0;
    int lossless_raw_width = 0;  ///< tile-padded raw size of a lossless file; 0 when the body has none or unknown
    int lossless_raw_height = 0;
    std::optional<ApscMode> apsc;  ///< full-frame bodies only
    /// RAW file types the body offers ("uncompressed", "compressed", "lossless"), best knowledge, and
    /// those a real sample file proves.
    std::vector<std::string> raw_types;
    std::vector<std::string> raw_types_seen;
    /// The first LibRaw release series that knows the body's model id; empty when no release does.
    std::optional<LibRawVersion> libraw_min;
    /// Whether this row says anything about LibRaw at all ("libraw_min" present, even as null).
    bool libraw_known = false;
    /// libgphoto2: PC-control USB product ids, and the Sony protocol generation per release (release
    /// "2.5.31" → 2 or 3; 0 = negotiated with the body), ascending by release.
    std::vector<std::string> usb_ids;
    std::vector<std::pair<std::string, int>> gphoto_protocol;
    double exposure_min_s = 0;
    double exposure_max_s = 0;
    /// Shutter-speed property values (numerator << 16 | denominator; 0 = BULB), longest first.
    std::vector<std::uint32_t> shutter_codes;
    /// ISO choices; 0xFFFFFF stands for AUTO, as Sony encodes it.
    std::vector<std::uint32_t> isos;

    /// The raw size (width, height) of an uncompressed APS-C/Super 35mm file of a full-frame body:
    /// the data's where a sample file gave it; else estimated from Sony's APS-C image size with the
    /// margins of the ILCE-9M3's sample (+32 columns, +24 rows around the same 3936x2624 image),
    /// the width rounded up to a multiple of 32 as every Sony raw width is (5168 → 5216, LibRaw's
    /// figure for the a7R II/III in APS-C mode);
    /// nullopt when the body has no APS-C mode or neither size is known.
    std::optional<std::pair<int, int>> apscRawSize() const;
    /// "Sony ILCE-7M4 (a7 IV)": the model and, where it differs, the display name.
    std::string fullName() const;
    /// True if `type` ("uncompressed", "compressed", "lossless") is one the body offers.
    bool offersRawType(std::string_view type) const;
    /// True if LibRaw `major.minor` knows the body's model id; false when the row says no release does.
    /// A row without LibRaw data counts as known.
    bool librawKnows(int major, int minor) const;
    /// The Sony protocol generation libgphoto2 `version` ("2.5.31") opens the body in: 2, 3, or 0 when
    /// that release negotiates it with the body; -1 when the row has no protocol data or the release is
    /// older than every release listed.
    int gphotoProtocol(std::string_view version) const;
};

/// The RAW file type names the database uses.
inline constexpr std::string_view kRawTypeNames[] = {"uncompressed", "compressed", "lossless"};

/// The shipped body facts.
class BodyDatabase {
public:
    /// Loads and validates; throws std::runtime_error naming the file, the body and the field.
    static BodyDatabase load(const std::filesystem::path& path);

    const std::vector<BodyEntry>& bodies() const { return bodies_; }
    /// The body whose model string or one of its aliases equals `model` (ASCII case-insensitive), or nullptr.
    const BodyEntry* find(std::string_view model) const;
    /// The body with Sony model id `id`, or nullptr.
    const BodyEntry* findById(int id) const;
    /// The model strings, comma separated, for error messages.
    std::string models() const;

private:
    std::vector<BodyEntry> bodies_;
};

/// Sony's ISO code for AUTO.
inline constexpr std::uint32_t kIsoAuto = 0xFFFFFF;

/// Compares two dotted version strings numerically ("2.5.9" < "2.5.31"); <0, 0 or >0.
int compareVersions(std::string_view a, std::string_view b);

}  // namespace sonyalpaca::config
