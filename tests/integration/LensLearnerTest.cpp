// SPDX-License-Identifier: GPL-3.0-or-later
// Lens learning against the virtual body over PTP/IP (the real libgphoto2 path): an unknown lens,
// learned from the generic profile, lands within 2 % of the body's hidden true profile.
#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "focus/LensLearner.hpp"
#include "imaging/LiveViewGrid.hpp"
#include "ptp/gphoto/GPhotoBody.hpp"
#include "ptp/sim/SimulatorHost.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <spdlog/spdlog.h>
#include <unistd.h>

using namespace sonyalpaca;

namespace {
struct PrivateHome {
    PrivateHome() {
        const auto home = std::filesystem::temp_directory_path() / ("learn-test-home-" + std::to_string(::getpid()));
        std::filesystem::create_directories(home);
        ::setenv("HOME", home.c_str(), 1);
        if (std::getenv("LEARN_DEBUG")) spdlog::set_level(spdlog::level::debug);
    }
};
const PrivateHome kHome;

/// The focus motor runs this much faster than a real one, to keep the suite short; LEARN_TIME_SCALE=1
/// gives the real-time figures.
double timeScale() {
    const char* value = std::getenv("LEARN_TIME_SCALE");
    return value ? std::atof(value) : 0.1;
}

struct Learned {
    focus::LearnResult result;
    std::array<double, 7> truth{};
};

Learned learn(const std::string& lens, std::uint64_t seed) {
    ptp::sim::SimulatorOptions options;
    options.sensor_scale = 8;
    options.lens = lens;
    options.lens_options.seed = seed;
    options.lens_options.time_scale = timeScale();
    options.lens_options.start_position = 30;
    options.body_options.readout_s = 0.1;
    ptp::sim::SimulatorHost simulator(options);
    ptp::gphoto::GPhotoBody body({config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator.port()},
                                 config::BodyDatabase::load(config::findDataFile("sony-bodies.json")));
    body.open();
    focus::LearnOptions learn;
    learn.model_id = "test-" + lens;
    for (double& ms : learn.step_time_ms) ms *= timeScale();
    learn.leg_seconds *= timeScale();  // the same number of steps as at full speed
    learn.command_ms *= timeScale();
    focus::LensLearner learner(
        body, [](const std::vector<std::uint8_t>& jpeg) { return imaging::liveViewGrid(jpeg); }, learn);
    std::stop_source stop;
    Learned out{learner.run(stop.get_token()), simulator.body().trueMoves()};
    // Every step sent reached the lens (none refused as busy and lost).
    std::uint64_t driven = 0;
    for (const auto count : simulator.body().focusStepCounts()) driven += count;
    CHECK(driven == static_cast<std::uint64_t>(out.result.steps));
    // It ends at the infinity stop.
    CHECK(simulator.body().lensPosition() == doctest::Approx(simulator.body().lensTravel()));
    return out;
}

void checkWithin2Percent(const std::string& lens, const Learned& learned) {
    std::printf("%s: learned in %.1f s (time scale %.2f), %ld steps, %ld frames, detector size %d, repeat %+.3f\n",
                lens.c_str(), learned.result.seconds, timeScale(), learned.result.steps, learned.result.frames,
                learned.result.detector_size, learned.result.repeat_difference);
    for (std::size_t k = 0; k < 7; ++k) {
        const double got = learned.result.profile.full_travel_moves[k];
        const double truth = learned.truth[k];
        const double error = (got - truth) / truth;
        std::printf("  size %zu: learned %9.2f  true %9.2f  error %+6.2f %%  (±%.2f %%)%s\n", k + 1, got, truth,
                    100 * error, 100 * learned.result.relative_sigma[k],
                    learned.result.whole_travel[k] ? "  one step crosses the travel" : "");
        if (learned.result.whole_travel[k]) {
            CHECK(truth <= 1.02);  // a step of at least (about) the whole travel
        } else {
            CHECK(std::abs(error) <= 0.02);
        }
    }
}
}  // namespace

TEST_CASE("lens learning: a short zoom (264 units of travel)") {
    checkWithin2Percent("SELP1650", learn("SELP1650", 11));
}

TEST_CASE("lens learning: a fast prime (1753 units)") {
    checkWithin2Percent("50_14", learn("50_14", 12));
}

TEST_CASE("lens learning: a macro lens (12194 units)") {
    checkWithin2Percent("SEL90M28G", learn("SEL90M28G", 13));
}

TEST_CASE("lens learning: the travel in largest steps, for an unknown lens's generic profile") {
    for (const char* lens : {"SELP1650", "SEL20F18G"}) {
        ptp::sim::SimulatorOptions options;
        options.sensor_scale = 8;
        options.lens = lens;
        options.lens_options.seed = 21;
        options.lens_options.time_scale = timeScale();
        options.body_options.readout_s = 0.1;
        ptp::sim::SimulatorHost simulator(options);
        ptp::gphoto::GPhotoBody body({config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator.port()},
                                     config::BodyDatabase::load(config::findDataFile("sony-bodies.json")));
        body.open();
        focus::LearnOptions learn;
        for (double& ms : learn.step_time_ms) ms *= timeScale();
        focus::LensLearner learner(
            body, [](const std::vector<std::uint8_t>& jpeg) { return imaging::liveViewGrid(jpeg); }, learn);
        std::stop_source stop;
        const double largest = learner.measureLargestSteps(stop.get_token());
        const double truth = simulator.body().trueMoves()[6];
        INFO(lens << ": measured " << largest << ", true " << truth);
        CHECK(largest == doctest::Approx(std::max(truth, 1.0)).epsilon(0.15));
        CHECK(simulator.body().lensPosition() == doctest::Approx(simulator.body().lensTravel()));
    }
}
