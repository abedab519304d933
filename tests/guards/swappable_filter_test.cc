// The reloadable guards filter: swaps while requests run, and a response
// filter that outlives the swap keeps its own filter alive.
#include "guards/swappable_filter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace rampart::guards {
namespace {

class Tagging final : public GatewayFilter {
 public:
  Tagging(std::string tag, std::shared_ptr<int> alive) : tag_(std::move(tag)), alive_(alive) {}
  std::string_view name() const override { return "t"; }
  FilterDecision OnRequest(const FilterRequest&) override {
    FilterDecision d;
    d.annotations.push_back(tag_);
    return d;
  }
  std::unique_ptr<ResponseFilter> OnResponse(const FilterRequest&, int, std::string_view) override {
    class Upper final : public ResponseFilter {
     public:
      explicit Upper(const Tagging* f) : f_(f) {}
      bool Feed(std::string_view in, std::string* out) override {
        *out += f_->tag_;  // reads its filter: must still be alive
        *out += in;
        return true;
      }
      void Finish(std::string*) override {}
      const Tagging* f_;
    };
    return std::make_unique<Upper>(this);
  }
  void RenderMetrics(std::string* out) const override { *out += tag_; }

 private:
  std::string tag_;
  std::shared_ptr<int> alive_;
};

TEST(SwappableFilter, SwapsAndKeepsInFlightResponsesWhole) {
  auto a_alive = std::make_shared<int>(0);
  SwappableFilter f(std::make_shared<Tagging>("a", a_alive));
  FilterRequest r;
  EXPECT_EQ(f.OnRequest(r).annotations.at(0), "a");
  auto resp = f.OnResponse(r, 200, "text/plain");
  ASSERT_TRUE(resp);
  std::weak_ptr<int> watch = a_alive;
  a_alive.reset();
  f.Set(std::make_shared<Tagging>("b", std::make_shared<int>(0)));
  EXPECT_EQ(f.OnRequest(r).annotations.at(0), "b");
  EXPECT_FALSE(watch.expired());  // the response still holds filter "a"
  std::string out;
  resp->Feed("x", &out);
  EXPECT_EQ(out, "ax");
  resp.reset();
  EXPECT_TRUE(watch.expired());
  std::string m;
  f.RenderMetrics(&m);
  EXPECT_EQ(m, "b");
  // Guards turned off by a reload: everything passes.
  f.Set(nullptr);
  EXPECT_EQ(f.OnRequest(r).action, FilterDecision::Action::kAllow);
  EXPECT_TRUE(f.OnRequest(r).annotations.empty());
  EXPECT_EQ(f.OnResponse(r, 200, "text/plain"), nullptr);
}

TEST(SwappableFilter, ConcurrentSwapsAndRequests) {
  SwappableFilter f(std::make_shared<Tagging>("0", nullptr));
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  std::atomic<int> seen{0};
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      FilterRequest r;
      while (!stop) {
        auto d = f.OnRequest(r);
        auto resp = f.OnResponse(r, 200, "text/plain");
        std::string out;
        resp->Feed("y", &out);
        if (d.annotations.size() == 1 && out.size() >= 2) ++seen;
      }
    });
  }
  // Swap at least 2000 times and until the readers have made 1000 requests
  // (on a loaded machine they may not run at all during the first swaps).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int k = 1; (k <= 2000 || seen.load() < 1000) && std::chrono::steady_clock::now() < deadline;
       ++k)
    f.Set(std::make_shared<Tagging>(std::to_string(k), nullptr));
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GE(seen.load(), 1000);
}

}  // namespace
}  // namespace rampart::guards
