// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/Jpeg.hpp"

namespace sonyalpaca::imaging {

/// A square part of an image: centre and half side, in pixels.
struct Window {
    double centre_x = 0;
    double centre_y = 0;
    unsigned half = 48;
};

/// How sharp a part of a grey live-view frame is, for focusing by eye at the telescope: the mean
/// squared difference of pixels two apart (across and down; Brenner's measure), divided by the
/// squared mean level (plus one level) and scaled by 1000. Higher is sharper; it peaks at best focus
/// on a daylight scene and on a star alike, and a brighter or darker frame of the same scene gives
/// the same figure. Sensor noise sets a floor (two noise variances over the squared mean). The window
/// is clipped to the image; a window narrower than 3 pixels, or an empty image, gives 0.
double focusFigure(const Image8& grey, const Window& window);

}  // namespace sonyalpaca::imaging
