// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstddef>

namespace sonyalpaca::ptp::sim {

/// Quantile tables that turn 12 random bits into a sample of a distribution with one table load:
/// entry i is the quantile at probability (i + 0.5) / 4096. 4096 entries keep a table in 16 KiB,
/// in the first-level cache, which is what makes a 24 MP frame cheap to render. The price is a
/// distribution truncated at about ±3.5 sigma (the variance is 0.3 % low).
class NoiseTables {
public:
    static constexpr std::size_t kBits = 12;
    static constexpr std::size_t kSize = std::size_t{1} << kBits;
    using Table = std::array<float, kSize>;

    /// Quantiles of the standard normal distribution (computed once, then shared; thread-safe).
    static const Table& standardNormal();

    /// Quantiles of Poisson(mean), mean >= 0: exact integers up to mean 400, the normal
    /// approximation mean + sqrt(mean) z above.
    static Table poisson(double mean);

    /// Quantile function of the standard normal at probability p in (0, 1), to about 1e-9.
    static double normalQuantile(double p);
};

}  // namespace sonyalpaca::ptp::sim
