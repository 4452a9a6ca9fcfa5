// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/SimulatorHost.hpp"

#include "config/DataFiles.hpp"
#include "config/Log.hpp"
#include "ptp/sim/SkyFrameSource.hpp"

#include <stdexcept>

namespace sonyalpaca::ptp::sim {

SimulatorHost::SimulatorHost(const SimulatorOptions& options) {
    const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    const auto* body = bodies.find(options.body);
    if (!body)
        throw std::invalid_argument("--body: \"" + options.body +
                                    "\" is not in the body database; allowed: " + bodies.models());
    model_ = *body;
    const auto lenses = config::LensDatabase::load(config::findDataFile("sony-lenses.json"));
    const auto* lens = lenses.find(options.lens);
    if (!lens)
        throw std::invalid_argument("--lens: \"" + options.lens +
                                    "\" is not in the lens database; allowed: " + lenses.modelIds());
    lens_ = *lens;
    auto frames = makeSkyFrameSource(model_, options.sensor_scale, options.lens_options.seed,
                                     lens_.full_travel_moves[0], lens_.name);
    body_ = std::make_unique<VirtualBody>(model_, lens_, options.lens_options, options.body_options, std::move(frames),
                                          options.faults);
    server_ = std::make_unique<PtpIpServer>(*body_);
    server_->start(options.bind, options.port);
    log::get("ptp")->info("lens {} ({}), travel {:.0f} units, at {:.1f}; best focus {:.1f}", lens_.model_id, lens_.name,
                          body_->lensTravel(), body_->lensPosition(), body_->bestFocus());
}

}  // namespace sonyalpaca::ptp::sim
