// SPDX-License-Identifier: GPL-3.0-or-later
// imaging/Thumbnail: the setup page's preview of a Bayer frame: size, superpixel debayer (RGGB from
// (0, 0)), the stretch, and that it survives JPEG.
#include "imaging/Jpeg.hpp"
#include "imaging/Thumbnail.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>

using namespace sonyalpaca::imaging;

namespace {

/// A frame of sky: every photosite `level` plus Gaussian noise of `sigma` (seeded).
RawFrame skyFrame(unsigned width, unsigned height, double level = 600, double sigma = 12, std::uint32_t seed = 7) {
    std::mt19937 random(seed);
    std::normal_distribution<double> noise(level, sigma);
    RawFrame frame;
    frame.image = {width, height, {}};
    frame.image.pixels.resize(frame.image.pixelCount());
    for (auto& v : frame.image.pixels) v = static_cast<std::uint16_t>(std::clamp(noise(random), 0.0, 65535.0));
    return frame;
}

/// Sets the photosites of one colour ("R", "G" or "B" of RGGB from (0, 0)) in a rectangle to `value`.
void paint(RawFrame& frame, char colour, unsigned x0, unsigned y0, unsigned x1, unsigned y1, std::uint16_t value) {
    for (unsigned y = y0; y < y1; ++y)
        for (unsigned x = x0; x < x1; ++x) {
            const bool even_x = x % 2 == 0, even_y = y % 2 == 0;
            const bool hit = colour == 'R' ? even_x && even_y : colour == 'B' ? !even_x && !even_y : even_x != even_y;
            if (hit) frame.image.pixels[static_cast<std::size_t>(y) * frame.image.width + x] = value;
        }
}

struct Rgb {
    int r, g, b;
};

Rgb at(const Image8& image, unsigned x, unsigned y) {
    const std::size_t i = (static_cast<std::size_t>(y) * image.width + x) * 3;
    return {image.samples[i], image.samples[i + 1], image.samples[i + 2]};
}

}  // namespace

TEST_CASE("thumbnail: superpixels averaged down to at most 640 pixels wide, the aspect kept") {
    struct Case {
        unsigned width, height, thumb_width, thumb_height;
    };
    for (const auto& c :
         {Case{6024, 4024, 602, 402}, Case{1280, 960, 640, 480}, Case{1282, 962, 320, 240}, Case{64, 48, 32, 24},
          Case{9504, 6336, 594, 396}, Case{4240, 2832, 530, 354}, Case{5, 3, 2, 1}}) {
        CAPTURE(c.width);
        const Image8 image = makeThumbnail(skyFrame(c.width, c.height));
        CHECK(image.width == c.thumb_width);
        CHECK(image.height == c.thumb_height);
        CHECK(image.components == 3);
        CHECK(image.samples.size() == std::size_t{c.thumb_width} * c.thumb_height * 3);
    }
    ThumbnailOptions narrow;
    narrow.max_width = 100;
    CHECK(makeThumbnail(skyFrame(1200, 800), narrow).width == 100);
}

TEST_CASE("thumbnail: the sky is a dim neutral grey and a bright region is bright") {
    RawFrame frame = skyFrame(1280, 960);
    // A bright square in every colour: 40x40 thumbnail pixels at (200, 100) to (240, 140).
    for (char colour : {'R', 'G', 'B'}) paint(frame, colour, 400, 200, 480, 280, 9000);
    const Image8 image = makeThumbnail(frame);
    REQUIRE(image.width == 640);
    const Rgb bright = at(image, 220, 120);
    CHECK(bright.r == 255);
    CHECK(bright.g == 255);
    CHECK(bright.b == 255);
    // The sky: around 20 % grey (the stretch's background), the same in every channel.
    long sums[3] = {};
    int count = 0;
    for (unsigned y = 300; y < 400; ++y)
        for (unsigned x = 300; x < 600; ++x) {
            const Rgb p = at(image, x, y);
            sums[0] += p.r;
            sums[1] += p.g;
            sums[2] += p.b;
            ++count;
        }
    for (long sum : sums) CHECK(static_cast<double>(sum) / count == doctest::Approx(0.2 * 255).epsilon(0.12));
}

TEST_CASE("thumbnail: sky noise with a few small stars is not stretched into a screen of noise") {
    RawFrame frame = skyFrame(1280, 960, 600, 20);
    for (unsigned star = 0; star < 40; ++star) {  // 40 stars of 2x2 thumbnail pixels: 0.03 % of them
        const unsigned x = 16 + star * 31, y = 16 + (star * 97) % 900;
        for (char colour : {'R', 'G', 'B'}) paint(frame, colour, x, y, x + 4, y + 4, 3000);
    }
    const Image8 image = makeThumbnail(frame);
    double sum = 0, squares = 0;
    int count = 0;
    for (unsigned y = 200; y < 260; ++y)
        for (unsigned x = 100; x < 400; ++x) {
            const double g = at(image, x, y).g;
            sum += g;
            squares += g * g;
            ++count;
        }
    const double mean = sum / count;
    CHECK(mean == doctest::Approx(0.2 * 255).epsilon(0.12));
    CHECK(std::sqrt(squares / count - mean * mean) < 25);  // the noise stays a texture of the dark sky
    CHECK(at(image, 9, 9).g == 255);                       // the first star
}

TEST_CASE("thumbnail: a faint star stands out of the sky after the stretch") {
    RawFrame frame = skyFrame(1280, 960, 600, 12);
    // 1.5 % above the sky, over 4x4 thumbnail pixels: lost in a linear stretch to the brightest pixel.
    for (char colour : {'R', 'G', 'B'}) paint(frame, colour, 800, 600, 808, 608, 690);
    for (char colour : {'R', 'G', 'B'}) paint(frame, colour, 100, 100, 140, 140, 60000);  // a bright star
    const Image8 image = makeThumbnail(frame);
    const Rgb star = at(image, 401, 301);
    const Rgb sky = at(image, 420, 320);
    CHECK(star.g > sky.g + 20);
    CHECK(at(image, 60, 60).g == 255);
}

TEST_CASE("thumbnail: the colours come from an RGGB mosaic that starts with red at (0, 0)") {
    RawFrame frame = skyFrame(1280, 960);
    paint(frame, 'R', 0, 0, 200, 200, 12000);     // thumbnail (0..100, 0..100): red
    paint(frame, 'G', 400, 0, 600, 200, 12000);   // (200..300, 0..100): green
    paint(frame, 'B', 800, 0, 1000, 200, 12000);  // (400..500, 0..100): blue
    const Image8 image = makeThumbnail(frame);
    const Rgb red = at(image, 50, 50);
    const Rgb green = at(image, 250, 50);
    const Rgb blue = at(image, 450, 50);
    CHECK(red.r == 255);
    CHECK(red.g < 100);
    CHECK(red.b < 100);
    CHECK(green.g == 255);
    CHECK(green.r < 100);
    CHECK(green.b < 100);
    CHECK(blue.b == 255);
    CHECK(blue.r < 100);
    CHECK(blue.g < 100);
}

TEST_CASE("thumbnail: a flat or tiny frame still gives an image, a broken one is refused") {
    RawFrame flat;
    flat.image = {64, 48, std::vector<std::uint16_t>(64 * 48, 1000)};
    const Image8 image = makeThumbnail(flat);
    CHECK(image.width == 32);
    CHECK(at(image, 3, 3).g == at(image, 20, 20).g);
    RawFrame zero;
    zero.image = {2, 2, {0, 0, 0, 0}};
    CHECK(makeThumbnail(zero).samples.size() == 3);

    RawFrame small;
    small.image = {1, 1, {5}};
    CHECK_THROWS_AS(makeThumbnail(small), std::invalid_argument);
    RawFrame wrong;
    wrong.image = {4, 4, {1, 2, 3}};
    CHECK_THROWS_AS(makeThumbnail(wrong), std::invalid_argument);
    ThumbnailOptions none;
    none.max_width = 0;
    CHECK_THROWS_AS(makeThumbnail(flat, none), std::invalid_argument);
}

TEST_CASE("thumbnail: it encodes as a JPEG of its size") {
    const Image8 image = makeThumbnail(skyFrame(1280, 960));
    const auto jpeg = encodeJpeg(image, 80);
    REQUIRE(jpeg.size() > 100);
    CHECK(jpeg[0] == 0xFF);
    CHECK(jpeg[1] == 0xD8);
    const Image8 back = decodeJpegGrey(jpeg);
    CHECK(back.width == image.width);
    CHECK(back.height == image.height);
}

TEST_CASE("thumbnail: of a crop read in place (MosaicView), the same as of the crop copied") {
    const RawFrame readout = skyFrame(660, 444, 600, 12, 3);
    const unsigned left = 12, top = 10, width = 616, height = 400;
    RawFrame copy;
    copy.image = {width, height, {}};
    for (unsigned y = top; y < top + height; ++y) {
        const auto row = readout.image.pixels.begin() + static_cast<std::ptrdiff_t>(y * readout.image.width + left);
        copy.image.pixels.insert(copy.image.pixels.end(), row, row + width);
    }
    const MosaicView view{readout.image.pixels.data() + top * readout.image.width + left, width, height,
                          readout.image.width};
    const Image8 in_place = makeThumbnail(view);
    CHECK(in_place.width == 308);
    CHECK(in_place.samples == makeThumbnail(copy).samples);
    CHECK_THROWS_AS(makeThumbnail(MosaicView{view.pixels, width, height, width - 1}), std::invalid_argument);
    CHECK_THROWS_AS(makeThumbnail(MosaicView{nullptr, width, height, width}), std::invalid_argument);
}
