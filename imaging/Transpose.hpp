// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <span>

namespace sonyalpaca::imaging {

/// Alpaca's array order from a row-major image: out[x * height + y] = in[y * width + x], i.e. x the
/// first (slowest) index and y the fastest, the transpose of the row-major buffer (alpaca.md §4).
/// Works through 64x64 tiles so that both the rows read and the columns written stay in the cache.
/// `in` and `out` must each hold width * height values and must not overlap; throws
/// std::invalid_argument otherwise.
void transposeToColumns(std::span<const std::uint16_t> in, unsigned width, unsigned height,
                        std::span<std::uint16_t> out);

/// The same result by the textbook double loop, one column at a time (for tests and the benchmark).
void transposeToColumnsNaive(std::span<const std::uint16_t> in, unsigned width, unsigned height,
                             std::span<std::uint16_t> out);

}  // namespace sonyalpaca::imaging
