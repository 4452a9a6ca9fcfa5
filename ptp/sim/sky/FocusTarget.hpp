// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/Jpeg.hpp"

#include <cstdint>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// The live view of the virtual body: a detailed daylight scene (what a person points the camera at
/// to learn a lens), seen through the lens at its current focus position.
///
/// The scene is a fixed grey texture with detail at every scale from 2 to 256 pixels (value noise in
/// octaves), so some detail is always on the scale of the blur. Defocus follows geometric optics:
/// the blur disc grows linearly with the distance from the scene's focus position, from a little
/// below a pixel at focus to `blur_at_full_travel` pixels one whole travel away (a fast lens at
/// close focus smears a distant scene over a large part of the frame). The blur is a separable
/// tent (two box passes per axis) with a fractional radius, so every change of focus changes the
/// frame, however small; sensor noise is added per frame. Not thread-safe.
class FocusTarget {
public:
    struct Options {
        unsigned width = 640;
        unsigned height = 424;
        std::uint64_t seed = 1;
        double blur_at_full_travel = 60.0;  ///< blur radius in pixels one travel from focus
        double noise_sigma = 1.5;           ///< sensor noise per pixel, in 8-bit levels
    };

    explicit FocusTarget(const Options& options);

    /// The scene with the lens `distance_in_travels` (|position − focus| / travel) out of focus;
    /// `frame` seeds the noise. A grey image, for imaging::encodeJpeg.
    imaging::Image8 render(double distance_in_travels, std::uint64_t frame) const;

private:
    Options options_;
    std::vector<float> sharp_;  // the texture, width · height
};

}  // namespace sonyalpaca::ptp::sim
