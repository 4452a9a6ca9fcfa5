// SPDX-License-Identifier: GPL-3.0-or-later
// imaging/ files: FITS files written and read back with cfitsio, and the folder per observing night.
#include "imaging/FitsWriter.hpp"
#include "imaging/NightFolder.hpp"

#include "ImagingFrames.hpp"

#include <doctest/doctest.h>
#include <fitsio.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace sonyalpaca::imaging;
using sonyalpaca::test::randomFrame;

namespace {

/// A fresh empty folder under the temporary directory, removed at the end of the scope.
class TemporaryFolder {
public:
    explicit TemporaryFolder(const std::string& name)
        : path_(std::filesystem::temp_directory_path() / ("imaging-test-" + name + "-" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TemporaryFolder() {
        std::error_code ignored;
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ignored);
        std::filesystem::remove_all(path_, ignored);
    }
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::size_t entries() const {
        return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(path_), {}));
    }

private:
    std::filesystem::path path_;
};

/// What cfitsio reads back from a FITS file.
struct FitsContent {
    int bitpix = 0;
    int naxis = 0;
    long axes[2] = {0, 0};
    std::vector<std::uint16_t> pixels;
    fitsfile* file = nullptr;

    explicit FitsContent(const std::filesystem::path& path) {
        int status = 0;
        REQUIRE(fits_open_diskfile(&file, path.c_str(), READONLY, &status) == 0);
        fits_get_img_param(file, 2, &bitpix, &naxis, axes, &status);
        REQUIRE(status == 0);
        pixels.resize(static_cast<std::size_t>(axes[0]) * static_cast<std::size_t>(axes[1]));
        std::uint16_t null_value = 0;
        int any_null = 0;
        fits_read_img(file, TUSHORT, 1, static_cast<LONGLONG>(pixels.size()), &null_value, pixels.data(), &any_null,
                      &status);
        REQUIRE(status == 0);
    }
    ~FitsContent() {
        int status = 0;
        fits_close_file(file, &status);
    }
    FitsContent(const FitsContent&) = delete;
    FitsContent& operator=(const FitsContent&) = delete;

    std::string text(const char* key) {
        char value[FLEN_VALUE] = {};
        int status = 0;
        fits_read_key(file, TSTRING, key, value, nullptr, &status);
        return status == 0 ? value : "<missing>";
    }
    double number(const char* key) {
        double value = -1;
        int status = 0;
        fits_read_key(file, TDOUBLE, key, &value, nullptr, &status);
        return status == 0 ? value : -12345.0;
    }
    std::string comment(const char* key) {
        char value[FLEN_VALUE] = {};
        char comment[FLEN_COMMENT] = {};
        int status = 0;
        fits_read_keyword(file, key, value, comment, &status);
        return comment;
    }
    std::string card(const char* key) {
        char card[FLEN_CARD] = {};
        int status = 0;
        fits_read_card(file, key, card, &status);
        return status == 0 ? card : "<missing>";
    }
};

}  // namespace

TEST_CASE("a FITS file holds the frame as unsigned 16-bit values and the header cards") {
    TemporaryFolder folder("fits");
    const Frame frame = randomFrame(37, 23, 21);
    const std::vector<FitsCard> cards{
        {"DATE-OBS", std::string("2026-11-26T21:04:05.250"), "start of the exposure, UTC"},
        {"EXPTIME", 120.5, "[s] exposure time"},
        {"ISO", std::int64_t{800}, ""},
        {"XPIXSZ", 5.93, "[um] pixel width"},
        {"BAYERPAT", std::string("RGGB"), "colour filter array from (0, 0)"},
        {"XBAYROFF", std::int64_t{0}, ""},
        {"CCD-TEMP", -3.0, "[degC] sensor temperature"},
        {"INSTRUME", std::string("Sony ILCE-7M3"), ""},
        {"LENS", std::string("FE 24mm F1.4 GM\xC2\xB0"), "non-ASCII becomes ?"},
        {"SIMULATE", true, ""},
        {"HISTORY", std::string("written by the imaging test"), ""},
    };
    const auto path = folder.path() / "night" / "light_0001.fits";  // the folder does not exist yet
    writeFits(path, frame, cards);
    CHECK(folder.entries() == 1);
    CHECK(std::filesystem::directory_iterator(path.parent_path())->path() == path);  // no temporary left

    FitsContent fits(path);
    CHECK(fits.bitpix == 16);
    CHECK(fits.naxis == 2);
    CHECK(fits.axes[0] == 37);
    CHECK(fits.axes[1] == 23);
    CHECK(fits.pixels == frame.pixels);  // includes 0 and 65535: BZERO 32768 round-trips
    CHECK(fits.number("BZERO") == 32768.0);
    CHECK(fits.number("BSCALE") == 1.0);
    CHECK(fits.text("ROWORDER") == "TOP-DOWN");
    CHECK(fits.text("DATE-OBS") == "2026-11-26T21:04:05.250");
    CHECK(fits.comment("DATE-OBS") == "start of the exposure, UTC");
    CHECK(fits.number("EXPTIME") == 120.5);
    CHECK(fits.number("ISO") == 800.0);
    CHECK(fits.number("XPIXSZ") == doctest::Approx(5.93));
    CHECK(fits.text("BAYERPAT") == "RGGB");
    CHECK(fits.number("XBAYROFF") == 0.0);
    CHECK(fits.number("CCD-TEMP") == -3.0);
    CHECK(fits.text("INSTRUME") == "Sony ILCE-7M3");
    CHECK(fits.text("LENS") == "FE 24mm F1.4 GM??");
    CHECK(fits.card("SIMULATE").find("= ") != std::string::npos);
    CHECK(fits.card("SIMULATE").find('T') != std::string::npos);
    CHECK(fits.card("HISTORY").find("written by the imaging test") != std::string::npos);

    // Writing again replaces the file.
    const Frame second = randomFrame(5, 4, 22);
    writeFits(path, second, {});
    FitsContent replaced(path);
    CHECK(replaced.pixels == second.pixels);
    CHECK(std::distance(std::filesystem::directory_iterator(path.parent_path()), {}) == 1);
}

TEST_CASE("FITS cards that would break the file are refused with the keyword named") {
    TemporaryFolder folder("fits-cards");
    const Frame frame = randomFrame(4, 4, 1);
    const auto path = folder.path() / "x.fits";
    const auto refuse = [&](FitsCard card, const char* what) {
        const std::vector<FitsCard> cards{std::move(card)};
        CHECK_THROWS_WITH_AS(writeFits(path, frame, cards), doctest::Contains(what), std::invalid_argument);
    };
    refuse({"exptime", 1.0, ""}, "\"exptime\"");
    refuse({"TOOLONGKEY", 1.0, ""}, "1 to 8");
    refuse({"", 1.0, ""}, "1 to 8");
    refuse({"NAXIS1", std::int64_t{3}, ""}, "NAXIS1");
    refuse({"BZERO", 0.0, ""}, "BZERO");
    refuse({"EXPTIME", std::nan(""), ""}, "finite");
    refuse({"COMMENT", 1.0, ""}, "string");
    CHECK_THROWS_AS(writeFits(path, Frame{2, 2, {1, 2, 3}}, {}), std::invalid_argument);
    CHECK(folder.entries() == 0);
}

TEST_CASE("a FITS file that cannot be written throws with the path and the reason, leaving nothing behind") {
    TemporaryFolder folder("fits-fail");
    const Frame frame = randomFrame(300, 200, 4);
    // A folder that cannot exist: its parent is a regular file.
    const auto blocker = folder.path() / "file";
    std::ofstream(blocker) << "x";
    const auto inside = blocker / "night" / "a.fits";
    const std::string inside_text = inside.string();
    CHECK_THROWS_WITH_AS(writeFits(inside, frame, {}), doctest::Contains(inside_text.c_str()), std::runtime_error);
    CHECK_THROWS_WITH_AS(writeFits(inside, frame, {}), doctest::Contains("Not a directory"), std::runtime_error);
    CHECK_THROWS_AS(writeFits("/proc/sonyalpaca-imaging-test.fits", frame, {}), std::runtime_error);

    if (::geteuid() != 0) {  // root writes anywhere
        const auto locked = folder.path() / "locked";
        std::filesystem::create_directories(locked);
        std::filesystem::permissions(locked, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        CHECK_THROWS_WITH_AS(writeFits(locked / "a.fits", frame, {}), doctest::Contains("Permission denied"),
                             std::runtime_error);
        std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
    }

    // The disk fills up in the middle of the pixels: a file-size limit makes write() fail with EFBIG
    // the way a full disk fails it with ENOSPC. The old file stays, and no temporary is left.
    const auto path = folder.path() / "keep.fits";
    writeFits(path, randomFrame(3, 3, 5), {});
    const auto old_size = std::filesystem::file_size(path);
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    struct sigaction ignore = {};
    struct sigaction previous = {};
    ignore.sa_handler = SIG_IGN;
    REQUIRE(::sigaction(SIGXFSZ, &ignore, &previous) == 0);
    rlimit small = saved;
    small.rlim_cur = 20000;  // the frame needs 120 kB
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string message;
    try {
        writeFits(path, frame, {});
    } catch (const std::runtime_error& e) {
        message = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &saved);
    ::sigaction(SIGXFSZ, &previous, nullptr);
    CAPTURE(message);
    CHECK(message.find(path.string()) != std::string::npos);
    CHECK(message.find("File too large") != std::string::npos);
    CHECK(std::filesystem::file_size(path) == old_size);
    CHECK(folder.entries() == 2);  // "file" and keep.fits
}

TEST_CASE("frames of one observing night share a folder: the night runs from noon to noon, local time") {
    const char* saved = std::getenv("TZ");
    const std::string saved_tz = saved != nullptr ? saved : "";
    const auto at = [](int year, int month, int day, int hour, int minute) {
        std::tm t{};
        t.tm_year = year - 1900;
        t.tm_mon = month - 1;
        t.tm_mday = day;
        t.tm_hour = hour;
        t.tm_min = minute;
        t.tm_isdst = -1;
        return std::chrono::system_clock::from_time_t(std::mktime(&t));
    };
    ::setenv("TZ", "UTC0", 1);
    ::tzset();
    CHECK(observingNight(at(2026, 11, 26, 21, 0)) == "2026-11-26");
    CHECK(observingNight(at(2026, 11, 27, 4, 0)) == "2026-11-26");
    CHECK(observingNight(at(2026, 11, 27, 11, 59)) == "2026-11-26");
    CHECK(observingNight(at(2026, 11, 27, 12, 0)) == "2026-11-27");
    CHECK(observingNight(at(2027, 1, 1, 3, 0)) == "2026-12-31");
    CHECK(observingNight(at(2028, 3, 1, 1, 0)) == "2028-02-29");
    CHECK(nightFolder("/data/frames", at(2026, 11, 27, 2, 30)) == std::filesystem::path("/data/frames/2026-11-26"));
    // Central Europe on the morning daylight saving starts (29 March 2026, 02:00 → 03:00).
    ::setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    ::tzset();
    CHECK(observingNight(at(2026, 3, 29, 1, 30)) == "2026-03-28");
    CHECK(observingNight(at(2026, 3, 29, 11, 30)) == "2026-03-28");
    CHECK(observingNight(at(2026, 3, 29, 12, 30)) == "2026-03-29");
    if (saved != nullptr) {
        ::setenv("TZ", saved_tz.c_str(), 1);
    } else {
        ::unsetenv("TZ");
    }
    ::tzset();
}
