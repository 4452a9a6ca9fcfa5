// SPDX-License-Identifier: GPL-3.0-or-later
#include "JpegDecoder.hpp"
#include "SimLayouts.hpp"

#include "ptp/sim/sky/FastRandom.hpp"
#include "ptp/sim/sky/JpegWriter.hpp"
#include "ptp/sim/sky/PreviewJpeg.hpp"
#include "ptp/sim/sky/SkyRenderer.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include <algorithm>
#include <cmath>

using namespace sonyalpaca::ptp::sim;
using sonyalpaca::test::decodeJpeg;
using sonyalpaca::test::smallLayout;

namespace {

JpegImage gradient(unsigned width, unsigned height, unsigned components) {
    JpegImage image{width, height, components, {}};
    for (unsigned y = 0; y < height; ++y) {
        for (unsigned x = 0; x < width; ++x) {
            for (unsigned c = 0; c < components; ++c) {
                const double v = 128.0 + 100.0 * std::sin(0.05 * x + 0.9 * c) * std::cos(0.07 * y - 0.4 * c);
                image.samples.push_back(static_cast<std::uint8_t>(std::lround(v)));
            }
        }
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
            const JpegImage image = gradient(w, h, components);
            const std::vector<std::uint8_t> jpeg = JpegWriter::encode(image, 90);
            REQUIRE(jpeg.size() > 4);
            CHECK(jpeg[0] == 0xFF);
            CHECK(jpeg[1] == 0xD8);
            CHECK(jpeg[jpeg.size() - 2] == 0xFF);
            CHECK(jpeg.back() == 0xD9);
            const auto decoded = decodeJpeg(jpeg);
            CHECK(decoded.width == w);
            CHECK(decoded.height == h);
            CHECK(decoded.components == components);
            // 4:2:0 chroma of a colourful pattern costs some fidelity; grey keeps more.
            CHECK(psnr(decoded.samples, image.samples) > (components == 1 ? 38.0 : 28.0));
        }
    }
}

TEST_CASE("JPEG: quality trades size for fidelity") {
    const JpegImage image = gradient(160, 120, 3);
    const auto low = JpegWriter::encode(image, 20);
    const auto high = JpegWriter::encode(image, 95);
    CHECK(low.size() < high.size());
    CHECK(psnr(decodeJpeg(low).samples, image.samples) < psnr(decodeJpeg(high).samples, image.samples));
    // Random noise exercises long codes and every symbol.
    JpegImage noise{97, 61, 3, {}};
    FastRandom random(5);
    for (std::size_t i = 0; i < 97 * 61 * 3; ++i) noise.samples.push_back(static_cast<std::uint8_t>(random.next()));
    const auto decoded = decodeJpeg(JpegWriter::encode(noise, 100));
    CHECK(decoded.width == 97);
    CHECK_THROWS_AS(JpegWriter::encode(image, 0), std::invalid_argument);
    CHECK_THROWS_AS(JpegWriter::encode(JpegImage{2, 2, 2, std::vector<std::uint8_t>(8)}, 50), std::invalid_argument);
    CHECK_THROWS_AS(JpegWriter::encode(JpegImage{2, 2, 3, std::vector<std::uint8_t>(11)}, 50), std::invalid_argument);
}

TEST_CASE("preview: a stretched, binned colour JPEG no wider than asked, stars bright on a dark sky") {
    SkyConditions c;
    c.seed = 8;
    c.exposure_s = 10.0;
    c.iso = 800;
    const RawImage raw = renderSky(smallLayout(), c);
    const JpegImage picture = PreviewJpeg::render(raw, 160);
    CHECK(picture.width == 154);  // 308 cells, 2 per pixel
    CHECK(picture.height == 100);
    // The sky's median sits near 25 % grey in every channel; bright stars come close to white.
    for (unsigned channel = 0; channel < 3; ++channel) {
        std::vector<std::uint8_t> values;
        for (std::size_t i = channel; i < picture.samples.size(); i += 3) values.push_back(picture.samples[i]);
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
        CHECK(std::abs(values[values.size() / 2] - 64) <= 4);
        CHECK(*std::max_element(values.begin(), values.end()) >= 240);
    }
    const std::vector<std::uint8_t> jpeg = previewJpeg(raw, 160, 80);
    const auto decoded = decodeJpeg(jpeg);
    CHECK(decoded.width == 154);
    CHECK(decoded.height == 100);
    CHECK(decoded.components == 3);
    CHECK(previewJpeg(raw, 1000).size() > jpeg.size());
    CHECK(decodeJpeg(previewJpeg(raw, 1000)).width == 308);
    CHECK_THROWS_AS(PreviewJpeg::render(raw, 0), std::invalid_argument);
}
