// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace sonyalpaca::imaging {

/// The date of the observing night that `when` belongs to, "YYYY-MM-DD" in local time (the TZ of
/// the process). A night runs from noon to noon, the usual convention of astronomy software, so
/// every frame of one night shares a date: 21:00 on 26 November and 04:00 on 27 November are both
/// the night of 2026-11-26; 12:00 on 27 November starts the night of 2026-11-27. The rule works on
/// the local calendar date and hour, so daylight-saving changes do not move it.
std::string observingNight(std::chrono::system_clock::time_point when);

/// base / observingNight(when): the folder for frames taken at `when`. Does not create it
/// (writeFits creates missing folders).
std::filesystem::path nightFolder(const std::filesystem::path& base, std::chrono::system_clock::time_point when);

}  // namespace sonyalpaca::imaging
