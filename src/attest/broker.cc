#include "attest/broker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "attest/jwe.h"
#include "attest/keys.h"
#include "attest/sealed.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/host_port.h"
#include "core/json.h"
#include "core/yaml.h"

namespace rampart::attest {
namespace {

namespace fs = std::filesystem;
using http::HttpError;
using http::MakeHttpError;

Result<TcbStatus> ParseTcbName(std::string_view s) {
  for (int i = 0; i <= static_cast<int>(TcbStatus::kUnknown); ++i) {
    if (TcbStatusName(static_cast<TcbStatus>(i)) == s) return static_cast<TcbStatus>(i);
  }
  return InvalidArgumentError("unknown TCB status '" + std::string(s) +
                              "' (UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
                              "ConfigurationAndSWHardeningNeeded, OutOfDate, "
                              "OutOfDateConfigurationNeeded, Revoked, Unknown)");
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string TeeList(const std::vector<TeeType>& v) {
  std::string s;
  for (TeeType t : v) s += (s.empty() ? "" : ", ") + std::string(TeeTypeName(t));
  return s.empty() ? "none" : s;
}

std::optional<std::vector<TeeType>> ReadTeeList(YamlFields& f, std::string_view key, Diagnostics* d,
                                                const std::string& code) {
  auto v = f.StringList(key);
  if (!v) return std::nullopt;
  std::vector<TeeType> out;
  for (const std::string& s : *v) {
    auto t = ParseTeeType(s);
    if (!t) {
      d->Error(f.Where(key), code, t.error().message());
      continue;
    }
    out.push_back(*t);
  }
  return out;
}

// An enrolled node's name as the node registry spells it.
bool IsNodeName(std::string_view n) {
  if (n.empty() || n.size() > 253) return false;
  for (char ch : n) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

std::string RandomHex(std::size_t n) {
  auto b = crypto::RandomBytes(n);
  return b ? HexEncode(std::span<const std::uint8_t>(*b)) : std::string();
}

}  // namespace

std::optional<BrokerConfig> ReadBrokerConfig(const YAML::Node& node, const std::string& file,
                                             const fs::path& base_dir, Diagnostics* diags,
                                             const ModelSignatureCheck& check_signature) {
  BrokerConfig c;
  YamlFields f(node, file, diags, "attest", "attest");
  if (!f.ok()) return std::nullopt;
  auto rel = [&](const std::string& p) {
    return fs::path(p).is_absolute() ? fs::path(p) : base_dir / p;
  };
  std::optional<std::string> kek_path = f.String("kek", true);
  if (auto v = f.String("listen")) {
    if (!ParseHostPort(*v, &c.listen_host, &c.listen_port)) {
      diags->Error(f.Where("listen"), "attest.listen",
                   "listen must be HOST:PORT, got '" + *v + "'");
    }
  }
  if (YAML::Node t = f.Node("tls"); t.IsDefined()) {
    YamlFields tf(t, file, diags, "attest.tls", "attest");
    if (auto v = tf.String("cert", true)) c.tls.cert_chain = rel(*v);
    if (auto v = tf.String("key", true)) c.tls.key = rel(*v);
    if (auto v = tf.String("client_ca")) c.tls.client_ca = rel(*v);
    tf.CheckUnknown();
    c.tls.context_id = "rampart-kbs";
  }
  if (auto v = f.Bool("insecure_http")) c.insecure_http = *v;
  if (auto v = f.String("sample_key")) c.sample_key = rel(*v);
  if (YAML::Node r = f.Node("roots"); r.IsDefined()) {
    YamlFields rf(r, file, diags, "attest.roots", "attest");
    if (auto v = rf.String("snp")) c.roots.snp = rel(*v);
    if (auto v = rf.String("dcap")) c.roots.dcap = rel(*v);
    if (auto v = rf.String("nvidia_device")) c.roots.nvidia_device = rel(*v);
    if (auto v = rf.String("nvidia_rim")) c.roots.nvidia_rim = rel(*v);
    rf.CheckUnknown();
  }
  if (auto v = f.String("collateral_dir")) c.collateral_dir = rel(*v);
  if (YAML::Node n = f.Node("nodes"); n.IsDefined()) {
    YamlFields nf(n, file, diags, "attest.nodes", "attest");
    if (auto v = nf.String("registry", true)) c.nodes.registry = rel(*v);
    if (auto v = nf.String("policy", true)) c.nodes.policy = rel(*v);
    if (auto v = nf.Int("interval_s", false, 1, 86400)) c.nodes.interval = std::chrono::seconds(*v);
    if (auto v = nf.String("metrics")) {
      std::string h;
      std::uint16_t p = 0;
      if (ParseHostPort(*v, &h, &p))
        c.nodes.metrics = *v;
      else
        diags->Error(nf.Where("metrics"), "attest.nodes.metrics",
                     "metrics must be HOST:PORT, e.g. 127.0.0.1:9464");
    }
    nf.CheckUnknown();
  }
  if (YAML::Node l = f.Node("limits"); l.IsDefined()) {
    YamlFields lf(l, file, diags, "attest.limits", "attest");
    if (auto v = lf.Int("max_body_bytes", false, 1024, 64 << 20)) c.limits.max_body_bytes = *v;
    if (auto v = lf.Int("max_sessions", false, 1, 10'000'000)) c.limits.max_sessions = *v;
    if (auto v = lf.Int("nonce_ttl_s", false, 1, 3600))
      c.limits.nonce_ttl = std::chrono::seconds(*v);
    if (auto v = lf.Int("token_ttl_s", false, 1, 86400))
      c.limits.token_ttl = std::chrono::seconds(*v);
    lf.CheckUnknown();
  }
  YAML::Node pols = f.Node("policies", true);
  if (pols.IsDefined() && !pols.IsSequence()) {
    diags->Error(f.Where("policies"), "attest.policies", "policies must be a list");
  } else if (pols.IsDefined()) {
    for (const YAML::Node& pn : pols) {
      YamlFields pf(pn, file, diags, "attest policy", "attest");
      if (!pf.ok()) continue;
      ResourcePolicy p;
      if (auto v = pf.String("id", true)) p.id = *v;
      if (auto v = ReadTeeList(pf, "tee", diags, "attest.policy.tee")) p.tee = *v;
      if (p.tee.empty())
        diags->Error(pf.Where("tee"), "attest.policy.tee",
                     "policy '" + p.id + "' accepts no TEE type", "list them: tee: [tdx, snp]");
      if (YAML::Node m = pf.Node("measurements"); m.IsDefined()) {
        if (!m.IsMap()) {
          diags->Error(pf.Where("measurements"), "attest.policy.measurements",
                       "measurements must map a name to a hex value or a list of them");
        } else {
          for (const auto& kv : m) {
            std::vector<std::string> vals;
            if (kv.second.IsScalar())
              vals.push_back(Lower(kv.second.Scalar()));
            else if (kv.second.IsSequence())
              for (const auto& x : kv.second)
                if (x.IsScalar()) vals.push_back(Lower(x.Scalar()));
            if (vals.empty())
              diags->Error(LocationOf(kv.second, file), "attest.policy.measurements",
                           "measurement '" + kv.first.Scalar() + "' has no value");
            p.measurements[kv.first.Scalar()] = std::move(vals);
          }
        }
      }
      if (auto v = pf.String("min_tcb")) {
        auto t = ParseTcbName(*v);
        if (!t)
          diags->Error(pf.Where("min_tcb"), "attest.policy.min_tcb", t.error().message());
        else
          p.min_tcb = *t;
      }
      if (auto v = pf.Bool("allow_debug")) p.allow_debug = *v;
      if (auto v = pf.String("serving_image")) p.serving_image = *v;
      if (auto v = pf.String("model_digest")) p.model_digest = *v;
      if (auto v = pf.String("signer_key")) p.signer_key = rel(*v);
      if (auto v = pf.Bool("require_gpu")) p.require_gpu = *v;
      if (auto v = pf.Bool("require_attested_node")) p.require_attested_node = *v;
      if (auto v = ReadTeeList(pf, "gpu_tee", diags, "attest.policy.gpu_tee")) p.gpu_tee = *v;
      pf.CheckUnknown();
      if (c.policies.contains(p.id))
        diags->Error(pf.Where("id"), "attest.policy.id", "policy '" + p.id + "' is defined twice");
      c.policies[p.id] = std::move(p);
    }
  }
  std::optional<Key> kek;
  if (kek_path) {
    c.kek_file = rel(*kek_path);
    auto k = ReadKeyFile(c.kek_file, KeyKind::kKek);
    if (!k)
      diags->Error(f.Where("kek"), "attest.kek", k.error().message());
    else
      kek = *k;
  }
  YAML::Node res = f.Node("resources", true);
  if (res.IsDefined() && !res.IsSequence()) {
    diags->Error(f.Where("resources"), "attest.resources", "resources must be a list");
  } else if (res.IsDefined()) {
    for (const YAML::Node& rn : res) {
      YamlFields rf(rn, file, diags, "attest resource", "attest");
      if (!rf.ok()) continue;
      BrokerResource r;
      if (auto v = rf.String("path", true)) r.path = *v;
      if (Status s = CheckResourcePath(r.path); !s.ok())
        diags->Error(rf.Where("path"), "attest.resource.path", s.message());
      if (auto v = rf.String("policy", true)) r.policy = *v;
      auto pit = c.policies.find(r.policy);
      if (pit == c.policies.end())
        diags->Error(rf.Where("policy"), "attest.resource.policy",
                     "no policy '" + r.policy + "' in attest.policies");
      if (auto v = rf.String("sealed", true)) r.sealed = rel(*v);
      if (auto v = rf.String("signature")) r.signature = rel(*v);
      rf.CheckUnknown();
      if (kek && !r.sealed.empty()) {
        auto m = ReadSealedManifest(r.sealed);
        Result<Key> dk = m ? UnwrapDataKey(*m, *kek) : Result<Key>(m.error());
        Status mac = dk ? CheckManifestMac(*m, *dk) : dk.error();
        if (!mac.ok()) {
          diags->Error(rf.Where("sealed"), "attest.resource.sealed", mac.message());
        } else if (m->resource != r.path) {
          diags->Error(rf.Where("sealed"), "attest.resource.sealed",
                       r.sealed.string() + " was sealed for resource '" + m->resource + "', not '" +
                           r.path + "'");
        } else {
          r.model_digest = m->root_digest;
          r.secret.assign(dk->begin(), dk->end());
          if (pit != c.policies.end() && !pit->second.signer_key.empty()) {
            std::map<std::string, std::string> files;
            for (const SealedFile& sf : m->files) files[sf.path] = sf.sha256;
            auto bundle =
                r.signature.empty()
                    ? Result<std::string>(InvalidArgumentError(
                          "policy '" + r.policy +
                          "' names a signer_key; give the model's OMS bundle as signature:"))
                    : ReadFile(r.signature, 16u << 20);
            Result<std::string> who = !bundle ? Result<std::string>(bundle.error())
                                      : !check_signature
                                          ? Result<std::string>(InvalidArgumentError(
                                                "this broker cannot check OMS signatures"))
                                          : check_signature(*bundle, files, pit->second.signer_key);
            if (!who) {
              diags->Error(rf.Where("signature"), "attest.resource.signature",
                           "model " + r.path + ": " + who.error().message());
            } else {
              spdlog::info("kbs: {} is signed by {} as policy {} requires", r.path, *who, r.policy);
            }
          }
          if (pit != c.policies.end() && !pit->second.model_digest.empty() &&
              pit->second.model_digest != r.model_digest) {
            diags->Error(rf.Where("sealed"), "attest.resource.model_digest",
                         r.sealed.string() + " holds model " + r.model_digest + ", but policy '" +
                             r.policy + "' names " + pit->second.model_digest);
          }
        }
      }
      if (c.resources.contains(r.path))
        diags->Error(rf.Where("path"), "attest.resource.path",
                     "resource '" + r.path + "' is listed twice");
      c.resources[r.path] = std::move(r);
    }
  }
  f.CheckUnknown();
  if (diags->has_errors()) return std::nullopt;
  return c;
}

KeyBroker::KeyBroker(BrokerConfig config, VerifierSet verifiers, std::shared_ptr<AuditSink> audit,
                     const Clock* clock)
    : config_(std::move(config)),
      verifiers_(std::move(verifiers)),
      audit_(std::move(audit)),
      clock_(clock),
      token_key_(*crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256)) {}

std::size_t KeyBroker::sessions() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void KeyBroker::Expire() {
  auto now = clock_->Now();
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.expires <= now; });
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second->expires <= now; });
}

void KeyBroker::Record(bool released, std::string_view key_id, const Claims* claims,
                       std::string_view to, std::string_view policy, std::string_view reason) {
  if (released) {
    spdlog::info("kbs: released {} to {} (policy {})", key_id, to, policy);
  } else {
    spdlog::warn("kbs: refused {} to {}: {}", key_id.empty() ? "-" : key_id, to.empty() ? "-" : to,
                 reason);
  }
  if (!audit_) return;
  AuditEvent e;
  e.type = released ? "key.released" : "key.refused";
  e.actor = "rampart-kbs";
  e.time = clock_->Now();
  e.fields["key_id"] = key_id.empty() ? std::string_view("-") : key_id;
  if (!to.empty()) e.fields["to"] = to;
  if (!policy.empty()) e.fields["policy"] = policy;
  if (!reason.empty()) e.fields["reason"] = reason;
  if (claims != nullptr) {
    e.fields["tee"] = TeeTypeName(claims->tee);
    json::object m;
    for (const auto& [k, v] : claims->measurements) m[k] = v;
    e.fields["measurements"] = std::move(m);
    e.fields["tcb_status"] = TcbStatusName(claims->tcb_status);
    if (!claims->evidence_digest.empty()) e.fields["attestation_digest"] = claims->evidence_digest;
  }
  auto rit = config_.resources.find(key_id);
  if (rit != config_.resources.end() && !rit->second.model_digest.empty()) {
    e.subjects.push_back(AuditSubject{rit->second.model_digest, std::string(key_id)});
  }
  if (Status s = audit_->Append(std::move(e)); !s.ok()) {
    spdlog::error("kbs: audit event not recorded: {}", s.message());
  }
}

HttpError KeyBroker::Refuse(int status, std::string code, std::string message,
                            std::string_view key_id, const Claims* claims, std::string_view to,
                            std::string_view policy) {
  Record(false, key_id, claims, to, policy, message);
  return MakeHttpError(status, std::move(code), std::move(message));
}

http::HttpResult<KeyBroker::AuthReply> KeyBroker::Auth(std::string_view body) {
  JsonLimits lim;
  lim.max_bytes = 4096;
  lim.max_depth = 4;
  auto v = ParseJson(body, lim, "auth request");
  if (!v || !v->is_object()) {
    return std::unexpected(MakeHttpError(
        400, "bad_request", v ? "auth request must be a JSON object" : v.error().message()));
  }
  auto tee_s = GetString(v->get_object(), "tee");
  if (!tee_s)
    return std::unexpected(
        MakeHttpError(400, "bad_request", "auth request: " + tee_s.error().message()));
  auto tee = ParseTeeType(*tee_s);
  if (!tee) return std::unexpected(MakeHttpError(400, "bad_request", tee.error().message()));
  auto nonce_raw = crypto::RandomBytes(32);
  std::string id = RandomHex(16);
  if (!nonce_raw || id.empty())
    return std::unexpected(MakeHttpError(500, "internal", "no randomness"));
  std::string nonce = Base64UrlEncode(std::span<const std::uint8_t>(*nonce_raw));
  {
    std::lock_guard lock(mu_);
    if (sessions_.size() >= config_.limits.max_sessions) Expire();
    if (sessions_.size() >= config_.limits.max_sessions) {
      return std::unexpected(MakeHttpError(
          503, "too_many_sessions", "the broker holds max_sessions open sessions; retry later"));
    }
    sessions_[id] = Session{nonce, *tee, clock_->Now() + config_.limits.nonce_ttl, false};
  }
  json::object r{{"nonce", nonce}, {"extra-params", ""}};
  return AuthReply{id, ToJson(r)};
}

http::HttpResult<std::string> KeyBroker::Attest(std::string_view session_id,
                                                std::string_view body) {
  Session s;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end() || it->second.expires <= clock_->Now()) {
      if (it != sessions_.end()) sessions_.erase(it);
      return std::unexpected(MakeHttpError(
          401, "no_session",
          "no live session: POST /kbs/v0/auth first and send its kbs-session-id cookie"));
    }
    if (it->second.used) {
      return std::unexpected(Refuse(403, "nonce_used",
                                    "this session's nonce was already used: replayed evidence is "
                                    "refused; start a new session",
                                    "", nullptr, "", ""));
    }
    it->second.used = true;  // consumed whatever the outcome
    s = it->second;
  }
  JsonLimits lim;
  lim.max_bytes = config_.limits.max_body_bytes;
  lim.max_depth = 8;
  auto v = ParseJson(body, lim, "attest request");
  if (!v || !v->is_object()) {
    return std::unexpected(Refuse(400, "bad_request",
                                  v ? "attest request must be a JSON object" : v.error().message(),
                                  "", nullptr, "", ""));
  }
  const json::object& o = v->get_object();
  auto pk_it = o.find("tee-pubkey");
  if (pk_it == o.end())
    return std::unexpected(
        Refuse(400, "bad_request", "attest request: missing tee-pubkey", "", nullptr, "", ""));
  auto pk = PublicKeyFromJwk(pk_it->value());
  if (!pk)
    return std::unexpected(Refuse(400, "bad_request", pk.error().message(), "", nullptr, "", ""));
  auto thumb = JwkThumbprint(*pk);
  if (!thumb)
    return std::unexpected(
        Refuse(400, "bad_request", thumb.error().message(), "", nullptr, "", ""));
  std::string to = std::string(TeeTypeName(s.tee)) + ":" + *thumb;

  auto evidence_bytes = [](const json::value& ev) -> Result<std::string> {
    if (ev.is_object()) return ToJson(ev);
    if (ev.is_string()) {
      auto b = Base64Decode(ev.get_string());
      if (!b) b = Base64UrlDecode(ev.get_string());
      if (!b)
        return InvalidArgumentError("evidence must be base64 (or, for sample, a JSON object)");
      return std::string(crypto::AsString(*b));
    }
    return InvalidArgumentError("evidence must be a base64 string or a JSON object");
  };
  auto verify = [&](TeeType tee, const json::value& ev) -> Result<Claims> {
    auto vit = verifiers_.find(tee);
    if (vit == verifiers_.end() || !vit->second) {
      return PermissionDeniedError("this broker has no verifier for tee '" +
                                   std::string(TeeTypeName(tee)) + "'");
    }
    RAMPART_ASSIGN_OR_RETURN(std::string bytes, evidence_bytes(ev));
    VerifyOptions vo;
    vo.now = clock_->Now();
    vo.collateral_dir = config_.collateral_dir;
    RAMPART_ASSIGN_OR_RETURN(Claims c, vit->second->Verify(crypto::AsBytes(bytes), vo));
    if (c.tee != tee)
      return PermissionDeniedError("the verifier returned claims for another TEE type");
    if (!ReportDataBinds(c.report_data, s.nonce, *thumb)) {
      return PermissionDeniedError(
          "report data does not bind this session's nonce and the tee-pubkey");
    }
    return c;
  };
  auto ev_it = o.find("tee-evidence");
  if (ev_it == o.end())
    return std::unexpected(
        Refuse(400, "bad_request", "attest request: missing tee-evidence", "", nullptr, to, ""));
  auto claims = verify(s.tee, ev_it->value());
  if (!claims) {
    int st = claims.error().code() == StatusCode::kInvalidArgument ? 400 : 403;
    return std::unexpected(Refuse(st, "evidence_refused",
                                  "evidence refused: " + claims.error().message(), "", nullptr, to,
                                  ""));
  }
  auto a = std::make_shared<Attested>(
      Attested{*claims, {}, *pk, *thumb, clock_->Now() + config_.limits.token_ttl, ""});
  // The node the TEE runs on: bound by the evidence when the TEE says it
  // (claims attribute "node"), else as the requester names it.
  if (auto n = claims->attributes.find("node"); n != claims->attributes.end()) {
    a->node = n->second;
  }
  if (auto n = o.find("node"); n != o.end()) {
    if (!n->value().is_string() || !IsNodeName(n->value().get_string())) {
      return std::unexpected(Refuse(400, "bad_request",
                                    "attest request: node must be 1-253 characters of "
                                    "[A-Za-z0-9._-]",
                                    "", &*claims, to, ""));
    }
    std::string named(n->value().get_string());
    if (!a->node.empty() && a->node != named) {
      return std::unexpected(
          Refuse(403, "evidence_refused",
                 "the request names node " + named + " but the evidence binds " + a->node, "",
                 &*claims, to, ""));
    }
    a->node = std::move(named);
  }
  if (auto g = o.find("gpu-evidence"); g != o.end()) {
    if (!g->value().is_array() || g->value().get_array().size() > 16) {
      return std::unexpected(Refuse(400, "bad_request", "gpu-evidence must be a list of at most 16",
                                    "", &*claims, to, ""));
    }
    for (const json::value& item : g->value().get_array()) {
      const json::object* io = item.if_object();
      auto gt = io ? GetString(*io, "tee")
                   : Result<std::string_view>(InvalidArgumentError("not an object"));
      auto gtee = gt ? ParseTeeType(*gt) : Result<TeeType>(gt.error());
      auto gev = io ? io->find("evidence") : nullptr;
      if (!gtee || gev == nullptr || gev == io->end()) {
        return std::unexpected(Refuse(400, "bad_request",
                                      "gpu-evidence items are {\"tee\", \"evidence\"}", "",
                                      &*claims, to, ""));
      }
      auto gc = verify(*gtee, gev->value());
      if (!gc) {
        return std::unexpected(Refuse(403, "evidence_refused",
                                      "GPU evidence refused: " + gc.error().message(), "", &*claims,
                                      to, ""));
      }
      a->gpu.push_back(std::move(*gc));
    }
  }
  std::string jti = RandomHex(16);
  auto exp =
      std::chrono::duration_cast<std::chrono::seconds>(a->expires.time_since_epoch()).count();
  json::object payload{{"jti", jti}, {"tee", TeeTypeName(s.tee)}, {"exp", exp}, {"kid", *thumb}};
  std::string p64 = Base64UrlEncode(CanonicalJson(payload));
  auto sig = token_key_.Sign(crypto::AsBytes(p64), crypto::SignatureFormat::kRaw);
  if (!sig) return std::unexpected(MakeHttpError(500, "internal", "cannot sign the token"));
  {
    std::lock_guard lock(mu_);
    if (tokens_.size() >= config_.limits.max_sessions) Expire();
    if (tokens_.size() >= config_.limits.max_sessions) {
      return std::unexpected(MakeHttpError(
          503, "too_many_sessions", "the broker holds max_sessions live tokens; retry later"));
    }
    tokens_[jti] = a;
  }
  spdlog::info("kbs: attested {} (evidence {})", to, claims->evidence_digest);
  json::object r{{"token", p64 + "." + Base64UrlEncode(std::span<const std::uint8_t>(*sig))},
                 {"expires_in", config_.limits.token_ttl.count()}};
  return ToJson(r);
}

std::optional<std::string> KeyBroker::CheckPolicy(const ResourcePolicy& p, const BrokerResource& r,
                                                  const Attested& a) const {
  const Claims& c = a.claims;
  if (std::find(p.tee.begin(), p.tee.end(), c.tee) == p.tee.end()) {
    return "tee type " + std::string(TeeTypeName(c.tee)) + " is not allowed by policy " + p.id +
           " (allowed: " + TeeList(p.tee) + ")";
  }
  if (c.debug && !p.allow_debug)
    return "the TEE is debuggable and policy " + p.id + " does not allow debug";
  if (static_cast<int>(c.tcb_status) > static_cast<int>(p.min_tcb)) {
    return "TCB status " + std::string(TcbStatusName(c.tcb_status)) + " is below policy " + p.id +
           "'s minimum " + std::string(TcbStatusName(p.min_tcb));
  }
  for (const auto& [name, allowed] : p.measurements) {
    auto it = c.measurements.find(name);
    if (it == c.measurements.end())
      return "measurement " + name + " is missing from the evidence (policy " + p.id + ")";
    if (std::find(allowed.begin(), allowed.end(), Lower(it->second)) == allowed.end()) {
      return "measurement " + name + " does not match policy " + p.id;
    }
  }
  if (!p.serving_image.empty()) {
    auto it = c.attributes.find("serving_image");
    if (it == c.attributes.end() || it->second != p.serving_image)
      return "serving image does not match policy " + p.id;
  }
  if (!p.model_digest.empty() && p.model_digest != r.model_digest)
    return "model digest " + r.model_digest + " is not the one policy " + p.id + " names";
  if (p.require_attested_node) {
    if (a.node.empty())
      return "policy " + p.id + " requires an attested node and the requester named none";
    std::optional<NodeState> st = nodes_ ? nodes_->Lookup(a.node) : std::nullopt;
    if (!st) return "node " + a.node + " is not enrolled for attestation (policy " + p.id + ")";
    if (st->health != NodeHealth::kAttested) {
      std::string why = "node " + a.node + " is " + std::string(NodeHealthName(st->health));
      for (std::size_t i = 0; i < st->reasons.size() && i < 3; ++i) {
        why += (i == 0 ? ": " : "; ") + st->reasons[i];
      }
      return why + " (policy " + p.id + ")";
    }
  }
  if (p.require_gpu) {
    if (a.gpu.empty())
      return "policy " + p.id +
             " requires composite evidence (CPU TEE + GPU); no GPU evidence was verified";
    for (const Claims& g : a.gpu) {
      if (std::find(p.gpu_tee.begin(), p.gpu_tee.end(), g.tee) == p.gpu_tee.end())
        return "GPU evidence of type " + std::string(TeeTypeName(g.tee)) +
               " is not allowed by policy " + p.id;
      if (g.debug && !p.allow_debug)
        return "a GPU is in debug mode and policy " + p.id + " does not allow debug";
    }
  }
  return std::nullopt;
}

http::HttpResult<std::string> KeyBroker::Resource(std::string_view bearer, std::string_view path) {
  if (Status s = CheckResourcePath(path); !s.ok()) {
    return std::unexpected(Refuse(400, "bad_resource_path", s.message(), "-", nullptr, "", ""));
  }
  std::size_t dot = bearer.find('.');
  auto payload_raw = dot == std::string_view::npos
                         ? Result<std::vector<std::uint8_t>>(InvalidArgumentError(""))
                         : Base64UrlDecode(bearer.substr(0, dot));
  auto sig = dot == std::string_view::npos
                 ? Result<std::vector<std::uint8_t>>(InvalidArgumentError(""))
                 : Base64UrlDecode(bearer.substr(dot + 1));
  if (!payload_raw || !sig ||
      !token_key_.public_key()
           .Verify(crypto::AsBytes(bearer.substr(0, dot)), *sig, crypto::SignatureFormat::kRaw)
           .ok()) {
    return std::unexpected(Refuse(401, "bad_token",
                                  "the attestation token is missing or not one this broker signed",
                                  path, nullptr, "", ""));
  }
  auto payload = ParseJson(crypto::AsString(*payload_raw));
  const json::object* po = payload ? payload->if_object() : nullptr;
  auto jti = po ? GetString(*po, "jti") : Result<std::string_view>(InvalidArgumentError(""));
  auto exp = po ? GetInt(*po, "exp") : Result<std::int64_t>(InvalidArgumentError(""));
  if (!jti || !exp)
    return std::unexpected(Refuse(401, "bad_token", "malformed token", path, nullptr, "", ""));
  auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(clock_->Now().time_since_epoch()).count();
  std::shared_ptr<const Attested> a;
  {
    std::lock_guard lock(mu_);
    auto it = tokens_.find(*jti);
    if (it != tokens_.end() && *exp > now_s) a = it->second;
    if (it != tokens_.end() && !a) tokens_.erase(it);
  }
  if (!a)
    return std::unexpected(Refuse(401, "token_expired",
                                  "the attestation token has expired; attest again", path, nullptr,
                                  "", ""));
  std::string to = std::string(TeeTypeName(a->claims.tee)) + ":" + a->thumbprint;
  auto rit = config_.resources.find(path);
  if (rit == config_.resources.end()) {
    return std::unexpected(Refuse(404, "unknown_resource",
                                  "no resource " + std::string(path) + " on this broker", path,
                                  &a->claims, to, ""));
  }
  const BrokerResource& r = rit->second;
  auto pit = config_.policies.find(r.policy);
  if (pit == config_.policies.end()) {
    return std::unexpected(
        Refuse(403, "policy_refused", "resource has no policy", path, &a->claims, to, r.policy));
  }
  if (auto why = CheckPolicy(pit->second, r, *a)) {
    return std::unexpected(Refuse(403, "policy_refused", *why, path, &a->claims, to, r.policy));
  }
  auto jwe = JweEncrypt(a->key, a->thumbprint, r.secret);
  if (!jwe) return std::unexpected(MakeHttpError(500, "internal", "cannot wrap the resource"));
  Record(true, path, &a->claims, to, r.policy, "");
  return ToJson(*jwe);
}

}  // namespace rampart::attest
