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

/// The grey levels `image` (width · height, row-major) as 8-bit samples with sensor noise of `sigma`
/// levels added (seeded: the same seed gives the same noise), clamped to 0..255.
imaging::Image8 withSensorNoise(const std::vector<float>& image, unsigned width, unsigned height, std::uint64_t seed,
                                double sigma);

/// The live view of the virtual body at night: a few dozen stars on a dark sky (the live view of a
/// body set to show its exposure brightly, pointed at a rich field), seen through the lens at its
/// focus position. A star is a round Gaussian whose width grows linearly with the distance from the
/// stars' best focus, by the same law as FocusTarget's blur (so the two scenes defocus alike), its
/// light spread over the larger area: the brightest saturate at focus, the faint ones sink into the
/// noise far from it. Not thread-safe.
class StarView {
public:
    struct Options {
        unsigned width = 640;
        unsigned height = 424;
        std::uint64_t seed = 1;
        unsigned stars = 60;
        double blur_at_full_travel = 60.0;  ///< blur radius in pixels one travel from focus
        double sky_level = 10.0;            ///< the dark sky, in 8-bit levels
        double noise_sigma = 1.0;
    };

    explicit StarView(const Options& options);

    /// The sky with the lens `distance_in_travels` (|position − best focus| / travel) out of focus;
    /// `frame` seeds the noise.
    imaging::Image8 render(double distance_in_travels, std::uint64_t frame) const;

private:
    struct Star {
        double x = 0;
        double y = 0;
        double flux = 0;  ///< 8-bit levels summed over the star's pixels
    };
    Options options_;
    std::vector<Star> stars_;
};

}  // namespace sonyalpaca::ptp::sim
