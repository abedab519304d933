#include "gateway/policy.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/ascii.h"
#include "core/json.h"

namespace rampart::gateway {

namespace {
// Heterogeneous lookup: the request path looks models up by string_view
// without allocating.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;
}  // namespace

struct Policy::Impl {
  struct Rule {
    StringSet identities;
    StringSet roles;
    bool any_identity = false;
    bool any_role = false;
    StringSet models;
    bool any_model = false;
    std::uint32_t routes = 0;  // bit per RouteKind
  };
  std::vector<Rule> rules;
  std::unordered_map<std::string, const estate::Identity*, StringHash, std::equal_to<>> identities;
  std::unordered_map<std::string, std::string> spiffe;  // spiffe_id -> identity
  StringSet admin_roles;
};

namespace {

constexpr std::uint32_t Bit(RouteKind k) { return 1u << static_cast<int>(k); }
constexpr std::uint32_t kRepositoryBits = Bit(RouteKind::kV2RepositoryIndex) |
                                          Bit(RouteKind::kV2RepositoryLoad) |
                                          Bit(RouteKind::kV2RepositoryUnload);
constexpr std::uint32_t kAllBits = (1u << kRouteKindCount) - 1;

HttpError Unauthenticated(std::string reason) {
  return HttpError{401, "unauthenticated", std::move(reason), ""};
}

HttpError Forbidden(std::string reason) {
  return HttpError{403, "forbidden", std::move(reason), ""};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void AddRole(std::vector<std::string>* roles, std::string_view r) {
  if (r.empty()) return;
  if (std::find(roles->begin(), roles->end(), r) == roles->end()) roles->emplace_back(r);
}

}  // namespace

std::string_view ToString(AuthMethod m) {
  switch (m) {
    case AuthMethod::kApiKey:
      return "api_key";
    case AuthMethod::kJwt:
      return "jwt";
    case AuthMethod::kMtls:
      return "mtls";
  }
  return "unknown";
}

Result<std::shared_ptr<const Policy>> Policy::Create(const estate::Estate& estate,
                                                     const GatewayConfig& config,
                                                     std::shared_ptr<const KeyStore> keys,
                                                     const JwtVerifier* jwt) {
  std::shared_ptr<Policy> p(new Policy());
  p->routes_ = RouteTable::Build(estate);
  p->config_ = config;
  p->keys_ = std::move(keys);
  p->jwt_ = jwt;
  auto impl = std::make_shared<Impl>();
  // The Policy keeps copies of what it needs: the estate may go away.
  p->estate_identities_ = estate.identities;
  for (const auto& id : p->estate_identities_) {
    impl->identities.emplace(id.name, &id);
    if (!id.spiffe_id.empty()) impl->spiffe.emplace(id.spiffe_id, id.name);
  }
  impl->admin_roles.insert(config.admin_roles.begin(), config.admin_roles.end());
  for (const AccessRule& r : config.access) {
    Impl::Rule rule;
    for (const auto& i : r.identities) {
      if (i == "*") rule.any_identity = true;
      rule.identities.insert(i);
    }
    for (const auto& ro : r.roles) {
      if (ro == "*") rule.any_role = true;
      rule.roles.insert(ro);
    }
    for (const auto& m : r.models) {
      if (m == "*") rule.any_model = true;
      rule.models.insert(m);
    }
    for (const auto& rt : r.routes) {
      if (rt == "*") {
        // "*" never includes model management: those routes must be named.
        rule.routes |= kAllBits & ~kRepositoryBits;
      } else if (rt == "repository") {
        rule.routes |= kRepositoryBits;
      } else {
        bool known = false;
        for (int k = 0; k < kRouteKindCount; ++k) {
          if (RouteName(static_cast<RouteKind>(k)) == rt) {
            rule.routes |= Bit(static_cast<RouteKind>(k));
            known = true;
          }
        }
        if (!known) {
          return InvalidArgumentError("access rule names unknown route '" + rt + "'");
        }
      }
    }
    impl->rules.push_back(std::move(rule));
  }
  p->impl_ = std::move(impl);
  return std::shared_ptr<const Policy>(std::move(p));
}

HttpResult<Principal> Policy::Authenticate(const Credentials& c,
                                           std::chrono::system_clock::time_point now) const {
  Principal p;
  if (auto e = Authenticate(c, now, &p)) return std::unexpected(std::move(*e));
  return p;
}

std::optional<HttpError> Policy::Authenticate(const Credentials& c,
                                              std::chrono::system_clock::time_point now,
                                              Principal* out) const {
  // Every field as a new Principal has it; the capacity stays.
  Principal& p = *out;
  p.identity.clear();
  p.roles.clear();
  p.method = AuthMethod::kApiKey;
  p.credential_id.clear();
  p.estate_identity = true;
  if (c.duplicated) return Unauthenticated("credential header sent more than once");
  std::string_view token;
  bool from_api_key_header = false;
  if (!c.authorization.empty() && !c.api_key.empty()) {
    return Unauthenticated("send either Authorization or x-api-key, not both");
  }
  if (!c.authorization.empty()) {
    std::string_view a = Trim(c.authorization);
    std::size_t sp = a.find(' ');
    if (sp == std::string_view::npos || !EqualsIgnoreCase(a.substr(0, sp), "bearer")) {
      return Unauthenticated("Authorization must be 'Bearer <token>'");
    }
    token = Trim(a.substr(sp + 1));
    if (token.empty()) return Unauthenticated("empty bearer token");
  } else if (!c.api_key.empty()) {
    token = Trim(c.api_key);
    from_api_key_header = true;
  }

  if (!token.empty()) {
    if (token.starts_with(kApiKeyPrefix) || from_api_key_header) {
      if (!config_.auth.api_keys || keys_ == nullptr) {
        return Unauthenticated("API keys are not accepted");
      }
      auto id = keys_->Authenticate(token);
      if (!id) return Unauthenticated(id.error().message());
      auto it = impl_->identities.find(*id);
      if (it == impl_->identities.end()) {
        return Unauthenticated("API key's identity is not in the estate");
      }
      p.identity = it->second->name;
      for (const auto& r : it->second->roles) AddRole(&p.roles, r);
      p.method = AuthMethod::kApiKey;
      p.credential_id.assign(token.substr(kApiKeyPrefix.size(), 16));
      return std::nullopt;
    }
    if (jwt_ == nullptr) return Unauthenticated("bearer tokens are not accepted");
    auto jp = jwt_->Verify(token, now);
    if (!jp) return Unauthenticated(jp.error().message());
    p.method = AuthMethod::kJwt;
    p.credential_id = jp->subject;
    auto it = impl_->identities.find(jp->subject);
    if (it != impl_->identities.end()) {
      p.identity = it->second->name;
      for (const auto& r : it->second->roles) AddRole(&p.roles, r);
    } else if (config_.auth.jwt_allow_unknown_subjects && !jp->subject.empty()) {
      p.identity = "jwt:" + jp->subject;
      p.estate_identity = false;
    } else {
      return Unauthenticated("token subject is not a known identity");
    }
    for (const auto& r : jp->roles) AddRole(&p.roles, r);
    return std::nullopt;
  }

  if (config_.auth.mtls && !c.peer_sans.empty()) {
    for (const std::string& san : c.peer_sans) {
      const std::string* id = nullptr;
      if (san.find("://") != std::string::npos) {
        auto it = impl_->spiffe.find(san);
        if (it != impl_->spiffe.end()) id = &it->second;
      } else {
        auto it = config_.auth.mtls_dns.find(san);
        if (it != config_.auth.mtls_dns.end()) id = &it->second;
      }
      if (id == nullptr) continue;
      auto it = impl_->identities.find(*id);
      if (it == impl_->identities.end()) continue;
      p.identity = it->second->name;
      for (const auto& r : it->second->roles) AddRole(&p.roles, r);
      p.method = AuthMethod::kMtls;
      p.credential_id = san;
      return std::nullopt;
    }
    return Unauthenticated("client certificate does not name an estate identity");
  }
  return Unauthenticated("missing credentials");
}

namespace {

bool RuleGrants(const Policy::Impl& impl, const Principal& p, RouteKind route,
                std::string_view model, bool need_model) {
  for (const auto& rule : impl.rules) {
    if (!(rule.routes & Bit(route))) continue;
    if (need_model && !rule.any_model && !rule.models.contains(model)) continue;
    bool who = rule.any_identity || (p.estate_identity && rule.identities.contains(p.identity));
    if (!who) {
      for (const auto& r : p.roles) {
        if (rule.any_role || rule.roles.contains(r)) {
          who = true;
          break;
        }
      }
    }
    if (who) return true;
  }
  return false;
}

}  // namespace

HttpResult<Target> Policy::Authorize(const Principal& p, const RouteMatch& m,
                                     std::string_view model) const {
  if (m.route == nullptr) return std::unexpected(HttpError{500, "internal", "no route", ""});
  const RouteInfo& info = *m.route;
  if (info.admin_only) {
    bool admin = false;
    for (const auto& r : p.roles) admin = admin || impl_->admin_roles.contains(r);
    if (!admin) {
      return std::unexpected(Forbidden("model management needs an admin role"));
    }
  }
  std::string_view used_model;
  if (info.model_source == ModelSource::kBody) {
    if (model.empty()) {
      return std::unexpected(
          HttpError{400, "model_required", "the request body must name a \"model\"", ""});
    }
    used_model = model;
  } else if (info.model_source == ModelSource::kPath) {
    used_model = m.model;
  }
  bool need_model = info.model_source != ModelSource::kNone;
  if (!RuleGrants(*impl_, p, info.kind, used_model, need_model)) {
    if (need_model) {
      return std::unexpected(Forbidden("not allowed to use model '" +
                                       std::string(used_model.substr(0, 256)) + "' on route '" +
                                       std::string(RouteName(info.kind)) + "'"));
    }
    return std::unexpected(
        Forbidden("not allowed to use route '" + std::string(RouteName(info.kind)) + "'"));
  }
  Target t;
  if (info.local) return t;
  if (!need_model) {
    t.service = m.service;
  } else {
    auto s = routes_.ServiceFor(info.family, used_model);
    if (!s) return std::unexpected(std::move(s.error()));
    t.service = *s;
  }
  if (t.service < 0) return std::unexpected(HttpError{404, "route_not_found", "no route", ""});
  t.service_name = routes_.services()[t.service].name;
  return t;
}

std::vector<std::pair<LimitKey, LimitSpec>> Policy::LimitsFor(const Principal& p,
                                                              std::string_view model) const {
  std::vector<std::pair<LimitKey, LimitSpec>> out;
  LimitsFor(p, model, &out);
  return out;
}

void Policy::LimitsFor(const Principal& p, std::string_view model,
                       std::vector<std::pair<LimitKey, LimitSpec>>* out) const {
  const RateLimitConfig& rl = config_.rate_limits;
  const LimitSpec* id_spec = nullptr;
  if (auto it = rl.identities.find(p.identity); it != rl.identities.end()) {
    id_spec = &it->second;
  } else {
    for (const auto& r : p.roles) {
      if (auto rit = rl.roles.find(r); rit != rl.roles.end()) {
        id_spec = &rit->second;
        break;
      }
    }
  }
  if (id_spec == nullptr) id_spec = &rl.default_identity;
  const LimitSpec* m_spec = nullptr;
  if (!model.empty()) {
    m_spec = &rl.default_model;
    if (auto it = rl.models.find(model); it != rl.models.end()) m_spec = &it->second;
  }
  // Assigned into the elements already there: their strings keep their capacity.
  std::size_t n = 0;
  auto add = [&](std::string_view scope, std::string_view name, const LimitSpec& spec) {
    if (n == out->size()) out->emplace_back();
    auto& [key, s] = (*out)[n++];
    key.scope.assign(scope);
    key.name.assign(name);
    s = spec;
  };
  if (!id_spec->empty()) add("identity", p.identity, *id_spec);
  if (m_spec != nullptr && !m_spec->empty()) add("model", model, *m_spec);
  out->resize(n);
}

std::string Policy::ModelListJson(const Principal& p) const {
  json::array data;
  std::set<std::string> seen;
  static constexpr RouteKind kUses[] = {RouteKind::kChatCompletions, RouteKind::kCompletions,
                                        RouteKind::kEmbeddings};
  for (const auto& s : routes_.services()) {
    if (s.family != ProtocolFamily::kOpenAi) continue;
    for (const auto& m : s.models) {
      if (seen.contains(m)) continue;
      bool allowed = false;
      for (RouteKind k : kUses) allowed = allowed || RuleGrants(*impl_, p, k, m, true);
      if (!allowed) continue;
      seen.insert(m);
      json::object o;
      o["id"] = m;
      o["object"] = "model";
      o["created"] = 0;
      o["owned_by"] = s.name;
      data.push_back(std::move(o));
    }
  }
  json::object root;
  root["object"] = "list";
  root["data"] = std::move(data);
  return ToJson(root);
}

}  // namespace rampart::gateway
