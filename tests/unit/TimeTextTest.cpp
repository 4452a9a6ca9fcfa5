// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/TimeText.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <string>

using namespace sonyalpaca;
using namespace std::chrono;

namespace {
/// 2026-11-26 21:53:01.123 UTC.
const system_clock::time_point kWhen = sys_days{year{2026} / 11 / 26} + 21h + 53min + 1s + 123ms;

/// Sets TZ for the scope of a test and puts the old one back.
class ZoneForTest {
public:
    explicit ZoneForTest(const char* zone) {
        if (const char* old = std::getenv("TZ")) saved_ = old;
        ::setenv("TZ", zone, 1);
        ::tzset();
    }
    ~ZoneForTest() {
        if (saved_)
            ::setenv("TZ", saved_->c_str(), 1);
        else
            ::unsetenv("TZ");
        ::tzset();
    }

private:
    std::optional<std::string> saved_;
};
}  // namespace

TEST_CASE("time text in UTC: the state file's stamp, the page's clock, the simulator's EXIF time") {
    const ZoneForTest zone("CET-1CEST,M3.5.0,M10.5.0/3");  // UTC whatever the zone
    CHECK(timetext::utc(kWhen, "%Y-%m-%dT%H:%M:%SZ") == "2026-11-26T21:53:01Z");
    CHECK(timetext::utc(kWhen, "%H:%M:%S") == "21:53:01");
    CHECK(timetext::utc(kWhen, "%Y:%m:%d %H:%M:%S") == "2026:11:26 21:53:01");
    CHECK(timetext::utc(sys_days{year{2028} / 2 / 29}, "%Y-%m-%d") == "2028-02-29");
}

TEST_CASE("ISO 8601 UTC with milliseconds, as LastExposureStartTime and DATE-OBS write it") {
    CHECK(timetext::isoUtcMillis(kWhen) == "2026-11-26T21:53:01.123");
    CHECK(timetext::isoUtcMillis(sys_days{year{2026} / 1 / 2} + 3h + 4min + 5s + 6ms) == "2026-01-02T03:04:05.006");
    CHECK(timetext::isoUtcMillis(sys_days{year{2026} / 1 / 2}) == "2026-01-02T00:00:00.000");
    // Cut to the millisecond, never rounded up into the next second.
    CHECK(timetext::isoUtcMillis(kWhen + 876ms + 999us) == "2026-11-26T21:53:01.999");
}

TEST_CASE("time text in local time: file names, learned lens ids, the local calendar fields") {
    const ZoneForTest zone("CET-1CEST,M3.5.0,M10.5.0/3");
    CHECK(timetext::local(kWhen, "%Y-%m-%dT%H%M%S") == "2026-11-26T225301");
    CHECK(timetext::local(kWhen, "learned-%Y%m%d-%H%M") == "learned-20261126-2253");
    CHECK(timetext::local(sys_days{year{2026} / 7 / 1}, "%H:%M") == "02:00");  // summer time
    const std::tm fields = timetext::localFields(kWhen);
    CHECK(fields.tm_year == 126);
    CHECK(fields.tm_mon == 10);
    CHECK(fields.tm_mday == 26);
    CHECK(fields.tm_hour == 22);
}
