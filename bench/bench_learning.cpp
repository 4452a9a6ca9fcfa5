// SPDX-License-Identifier: GPL-3.0-or-later
// Lens learning at the focus motor's real speed: for each lens, the error of every learned step size
// against the virtual body's hidden true profile, and the time taken as a ratio of the 10-minute goal.
//   bench_learning [time-scale] [lens ...]   (defaults: 1, SELP1650 50_14 SEL90M28G)
#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "focus/LensLearner.hpp"
#include "imaging/LiveViewGrid.hpp"
#include "ptp/gphoto/GPhotoBody.hpp"
#include "ptp/sim/SimulatorHost.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

using namespace sonyalpaca;

int main(int argc, char** argv) {
    const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
    std::vector<std::string> lenses{"SELP1650", "50_14", "SEL90M28G"};
    if (argc > 2) lenses.assign(argv + 2, argv + argc);
    const auto home = std::filesystem::temp_directory_path() / ("bench-learning-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home);
    ::setenv("HOME", home.c_str(), 1);  // libgphoto2 writes ~/.gphoto
    spdlog::set_level(spdlog::level::warn);
    std::printf(
        "lens learning on the virtual body (profile error 3 %%, jitter 0.5 %%, play 2 units), motor time x%.2f\n",
        scale);
    std::printf("%-10s %5s %10s %10s %8s %8s\n", "lens", "size", "learned", "true", "error", "±1σ");
    int worst_failures = 0;
    for (std::size_t n = 0; n < lenses.size(); ++n) {
        ptp::sim::SimulatorOptions simulated;
        simulated.sensor_scale = 8;
        simulated.lens = lenses[n];
        simulated.lens_options.seed = 100 + n;
        simulated.lens_options.time_scale = scale;
        ptp::sim::SimulatorHost simulator(simulated);
        ptp::gphoto::GPhotoBody body({config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator.port()},
                                     config::BodyDatabase::load(config::findDataFile("sony-bodies.json")));
        body.open();
        focus::LearnOptions options;
        for (double& ms : options.step_time_ms) ms *= scale;
        options.leg_seconds *= scale;
        options.command_ms *= scale;
        focus::LensLearner learner(
            body, [](const std::vector<std::uint8_t>& jpeg) { return imaging::liveViewGrid(jpeg); }, options);
        std::stop_source stop;
        const auto result = learner.run(stop.get_token());
        const auto truth = simulator.body().trueMoves();
        double worst = 0;
        for (std::size_t k = 0; k < 7; ++k) {
            const double error = result.profile.full_travel_moves[k] / truth[k] - 1.0;
            if (!result.whole_travel[k]) worst = std::max(worst, std::abs(error));
            std::printf("%-10s %5zu %10.2f %10.2f %+7.2f%% %7.2f%%%s\n", lenses[n].c_str(), k + 1,
                        result.profile.full_travel_moves[k], truth[k], 100 * error, 100 * result.relative_sigma[k],
                        result.whole_travel[k] ? "  (one step crosses the travel)" : "");
        }
        const double minutes = result.seconds / scale / 60.0;
        std::printf("%-10s travel %.0f units, play %.2f (true 2), detector size %d, %ld steps, %ld frames\n",
                    lenses[n].c_str(), truth[0], result.profile.backlash.value_or(0), result.detector_size,
                    result.steps, result.frames);
        std::printf("%-10s worst error %.2f %% (goal 2 %%), time %.1f min = %.2f x the 10-minute goal%s\n\n",
                    lenses[n].c_str(), 100 * worst, minutes, minutes / 10.0,
                    scale != 1.0 ? " (scaled to full motor speed)" : "");
        if (worst > 0.02 || minutes > 10.0) ++worst_failures;
    }
    std::filesystem::remove_all(home);
    return worst_failures == 0 ? 0 : 1;
}
