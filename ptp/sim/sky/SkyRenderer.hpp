// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/NoiseTables.hpp"
#include "ptp/sim/sky/RawImage.hpp"
#include "ptp/sim/sky/SkyConditions.hpp"
#include "ptp/sim/sky/StarField.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// Renders one synthetic exposure of a star field through the Bayer mosaic.
///
/// The model, per photosite of colour c (electrons unless stated):
///   signal  = (sky_e_per_s·sky_colour[c] + dark_e_per_s)·t            background, Poisson
///           + Σ stars F·t·colour[c]·PSF(x, y)                         Poisson (normal approximation)
///           + hot pixel rate·t                                         Poisson (normal approximation)
///   ADU     = black + gain·signal + read noise, rounded, clipped to [0, white_level]
/// with gain = iso/100 ADU/e⁻ and read noise N(0, (read_noise_e·gain)² + read_noise_adu²). The PSF is
/// a circular Gaussian of FWHM star_fwhm_px integrated over each pixel; a star is drawn out to where
/// it adds less than 0.05 e⁻ to a photosite. The sky colour is a light-polluted one
/// (red 0.8, green 1, blue 0.55).
///
/// Deterministic: the stars and hot pixels come from `seed` (StarField), the noise from
/// `noise_seed`, with one random stream per row, so any band of rows renders the same values as
/// the whole frame. Const member functions are thread-safe (bands may be rendered in parallel).
class SkyRenderer {
public:
    /// Throws std::invalid_argument on an invalid layout or out-of-range conditions (naming them).
    SkyRenderer(const SensorLayout& layout, const SkyConditions& conditions);

    const SensorLayout& layout() const noexcept { return layout_; }
    const SkyConditions& conditions() const noexcept { return conditions_; }
    const StarField& field() const noexcept { return field_; }

    /// ADU per electron: iso / 100.
    double gain() const noexcept { return gain_; }
    /// Total read noise in ADU RMS.
    double readNoiseAdu() const noexcept { return read_noise_adu_; }
    /// Mean background electrons of one photosite of colour c in this exposure (sky + dark).
    double backgroundElectrons(CfaColour c) const noexcept { return background_e_[static_cast<std::size_t>(c)]; }
    /// The expected value of a background photosite: black + gain · backgroundElectrons(c).
    double expectedBackgroundAdu(CfaColour c) const noexcept;

    /// Renders rows [first_row, first_row + row_count) into `out` (row_count · raw_width values).
    /// Throws std::invalid_argument when the rows leave the frame or `out` has the wrong size.
    void renderRows(unsigned first_row, unsigned row_count, std::span<std::uint16_t> out) const;

    /// The whole frame.
    RawImage render() const;

private:
    /// A star's footprint for this exposure: its box, electrons per colour, and its pixel-integrated
    /// profile along x (columns x0..x1) and y (rows y0..y1), stored in profiles_.
    struct Stamp {
        unsigned x0, x1, y0, y1;
        std::array<float, 3> electrons;
        std::size_t gx, gy;  // offsets into profiles_
    };

    void buildStamps();
    void renderRow(unsigned y, float* row) const;

    SensorLayout layout_;
    SkyConditions conditions_;
    StarField field_;
    double gain_ = 1.0;
    double read_noise_adu_ = 0.0;
    std::array<double, 3> background_e_{};
    std::array<NoiseTables::Table, 3> background_adu_{};  // black + gain · Poisson quantiles, per colour
    NoiseTables::Table read_noise_{};                     // read noise quantiles, ADU
    std::vector<Stamp> stamps_;                           // sorted by y0
    std::vector<float> profiles_;
    unsigned max_stamp_height_ = 0;
};

/// SkyRenderer(layout, conditions).render().
RawImage renderSky(const SensorLayout& layout, const SkyConditions& conditions);

}  // namespace sonyalpaca::ptp::sim
