// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/TimeText.hpp"

#include <cstdio>

namespace sonyalpaca::timetext {
namespace {
std::string formatted(const std::tm& fields, const char* format) {
    char text[64];
    return {text, std::strftime(text, sizeof text, format, &fields)};
}
}  // namespace

std::tm localFields(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm fields{};
    ::localtime_r(&seconds, &fields);
    return fields;
}

std::string utc(std::chrono::system_clock::time_point when, const char* format) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm fields{};
    ::gmtime_r(&seconds, &fields);
    return formatted(fields, format);
}

std::string local(std::chrono::system_clock::time_point when, const char* format) {
    return formatted(localFields(when), format);
}

std::string isoUtcMillis(std::chrono::system_clock::time_point when) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>(ms % 1000));
    return utc(when, "%Y-%m-%dT%H:%M:%S") + millis;
}

}  // namespace sonyalpaca::timetext
