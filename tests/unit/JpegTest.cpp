// SPDX-License-Identifier: GPL-3.0-or-later
// imaging/Jpeg: libjpeg round trips of grey and colour images (the simulator's live view and
// previews are encoded here), quality against size, and what is refused.
#include "imaging/Jpeg.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace sonyalpaca::imaging;

namespace {

Image8 gradient(unsigned width, unsigned height, unsigned components) {
    Image8 image{width, height, components, {}};
    for (unsigned y = 0; y < height; ++y)
        for (unsigned x = 0; x < width; ++x)
            for (unsigned c = 0; c < components; ++c) {
                const double v = 128.0 + 100.0 * std::sin(0.05 * x + 0.9 * c) * std::cos(0.07 * y - 0.4 * c);
                image.samples.push_back(static_cast<std::uint8_t>(std::lround(v)));
            }
    return image;
}

double psnr(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    double sum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - b[i];
        sum += d * d;
    }
    const double mse = sum / static_cast<double>(a.size());
    return 10.0 * std::log10(255.0 * 255.0 / std::max(mse, 1e-9));
}

}  // namespace

TEST_CASE("JPEG: grey and colour images of awkward sizes decode to what was encoded") {
    for (unsigned components : {1U, 3U}) {
        for (auto [w, h] : {std::pair{1U, 1U}, std::pair{17U, 9U}, std::pair{64U, 48U}, std::pair{203U, 131U}}) {
            CAPTURE(components);
            CAPTURE(w);
            const Image8 image = gradient(w, h, components);
            const std::vector<std::uint8_t> jpeg = encodeJpeg(image, 90);
            REQUIRE(jpeg.size() > 4);
            CHECK(jpeg[0] == 0xFF);
            CHECK(jpeg[1] == 0xD8);
            CHECK(jpeg[jpeg.size() - 2] == 0xFF);
            CHECK(jpeg.back() == 0xD9);
            const Image8 decoded = decodeJpeg(jpeg);
            CHECK(decoded.width == w);
            CHECK(decoded.height == h);
            REQUIRE(decoded.components == components);
            // 4:2:0 chroma of a colourful pattern costs some fidelity; grey keeps more.
            CHECK(psnr(decoded.samples, image.samples) > (components == 1 ? 38.0 : 28.0));
            CHECK(decodeJpegGrey(jpeg).components == 1);
        }
    }
}

TEST_CASE("JPEG: quality trades size for fidelity") {
    const Image8 image = gradient(160, 120, 3);
    const auto low = encodeJpeg(image, 20);
    const auto high = encodeJpeg(image, 95);
    CHECK(low.size() < high.size());
    CHECK(psnr(decodeJpeg(low).samples, image.samples) < psnr(decodeJpeg(high).samples, image.samples));
    // Random noise at quality 100 uses long codes and every symbol.
    Image8 noise{97, 61, 3, {}};
    std::mt19937 random(5);
    for (std::size_t i = 0; i < 97 * 61 * 3; ++i) noise.samples.push_back(static_cast<std::uint8_t>(random()));
    const Image8 decoded = decodeJpeg(encodeJpeg(noise, 100));
    CHECK(decoded.width == 97);
    CHECK(decoded.height == 61);
    // Grey noise at quality 100 (every quantiser 1) comes back all but exactly; colour noise does
    // not, its chroma being halved both ways.
    Image8 grey{97, 61, 1, {}};
    for (std::size_t i = 0; i < 97 * 61; ++i) grey.samples.push_back(static_cast<std::uint8_t>(random()));
    CHECK(psnr(decodeJpeg(encodeJpeg(grey, 100)).samples, grey.samples) > 40.0);
}

TEST_CASE("JPEG: what is refused") {
    const Image8 image = gradient(16, 16, 3);
    CHECK_THROWS_AS(encodeJpeg(image, 0), std::invalid_argument);
    CHECK_THROWS_AS(encodeJpeg(image, 101), std::invalid_argument);
    CHECK_THROWS_AS(encodeJpeg(Image8{2, 2, 2, std::vector<std::uint8_t>(8)}, 50), std::invalid_argument);
    CHECK_THROWS_AS(encodeJpeg(Image8{2, 2, 3, std::vector<std::uint8_t>(11)}, 50), std::invalid_argument);
    CHECK_THROWS_AS(encodeJpeg(Image8{0, 0, 1, {}}, 50), std::invalid_argument);
    CHECK_THROWS_AS(decodeJpeg(std::vector<std::uint8_t>{1, 2, 3, 4}), JpegError);
    std::vector<std::uint8_t> cut = encodeJpeg(image, 80);
    cut.resize(20);
    CHECK_THROWS_AS(decodeJpeg(cut), JpegError);
}
