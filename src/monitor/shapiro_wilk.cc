#include "monitor/shapiro_wilk.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace rampart::monitor {
namespace {

// c[0] + c[1] x + ... + c[n-1] x^(n-1).
double Poly(const double* c, int n, double x) {
  double r = 0;
  for (int i = n - 1; i >= 0; --i) r = r * x + c[i];
  return r;
}

double UpperNormal(double z) { return 0.5 * std::erfc(z / std::numbers::sqrt2); }

}  // namespace

double NormalQuantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - kLow) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One step of Halley's method on Phi(x) - p.
  double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

std::optional<ShapiroWilk> ShapiroWilkTest(std::span<const double> in) {
  const int n = static_cast<int>(in.size());
  if (n < 3 || n > 5000) return std::nullopt;
  std::vector<double> x(in.begin(), in.end());
  for (double v : x)
    if (!std::isfinite(v)) return std::nullopt;
  std::sort(x.begin(), x.end());
  const double range = x[n - 1] - x[0];
  if (!(range > 1e-19 * std::max(1.0, std::abs(x[0])))) return std::nullopt;

  // Coefficients a[1..n/2] (a[0] unused), antisymmetric about the middle.
  static constexpr double c1[] = {0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056};
  static constexpr double c2[] = {0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633};
  static constexpr double c3[] = {0.5440, -0.39978, 0.025054, -6.714e-4};
  static constexpr double c4[] = {1.3822, -0.77857, 0.062767, -0.0020322};
  static constexpr double c5[] = {-1.5861, -0.31082, -0.083751, 0.0038915};
  static constexpr double c6[] = {-0.4803, -0.082676, 0.0030302};
  static constexpr double g[] = {-2.273, 0.459};
  const int half = n / 2;
  const double an = n;
  std::vector<double> a(half + 1, 0.0);
  if (n == 3) {
    a[1] = std::numbers::sqrt2 / 2;
  } else {
    std::vector<double> m(half + 1);
    double summ2 = 0;
    for (int i = 1; i <= half; ++i) {
      m[i] = NormalQuantile((i - 0.375) / (an + 0.25));
      summ2 += m[i] * m[i];
    }
    summ2 *= 2;
    const double ssumm2 = std::sqrt(summ2);
    const double rsn = 1 / std::sqrt(an);
    const double a1 = Poly(c1, 6, rsn) - m[1] / ssumm2;
    int first;
    double fac;
    if (n > 5) {
      first = 3;
      const double a2 = -m[2] / ssumm2 + Poly(c2, 6, rsn);
      fac =
          std::sqrt((summ2 - 2 * m[1] * m[1] - 2 * m[2] * m[2]) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
      a[2] = a2;
    } else {
      first = 2;
      fac = std::sqrt((summ2 - 2 * m[1] * m[1]) / (1 - 2 * a1 * a1));
    }
    a[1] = a1;
    for (int i = first; i <= half; ++i) a[i] = -m[i] / fac;
  }

  // W as the squared correlation of the scaled sample with the signed
  // coefficients (coefficient of x[i]: -a[i+1] in the lower half, +a[n-i]
  // in the upper, 0 in the middle of an odd sample).
  auto coef = [&](int i) {
    int j = n - 1 - i;
    if (i == j) return 0.0;
    return i < j ? -a[i + 1] : a[j + 1];
  };
  double sa = 0, sx = 0;
  for (int i = 0; i < n; ++i) {
    sa += coef(i);
    sx += x[i] / range;
  }
  sa /= n;
  sx /= n;
  double ssa = 0, ssx = 0, sax = 0;
  for (int i = 0; i < n; ++i) {
    double asa = coef(i) - sa;
    double xsx = x[i] / range - sx;
    ssa += asa * asa;
    ssx += xsx * xsx;
    sax += asa * xsx;
  }
  // w1 = 1 - W, computed so as to keep precision when W is near 1.
  const double ssassx = std::sqrt(ssa * ssx);
  const double w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
  ShapiroWilk r;
  r.w = 1 - w1;
  if (n == 3) {
    constexpr double kSixOverPi = 6 / std::numbers::pi;
    constexpr double kStqr = std::numbers::pi / 3;  // asin(sqrt(3/4))
    r.p = std::max(0.0, kSixOverPi * (std::asin(std::sqrt(std::min(1.0, r.w))) - kStqr));
    return r;
  }
  if (w1 <= 0) {
    r.w = 1;
    r.p = 1;
    return r;
  }
  double y = std::log(w1);
  const double lxx = std::log(an);
  double mean, sd;
  if (n <= 11) {
    const double gamma = Poly(g, 2, an);
    if (y >= gamma) {
      r.p = 1e-99;
      return r;
    }
    y = -std::log(gamma - y);
    mean = Poly(c3, 4, an);
    sd = std::exp(Poly(c4, 4, an));
  } else {
    mean = Poly(c5, 4, lxx);
    sd = std::exp(Poly(c6, 3, lxx));
  }
  r.p = UpperNormal((y - mean) / sd);
  return r;
}

}  // namespace rampart::monitor
