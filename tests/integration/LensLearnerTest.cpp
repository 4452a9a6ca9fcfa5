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

/// A virtual body with `lens` (its profile off by up to 3 %, jitter 0.5 %, play 2), the backend
/// opened on it, and learning options timed for its (faster) motor.
struct Rig {
    ptp::sim::SimulatorHost simulator;
    ptp::gphoto::GPhotoBody body;
    focus::LearnOptions options;

    Rig(const std::string& lens, std::uint64_t seed)
        : simulator([&] {
              ptp::sim::SimulatorOptions o;
              o.sensor_scale = 8;
              o.lens = lens;
              o.lens_options.seed = seed;
              o.lens_options.time_scale = timeScale();
              o.lens_options.start_position = 30;
              o.body_options.readout_s = 0.1;
              return o;
          }()),
          body({config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator.port()},
               config::BodyDatabase::load(config::findDataFile("sony-bodies.json"))) {
        body.open();
        options.model_id = "test-" + lens;
        for (double& ms : options.step_time_ms) ms *= timeScale();
        options.leg_seconds *= timeScale();  // the same number of steps as at full speed
        options.command_ms *= timeScale();
    }
    focus::LensLearner learner() {
        return focus::LensLearner(
            body, [](const std::vector<std::uint8_t>& jpeg) { return imaging::liveViewGrid(jpeg); }, options);
    }
};

struct Learned {
    focus::LearnResult result;
    std::array<double, 7> truth{};
};

Learned learn(const std::string& lens, std::uint64_t seed) {
    Rig rig(lens, seed);
    std::stop_source stop;
    Learned out{rig.learner().run(stop.get_token()), rig.simulator.body().trueMoves()};
    // Every step sent reached the lens (none refused as busy and lost).
    std::uint64_t driven = 0;
    for (const auto count : rig.simulator.body().focusStepCounts()) driven += count;
    CHECK(driven == static_cast<std::uint64_t>(out.result.steps));
    // It ends at the infinity stop.
    CHECK(rig.simulator.body().lensPosition() == doctest::Approx(rig.simulator.body().lensTravel()));
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

TEST_CASE("lens learning: a fast prime (1753 units)") { checkWithin2Percent("50_14", learn("50_14", 12)); }

TEST_CASE("lens learning: a macro lens (12194 units)") { checkWithin2Percent("SEL90M28G", learn("SEL90M28G", 13)); }

TEST_CASE("lens learning: the travel in largest steps, for an unknown lens's generic profile") {
    for (const char* lens : {"SELP1650", "SEL20F18G"}) {
        Rig rig(lens, 21);
        std::stop_source stop;
        const double largest = rig.learner().measureLargestSteps(stop.get_token());
        const double truth = rig.simulator.body().trueMoves()[6];
        INFO(lens << ": measured " << largest << ", true " << truth);
        CHECK(largest == doctest::Approx(std::max(truth, 1.0)).epsilon(0.15));
        CHECK(rig.simulator.body().lensPosition() == doctest::Approx(rig.simulator.body().lensTravel()));
    }
}
