// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/NoiseTables.hpp"

#include <cmath>
#include <stdexcept>

namespace sonyalpaca::ptp::sim {

namespace {

double normalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double probabilityOf(std::size_t index) {
    return (static_cast<double>(index) + 0.5) / static_cast<double>(NoiseTables::kSize);
}

}  // namespace

double NoiseTables::normalQuantile(double p) {
    if (!(p > 0.0 && p < 1.0)) throw std::domain_error("normalQuantile needs 0 < p < 1");
    // Bisection on the CDF: slow but exact, and only used to build tables.
    double lo = -40.0;
    double hi = 40.0;
    for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
        const double mid = 0.5 * (lo + hi);
        (normalCdf(mid) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

const NoiseTables::Table& NoiseTables::standardNormal() {
    static const Table table = [] {
        Table t{};
        for (std::size_t i = 0; i < kSize; ++i) t[i] = static_cast<float>(normalQuantile(probabilityOf(i)));
        return t;
    }();
    return table;
}

NoiseTables::Table NoiseTables::poisson(double mean) {
    if (!(mean >= 0.0) || !std::isfinite(mean)) throw std::invalid_argument("Poisson mean must be finite and >= 0");
    Table t{};
    if (mean > 400.0) {
        const Table& z = standardNormal();
        const double sd = std::sqrt(mean);
        for (std::size_t i = 0; i < kSize; ++i) t[i] = static_cast<float>(mean + sd * z[i]);
        return t;
    }
    // Walk the CDF once: the probabilities of the table rise monotonically.
    unsigned k = 0;
    double pmf = std::exp(-mean);
    double cdf = pmf;
    for (std::size_t i = 0; i < kSize; ++i) {
        const double p = probabilityOf(i);
        while (cdf < p && k < 100000) {
            ++k;
            pmf *= mean / k;
            cdf += pmf;
        }
        t[i] = static_cast<float>(k);
    }
    return t;
}

}  // namespace sonyalpaca::ptp::sim
