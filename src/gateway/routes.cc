#include "gateway/routes.h"

#include <array>

#include "core/ascii.h"

namespace rampart::gateway {
namespace {

using PF = ProtocolFamily;
using MS = ModelSource;

// Indexed by RouteKind.
constexpr std::array<RouteInfo, kRouteKindCount> kRoutes = {{
    {RouteKind::kChatCompletions, PF::kOpenAi, MS::kBody, "POST", false, false, true},
    {RouteKind::kCompletions, PF::kOpenAi, MS::kBody, "POST", false, false, true},
    {RouteKind::kEmbeddings, PF::kOpenAi, MS::kBody, "POST", false, false, false},
    {RouteKind::kModelList, PF::kOpenAi, MS::kNone, "GET", false, true, false},
    {RouteKind::kV2Infer, PF::kV2, MS::kPath, "POST", false, false, false},
    {RouteKind::kV2ModelMetadata, PF::kV2, MS::kPath, "GET", false, false, false},
    {RouteKind::kV2ModelReady, PF::kV2, MS::kPath, "GET", false, false, false},
    {RouteKind::kV2ServerMetadata, PF::kV2, MS::kNone, "GET", false, false, false},
    {RouteKind::kV2Health, PF::kV2, MS::kNone, "GET", false, false, false},
    {RouteKind::kV2RepositoryIndex, PF::kV2, MS::kNone, "POST", true, false, false},
    {RouteKind::kV2RepositoryLoad, PF::kV2, MS::kPath, "POST", true, false, false},
    {RouteKind::kV2RepositoryUnload, PF::kV2, MS::kPath, "POST", true, false, false},
}};

constexpr std::array<std::string_view, kRouteKindCount> kNames = {
    "chat",   "completions",      "embeddings",      "models",
    "infer",  "model_metadata",   "model_ready",     "server_metadata",
    "health", "repository_index", "repository_load", "repository_unload"};

constexpr std::size_t kMaxTarget = 8192;
constexpr std::size_t kMaxSegments = 8;  // the longest route has 7

HttpError BadTarget(std::string why) {
  return HttpError{400, "bad_target", "bad request target: " + why, ""};
}

HttpError NotFound() { return HttpError{404, "route_not_found", "no route for this path", ""}; }

// A model or version name taken from the path: no percent-escapes (they are
// never decoded, so they could not name an estate model anyway) and no
// characters outside the URL-safe set.
bool IsNameSegment(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':' || c == '@' || c == '+' || c == '~';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string_view RouteName(RouteKind k) { return kNames[static_cast<int>(k)]; }

const std::vector<std::string>& RouteNames() {
  static const std::vector<std::string> kAll = [] {
    std::vector<std::string> v(kNames.begin(), kNames.end());
    v.push_back("repository");
    return v;
  }();
  return kAll;
}

const RouteInfo& InfoOf(RouteKind k) { return kRoutes[static_cast<int>(k)]; }

HttpResult<std::pair<std::string_view, std::string_view>> SplitTarget(std::string_view target) {
  if (target.empty()) return std::unexpected(BadTarget("empty"));
  if (target.size() > kMaxTarget) return std::unexpected(BadTarget("too long"));
  if (target.front() != '/') return std::unexpected(BadTarget("not in origin-form"));
  std::size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return std::unexpected(BadTarget("control byte or space"));
    if (c == '#') return std::unexpected(BadTarget("fragment"));
  }
  if (path.find('\\') != std::string_view::npos)
    return std::unexpected(BadTarget("backslash in path"));
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') continue;
    if (i + 2 >= path.size() || HexDigitValue(path[i + 1]) < 0 || HexDigitValue(path[i + 2]) < 0)
      return std::unexpected(BadTarget("malformed percent-escape"));
    int v = HexDigitValue(path[i + 1]) * 16 + HexDigitValue(path[i + 2]);
    // Escapes that a decoder downstream could turn into path structure.
    if (v == '/' || v == '\\' || v == '.' || v == 0 || v == '%' || v < 0x20 || v == 0x7f)
      return std::unexpected(BadTarget("encoded '/', '\\', '.', '%' or control byte"));
  }
  // Segments: no empty ("//"), no "." or "..". A single trailing '/' is an
  // empty last segment too: refused, so "/v2/" is not "/v2".
  if (path.size() > 1) {
    std::size_t start = 1;
    while (true) {
      std::size_t end = path.find('/', start);
      std::string_view seg =
          path.substr(start, end == std::string_view::npos ? path.npos : end - start);
      if (seg.empty()) return std::unexpected(BadTarget("empty path segment"));
      if (seg == "." || seg == "..") return std::unexpected(BadTarget("dot segment"));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  return std::pair{path, query};
}

RouteTable RouteTable::Build(const estate::Estate& e) {
  RouteTable t;
  for (const auto& s : e.services) {
    if (!s.inference) continue;
    ServiceEntry entry;
    entry.name = s.name;
    entry.family =
        s.inference->protocol == estate::InferenceProtocol::kOpenAi ? PF::kOpenAi : PF::kV2;
    entry.models = s.inference->models;
    int idx = static_cast<int>(t.services_.size());
    if (entry.family == PF::kOpenAi && t.first_openai_ < 0) t.first_openai_ = idx;
    if (entry.family == PF::kV2 && t.first_v2_ < 0) t.first_v2_ = idx;
    t.services_.push_back(std::move(entry));
  }
  return t;
}

HttpResult<int> RouteTable::ServiceFor(ProtocolFamily family, std::string_view model) const {
  int catch_all = -1;
  for (std::size_t i = 0; i < services_.size(); ++i) {
    const ServiceEntry& s = services_[i];
    if (s.family != family) continue;
    if (s.models.empty()) {
      if (catch_all < 0) catch_all = static_cast<int>(i);
      continue;
    }
    for (const auto& m : s.models)
      if (m == model) return static_cast<int>(i);
  }
  if (catch_all >= 0 && !model.empty()) return catch_all;
  return std::unexpected(HttpError{404, "model_not_found",
                                   "no service serves model '" + std::string(model) + "'", ""});
}

HttpResult<RouteMatch> RouteTable::Match(std::string_view method, std::string_view target) const {
  auto split = SplitTarget(target);
  if (!split) return std::unexpected(std::move(split.error()));
  auto [path, query] = *split;

  std::array<std::string_view, kMaxSegments> seg{};
  std::size_t n = 0;
  for (std::size_t start = 1; start <= path.size() && path.size() > 1;) {
    if (n == kMaxSegments) return std::unexpected(NotFound());
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    seg[n++] = path.substr(start, end - start);
    start = end + 1;
  }

  RouteMatch m;
  m.path = path;
  m.query = query;
  auto found = [&](RouteKind k) -> HttpResult<RouteMatch> {
    const RouteInfo& info = InfoOf(k);
    if (!has(info.family)) return std::unexpected(NotFound());
    if (method != info.method) {
      return std::unexpected(
          HttpError{405, "method_not_allowed",
                    "method " + std::string(method.substr(0, 16)) + " is not allowed on this route",
                    std::string(info.method)});
    }
    m.route = &info;
    if (info.model_source == MS::kNone) {
      m.service = info.family == PF::kOpenAi ? first_openai_ : first_v2_;
    }
    return m;
  };

  if (n == 0) return std::unexpected(NotFound());
  if (seg[0] == "v1") {
    if (n == 3 && seg[1] == "chat" && seg[2] == "completions")
      return found(RouteKind::kChatCompletions);
    if (n == 2 && seg[1] == "completions") return found(RouteKind::kCompletions);
    if (n == 2 && seg[1] == "embeddings") return found(RouteKind::kEmbeddings);
    if (n == 2 && seg[1] == "models") return found(RouteKind::kModelList);
    return std::unexpected(NotFound());
  }
  if (seg[0] != "v2") return std::unexpected(NotFound());
  if (n == 1) return found(RouteKind::kV2ServerMetadata);
  if (seg[1] == "health") {
    if (n == 3 && (seg[2] == "live" || seg[2] == "ready")) return found(RouteKind::kV2Health);
    return std::unexpected(NotFound());
  }
  if (seg[1] == "models" && n >= 3) {
    if (!IsNameSegment(seg[2])) return std::unexpected(NotFound());
    std::size_t i = 3;
    std::string_view version;
    if (n >= 5 && seg[3] == "versions") {
      if (!IsNameSegment(seg[4])) return std::unexpected(NotFound());
      version = seg[4];
      i = 5;
    }
    RouteKind k;
    if (i == n) {
      k = RouteKind::kV2ModelMetadata;
    } else if (i + 1 == n && seg[i] == "ready") {
      k = RouteKind::kV2ModelReady;
    } else if (i + 1 == n && seg[i] == "infer") {
      k = RouteKind::kV2Infer;
    } else {
      return std::unexpected(NotFound());
    }
    auto r = found(k);
    if (r) {
      r->model = std::string(seg[2]);
      r->version = std::string(version);
    }
    return r;
  }
  if (seg[1] == "repository") {
    if (n == 3 && seg[2] == "index") return found(RouteKind::kV2RepositoryIndex);
    if (n == 5 && seg[2] == "models" && IsNameSegment(seg[3]) &&
        (seg[4] == "load" || seg[4] == "unload")) {
      auto r =
          found(seg[4] == "load" ? RouteKind::kV2RepositoryLoad : RouteKind::kV2RepositoryUnload);
      if (r) r->model = std::string(seg[3]);
      return r;
    }
  }
  return std::unexpected(NotFound());
}

}  // namespace rampart::gateway
