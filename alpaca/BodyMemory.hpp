// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace sonyalpaca::alpaca {

/// What the daemon saw of each body on earlier connections, kept in the state directory, so that a
/// fresh start knows it before the first image: the lens the body carried last, and the frame size
/// it delivered in each sensor mode. Keyed by the body's model and serial number. Thread-safe; a
/// damaged file is moved aside (FILE.damaged) and logged; a file that cannot be written is logged,
/// never fatal (the memory only saves a first exposure).
class BodyMemory {
public:
    /// The sensor area a frame comes from: the whole sensor, or a full-frame body's APS-C/Super 35mm crop.
    enum class Mode { Full, Apsc };
    struct Size {
        unsigned width = 0;
        unsigned height = 0;
        friend bool operator==(const Size&, const Size&) = default;
    };

    explicit BodyMemory(std::filesystem::path file);

    /// The key of a body: "MODEL SERIAL" (the model alone when there is no serial number).
    static std::string keyOf(const std::string& model, const std::string& serial);
    static const char* modeName(Mode mode) { return mode == Mode::Apsc ? "apsc" : "full"; }

    std::optional<std::string> lens(const std::string& body) const;
    void rememberLens(const std::string& body, const std::string& lens);
    std::optional<Size> frameSize(const std::string& body, Mode mode) const;
    void rememberFrameSize(const std::string& body, Mode mode, Size size);

private:
    struct Entry {
        std::string lens;
        std::map<std::string, Size> sizes;  // by modeName
    };
    void save() const;  // mutex_ held

    std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> bodies_;
};

}  // namespace sonyalpaca::alpaca
