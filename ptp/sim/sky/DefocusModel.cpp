// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/DefocusModel.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp::sim {

DefocusModel::DefocusModel(const Parameters& parameters) : parameters_(parameters) {
    auto require = [](bool ok, const char* name, double value, const char* allowed) {
        if (!ok)
            throw std::invalid_argument(std::string("defocus model ") + name + " is " + std::to_string(value) +
                                        ", allowed " + allowed);
    };
    const Parameters& p = parameters_;
    require(p.best_fwhm_px > 0.0 && p.best_fwhm_px <= 100.0, "best_fwhm_px", p.best_fwhm_px, "0 < x <= 100");
    require(p.slope_px_per_unit > 0.0 && std::isfinite(p.slope_px_per_unit), "slope_px_per_unit", p.slope_px_per_unit,
            "> 0");
    require(std::isfinite(p.best_focus_units), "best_focus_units", p.best_focus_units, "finite");
    require(std::isfinite(p.reference_temperature_c), "reference_temperature_c", p.reference_temperature_c, "finite");
    require(std::isfinite(p.drift_units_per_c), "drift_units_per_c", p.drift_units_per_c, "finite");
    require(p.max_fwhm_px > p.best_fwhm_px && p.max_fwhm_px <= 200.0, "max_fwhm_px", p.max_fwhm_px,
            "best_fwhm_px < x <= 200");
}

double DefocusModel::fwhmPx(double distance) const noexcept {
    const double blur = parameters_.slope_px_per_unit * distance;
    return std::min(std::sqrt(parameters_.best_fwhm_px * parameters_.best_fwhm_px + blur * blur),
                    parameters_.max_fwhm_px);
}

double DefocusModel::bestFocus(double temperature_c) const noexcept {
    return parameters_.best_focus_units +
           parameters_.drift_units_per_c * (temperature_c - parameters_.reference_temperature_c);
}

double DefocusModel::fwhmAt(double position, double temperature_c) const noexcept {
    return fwhmPx(position - bestFocus(temperature_c));
}

}  // namespace sonyalpaca::ptp::sim
