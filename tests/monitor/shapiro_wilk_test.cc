// Shapiro–Wilk (Royston AS R94) against values from the literature and a
// NumPy re-derivation of R94 (tests/monitor/shapiro_wilk_reference.py).
#include "monitor/shapiro_wilk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace rampart::monitor {
namespace {

TEST(NormalQuantile, KnownValues) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.5), 0.0, 1e-15);
  EXPECT_NEAR(NormalQuantile(0.001), -3.090232306167813, 1e-11);
  EXPECT_NEAR(NormalQuantile(1e-10), -6.361340902404056, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.9), 1.2815515655446004, 1e-12);
}

// Shapiro & Wilk (1965), the weights of 11 men. W with the paper's tabulated
// coefficients for n = 11 (0.5601, 0.3315, 0.2260, 0.1429, 0.0695) is
// 0.78884; Royston's approximation gives 0.78881, p = 0.006704 (as R's
// shapiro.test prints for these data).
TEST(ShapiroWilk, ElevenMenOfTheOriginalPaper) {
  std::vector<double> x = {148, 154, 158, 160, 161, 162, 166, 170, 182, 195, 236};
  auto r = ShapiroWilkTest(x);
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->w, 0.78884, 5e-4);
  EXPECT_NEAR(r->w, 0.7888146948353875, 1e-9);
  EXPECT_NEAR(r->p, 0.006703814056502989, 1e-8);
}

// n = 3: W = 3/4 + ... exactly; p = 6/pi (asin(sqrt(W)) - asin(sqrt(3/4))).
TEST(ShapiroWilk, ExactForThree) {
  std::vector<double> x = {4, 1, 2};  // unsorted on purpose
  auto r = ShapiroWilkTest(x);
  ASSERT_TRUE(r);
  // mean 7/3, SS = 42/9; b = (4 - 1)/sqrt(2); W = b^2 / SS = 4.5 / (42/9).
  EXPECT_NEAR(r->w, 4.5 / (42.0 / 9.0), 1e-12);
  double p = 6 / std::numbers::pi * (std::asin(std::sqrt(r->w)) - std::numbers::pi / 3);
  EXPECT_NEAR(r->p, p, 1e-12);
  EXPECT_NEAR(r->p, 0.6368868450289701, 1e-9);
}

TEST(ShapiroWilk, AgreesWithTheNumPyDerivation) {
  std::vector<double> d20 = {2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.1, 3.9, 2.2,
                             6.8, 3.0, 3.6, 4.9, 2.5, 3.1, 4.0, 3.7, 2.9, 5.2};
  auto r = ShapiroWilkTest(d20);
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->w, 0.9525521770621838, 1e-9);
  EXPECT_NEAR(r->p, 0.40749886060870266, 1e-7);

  std::vector<double> u;  // 1..100: uniform, too flat
  for (int i = 1; i <= 100; ++i) u.push_back(i);
  r = ShapiroWilkTest(u);
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->w, 0.9547247449917191, 1e-9);
  EXPECT_NEAR(r->p, 0.0017217222029888627, 1e-8);

  std::vector<double> e;  // exp(i/10): skewed, clearly not normal
  for (int i = 0; i < 50; ++i) e.push_back(std::exp(i / 10.0));
  r = ShapiroWilkTest(e);
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->w, 0.7640651517305064, 1e-9);
  EXPECT_LT(r->p, 1e-6);
}

TEST(ShapiroWilk, UndefinedCasesAreNotAnswered) {
  EXPECT_FALSE(ShapiroWilkTest(std::vector<double>{1, 2}));
  EXPECT_FALSE(ShapiroWilkTest(std::vector<double>(10, 3.0)));
  EXPECT_FALSE(ShapiroWilkTest(std::vector<double>{1, 2, NAN, 4}));
  EXPECT_FALSE(ShapiroWilkTest(std::vector<double>(5001, 1.0)));
  std::vector<double> big;
  for (int i = 0; i < 5000; ++i) big.push_back(std::sin(i * 0.37) + i * 1e-4);
  EXPECT_TRUE(ShapiroWilkTest(big));
}

}  // namespace
}  // namespace rampart::monitor
