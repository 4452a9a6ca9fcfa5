// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace sonyalpaca::ptp::sim {

/// How star images grow when the lens leaves best focus, and where best focus is.
///
/// Star size follows the hyperbola autofocus routines fit (N.I.N.A.'s "hyperbolic" V-curve):
///
///     FWHM(d) = sqrt(best_fwhm_px² + (slope_px_per_unit · d)²),   d = position − best focus,
///
/// in sensor pixels, with d in lens units (the smallest focus-drive step, as in the lens database).
/// It is flat at the bottom (seeing and optics limit the star) and straight on both arms, where the
/// blur disc grows linearly with the focus error. Strictly increasing in |d| whenever slope > 0.
///
/// Defaults, for a fast (f/1.4 – f/2.8) lens on a ~4–6 µm pixel: a 2.6 px best star (seeing and
/// lens aberrations over a few pixels), and 0.15 px per unit, so the star doubles (FWHM 5.2 px) ~30 units from focus and reaches
/// ~15 px ~100 units out — an autofocus run of 9 points 20–30 units apart sees a clear V. Best focus
/// moves by drift_units_per_c per °C (the lens barrel and tube contract when cooling); the sign is
/// the lens's, positive means "towards larger positions when warmer".
class DefocusModel {
public:
    struct Parameters {
        double best_fwhm_px = 2.6;              ///< FWHM at best focus, pixels (> 0)
        double slope_px_per_unit = 0.15;        ///< growth of the FWHM per lens unit of focus error (> 0)
        double best_focus_units = 0.0;          ///< best-focus lens position at the reference temperature
        double reference_temperature_c = 15.0;  ///< where best_focus_units holds
        double drift_units_per_c = 1.5;         ///< shift of best focus per °C
        double max_fwhm_px = 60.0;              ///< cap: a far defocused star is a disc this wide at most
    };

    /// Throws std::invalid_argument naming the parameter when a value is out of range.
    explicit DefocusModel(const Parameters& parameters);
    DefocusModel() : DefocusModel(Parameters{}) {}

    const Parameters& parameters() const noexcept { return parameters_; }

    /// FWHM in pixels at focus error `distance` (lens units, either sign). Strictly increasing in
    /// |distance| up to max_fwhm_px.
    double fwhmPx(double distance) const noexcept;

    /// Best-focus lens position at `temperature_c`.
    double bestFocus(double temperature_c) const noexcept;

    /// FWHM for a lens at `position` at `temperature_c`: fwhmPx(position − bestFocus(temperature_c)).
    double fwhmAt(double position, double temperature_c) const noexcept;

private:
    Parameters parameters_;
};

}  // namespace sonyalpaca::ptp::sim
