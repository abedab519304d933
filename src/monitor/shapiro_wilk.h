// The Shapiro–Wilk W test of normality, Royston's algorithm (Remark AS R94,
// Applied Statistics 44 (1995) 547–551): the coefficients from Royston's
// polynomial approximations, W as the squared correlation between the
// ordered sample and the coefficients, and W's significance level (exact for
// n = 3; normalising transformations for 4 ≤ n ≤ 11 and n ≥ 12).
//
// Used by the PRADA detector (docs/design/monitor.md) on the distribution of
// a client's minimum query distances. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>

namespace rampart::monitor {

struct ShapiroWilk {
  double w = 1;  // in (0, 1]; near 1 = consistent with a normal sample
  double p = 1;  // P(W' <= w) under normality
};

// `x` need not be sorted. nullopt when n < 3, n > 5000, a value is not
// finite, or every value is the same (zero range: W is undefined).
std::optional<ShapiroWilk> ShapiroWilkTest(std::span<const double> x);

// The standard normal quantile function (Acklam's approximation refined by
// one Halley step: |error| < 1e-15 on (0, 1)). p must be in (0, 1).
double NormalQuantile(double p);

}  // namespace rampart::monitor
