// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <ctime>
#include <string>

/// Times as text, in one place: strftime in UTC or in local time (the TZ of the process).
namespace sonyalpaca::timetext {

/// The calendar fields of `when` in local time (localtime_r), for code that works on the local date
/// and hour (imaging::observingNight).
std::tm localFields(std::chrono::system_clock::time_point when);

/// `when` in UTC through strftime's `format`, to the whole second: utc(t, "%Y-%m-%dT%H:%M:%SZ") is
/// "2026-11-26T21:53:01Z". The text is at most 63 characters (longer gives "").
std::string utc(std::chrono::system_clock::time_point when, const char* format);

/// `when` in local time through strftime's `format`, to the whole second: local(t, "%Y-%m-%dT%H%M%S")
/// is "2026-11-26T215301" (file names). At most 63 characters.
std::string local(std::chrono::system_clock::time_point when, const char* format);

/// UTC with milliseconds, as Alpaca's LastExposureStartTime and FITS's DATE-OBS write it:
/// "2026-11-26T21:53:01.123".
std::string isoUtcMillis(std::chrono::system_clock::time_point when);

}  // namespace sonyalpaca::timetext
