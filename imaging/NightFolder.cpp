// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/NightFolder.hpp"

#include "config/TimeText.hpp"

namespace sonyalpaca::imaging {

std::string observingNight(std::chrono::system_clock::time_point when) {
    const std::tm local = timetext::localFields(when);
    using namespace std::chrono;
    sys_days day = year{local.tm_year + 1900} / month{static_cast<unsigned>(local.tm_mon + 1)} /
                   std::chrono::day{static_cast<unsigned>(local.tm_mday)};
    if (local.tm_hour < 12) day -= days{1};  // before noon: still last night
    return timetext::utc(day, "%Y-%m-%d");   // a sys_days is that date's midnight in UTC
}

std::filesystem::path nightFolder(const std::filesystem::path& base, std::chrono::system_clock::time_point when) {
    return base / observingNight(when);
}

}  // namespace sonyalpaca::imaging
