#include "guards/swappable_filter.h"

#include "guards/guard_filter.h"

namespace rampart::guards {
namespace {

// A response filter that holds the filter that made it.
class Holding final : public ResponseFilter {
 public:
  Holding(std::shared_ptr<GatewayFilter> owner, std::unique_ptr<ResponseFilter> inner)
      : owner_(std::move(owner)), inner_(std::move(inner)) {}
  ~Holding() override { inner_.reset(); }  // before owner_ goes
  bool Feed(std::string_view in, std::string* out) override { return inner_->Feed(in, out); }
  void Finish(std::string* out) override { inner_->Finish(out); }
  std::string_view blocked_reason() const override { return inner_->blocked_reason(); }

 private:
  std::shared_ptr<GatewayFilter> owner_;
  std::unique_ptr<ResponseFilter> inner_;
};

}  // namespace

void SwappableFilter::Set(std::shared_ptr<GatewayFilter> inner) {
  auto current = inner_.load();
  auto* from = dynamic_cast<const GuardFilter*>(current.get());
  auto* to = dynamic_cast<GuardFilter*>(inner.get());
  if (from && to && from != to) to->Carry(from->Totals());
  inner_.store(std::move(inner));
}

FilterDecision SwappableFilter::OnRequest(const FilterRequest& r) {
  auto f = inner_.load();
  return f ? f->OnRequest(r) : FilterDecision{};
}

std::unique_ptr<ResponseFilter> SwappableFilter::OnResponse(const FilterRequest& r, int status,
                                                            std::string_view content_type) {
  auto f = inner_.load();
  if (!f) return nullptr;
  auto inner = f->OnResponse(r, status, content_type);
  if (!inner) return nullptr;
  return std::make_unique<Holding>(std::move(f), std::move(inner));
}

void SwappableFilter::OnComplete(const FilterRequest& r, const FilterOutcome& o) {
  if (auto f = inner_.load()) f->OnComplete(r, o);
}

void SwappableFilter::RenderMetrics(std::string* out) const {
  if (auto f = inner_.load()) f->RenderMetrics(out);
}

}  // namespace rampart::guards
