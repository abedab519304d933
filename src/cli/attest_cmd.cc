// `rampart seal`, `rampart unseal` (docs/formats/sealed.md), and the key
// broker's commands: `rampart kbs serve` and `rampart attest client`
// (docs/formats/kbs-protocol.md).
#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "artifacts/oms.h"
#include "artifacts/oms_key.h"
#include "attest/broker.h"
#include "attest/dcap.h"
#include "attest/jwe.h"
#include "attest/kbs_server.h"
#include "attest/keys.h"
#include "attest/nvidia.h"
#include "attest/sample.h"
#include "attest/sealed.h"
#include "attest/snp.h"
#include "cli/attest_cmds.h"
#include "cli/cli.h"
#include "cli/metrics_listener.h"
#include "cli/node_cmds.h"
#include "cli/serve.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/host_port.h"
#include "core/http_audit_sink.h"
#include "core/json.h"
#include "core/key_file.h"
#include "core/tls.h"
#include "core/url.h"
#include "core/yaml.h"
#include "estate/loader.h"
#include "ledger/config.h"
#include "ledger/ledger.h"
#include "ledger/local_audit_sink.h"
#include "ledger/store.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using namespace rampart::attest;

struct SealArgs {
  std::string model, out, resource, kek, format = "text", signature, signer_key;
  bool create_kek = false;
  std::uint64_t chunk_size = 1u << 20;
};

// The per-file SHA-256 digests of an OMS bundle whose signature verifies
// with `signer_key` (docs/design/attest-kbs.md, "Sealing with the signed
// digests").
Result<std::map<std::string, std::string>> SignedDigests(const fs::path& bundle,
                                                         const fs::path& signer_key) {
  if (signer_key.empty()) {
    return InvalidArgumentError(
        "--signature needs --signer-key: digests are used only from a "
        "bundle whose signature verifies");
  }
  RAMPART_ASSIGN_OR_RETURN(std::string json, ReadFile(bundle, 64u << 20));
  RAMPART_ASSIGN_OR_RETURN(std::string pem, ReadFile(signer_key, 1u << 16));
  RAMPART_ASSIGN_OR_RETURN(artifacts::OmsPublicKey key, artifacts::OmsPublicKey::FromPem(pem));
  auto b = artifacts::ParseBundle(json);
  if (!b) return b.error().WithContext(bundle.string());
  artifacts::Trust trust;
  trust.key = key;
  std::vector<std::string> notes;
  auto st = artifacts::VerifyBundleSignature(*b, trust, &notes);
  if (!st) {
    return PermissionDeniedError(bundle.string() + ": signature does not verify with " +
                                 signer_key.string() + ": " + st.error().message());
  }
  if (st->serialization.method != "files") {
    return PermissionDeniedError(bundle.string() +
                                 ": the bundle hashes shards; sealing needs per-file digests "
                                 "(sign with the files method, or seal without --signature)");
  }
  std::map<std::string, std::string> out;
  for (const artifacts::Resource& r : st->resources) {
    if (r.algorithm != "sha256") {
      return PermissionDeniedError(bundle.string() + ": " + r.name + " is hashed with " +
                                   r.algorithm + "; the sealed manifest needs SHA-256");
    }
    out[r.name] = r.digest;
  }
  return out;
}

int SealCmd(const SealArgs& a) {
  std::error_code ec;
  if (a.create_kek && !fs::exists(a.kek, ec)) {
    auto k = RandomKey();
    if (!k) return ReportError(k.error());
    if (Status s = WriteKeyFile(a.kek, KeyKind::kKek, *k); !s.ok()) return ReportError(s);
    std::fprintf(stderr,
                 "rampart: wrote a new key-encryption key to %s (keep it with the broker)\n",
                 a.kek.c_str());
  }
  auto kek = ReadKeyFile(a.kek, KeyKind::kKek);
  if (!kek) return ReportError(kek.error());
  SealOptions o;
  o.resource = a.resource;
  o.chunk_size = a.chunk_size;
  if (!a.signature.empty()) {
    auto d = SignedDigests(a.signature, a.signer_key);
    if (!d) return ReportError(d.error().WithContext("cannot seal " + a.model));
    o.signed_digests = std::move(*d);
  }
  auto r = Seal(a.model, a.out, *kek, o);
  if (!r) return ReportError(r.error().WithContext("cannot seal " + a.model));
  if (a.format == "json") {
    json::object j{{"sealed", a.out},
                   {"resource", a.resource},
                   {"root_digest", r->root_digest},
                   {"files", r->files},
                   {"bytes", r->bytes}};
    PrintOut(ToJson(j) + "\n");
  } else {
    PrintOut("sealed " + std::to_string(r->files) + " file(s), " + std::to_string(r->bytes) +
             " bytes, into " + a.out + "\n  resource    " + a.resource + "\n  root digest " +
             r->root_digest + "\n");
  }
  return kExitOk;
}

struct UnsealArgs {
  std::string sealed, out, key, kek, data_key, format = "text";
};

// The data key from a KEK file (unwrapped from the manifest) or a released
// data-key file; --key takes either and tells them apart by their first word.
Result<Key> DataKeyFor(const UnsealArgs& a) {
  std::string kek = a.kek, dk = a.data_key;
  if (!a.key.empty()) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(a.key, 4096));
    (text.starts_with("rampart-kek-v1") ? kek : dk) = a.key;
  }
  if (kek.empty() == dk.empty()) {
    return InvalidArgumentError(
        "give exactly one key: --kek FILE (the broker's key-encryption key) or --data-key FILE "
        "(a key released by `rampart attest client`)");
  }
  if (!dk.empty()) return ReadKeyFile(dk, KeyKind::kDataKey);
  RAMPART_ASSIGN_OR_RETURN(Key k, ReadKeyFile(kek, KeyKind::kKek));
  RAMPART_ASSIGN_OR_RETURN(SealedManifest m, ReadSealedManifest(a.sealed));
  return UnwrapDataKey(m, k);
}

int UnsealCmd(const UnsealArgs& a) {
  auto dk = DataKeyFor(a);
  if (!dk) return ReportError(dk.error());
  auto r = Unseal(a.sealed, a.out, *dk);
  if (!r) return ReportError(r.error().WithContext("refused to unseal " + a.sealed));
  if (a.format == "json") {
    json::object j{
        {"out", a.out}, {"root_digest", r->root_digest}, {"files", r->files}, {"bytes", r->bytes}};
    PrintOut(ToJson(j) + "\n");
  } else {
    PrintOut("unsealed " + std::to_string(r->files) + " file(s), " + std::to_string(r->bytes) +
             " bytes, into " + a.out + "; every chunk authenticated\n  root digest " +
             r->root_digest + "\n");
  }
  return kExitOk;
}

// ---- rampart kbs serve -------------------------------------------------------------

struct KbsServeArgs {
  std::vector<std::string> estate;
  std::string policy_file, listen, sample_key;
  bool insecure_http = false;
  std::string ledger_store, ledger_key = "var/ledger.key";
  std::string ledger_url, ledger_api_key;
  std::string metrics;  // overrides attest.nodes.metrics
};

// The verifiers this broker runs. The sample verifier exists only when a
// sample key is pinned; hardware verifiers are added here as they land.
// The verifiers this broker has: sample when its key is pinned, each
// hardware TEE type whose roots are pinned (attest.roots).
Result<VerifierSet> MakeVerifiers(const BrokerConfig& cfg) {
  VerifierSet v;
  if (!cfg.sample_key.empty()) {
    RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey k, LoadPublicKeyFile(cfg.sample_key));
    v[TeeType::kSample] = std::make_shared<SampleVerifier>(std::move(k));
  }
  auto pem = [](const fs::path& p) { return ReadFile(p, 1u << 20); };
  if (!cfg.roots.snp.empty()) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, pem(cfg.roots.snp));
    RAMPART_ASSIGN_OR_RETURN(SnpRoots roots, SnpRootsFromPem(text));
    v[TeeType::kSnp] = MakeSnpVerifier(std::move(roots));
  }
  if (!cfg.roots.dcap.empty()) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, pem(cfg.roots.dcap));
    RAMPART_ASSIGN_OR_RETURN(DcapRoots sgx, DcapRootsFromPem(text));
    DcapRoots tdx = sgx;
    v[TeeType::kSgx] = MakeDcapVerifier(TeeType::kSgx, std::move(sgx));
    v[TeeType::kTdx] = MakeDcapVerifier(TeeType::kTdx, std::move(tdx));
  }
  if (cfg.roots.nvidia_device.empty() != cfg.roots.nvidia_rim.empty())
    return InvalidArgumentError("attest.roots: nvidia_device and nvidia_rim go together");
  if (!cfg.roots.nvidia_device.empty()) {
    RAMPART_ASSIGN_OR_RETURN(std::string device, pem(cfg.roots.nvidia_device));
    RAMPART_ASSIGN_OR_RETURN(std::string rim, pem(cfg.roots.nvidia_rim));
    RAMPART_ASSIGN_OR_RETURN(NvidiaRoots roots, NvidiaRootsFromPem(device, rim));
    v[TeeType::kNvidiaGpu] = MakeNvidiaVerifier(std::move(roots));
  }
  return v;
}

// The node verifier loop a broker with attest.nodes runs; null without.
Result<std::unique_ptr<NodePoller>> StartBrokerNodes(const BrokerConfig& cfg, AuditSink* sink) {
  if (cfg.nodes.registry.empty()) {
    for (const auto& [id, p] : cfg.policies) {
      if (p.require_attested_node)
        spdlog::warn(
            "kbs: policy {} requires an attested node but attest.nodes is not set: it "
            "releases nothing",
            id);
    }
    return std::unique_ptr<NodePoller>();
  }
  auto poller = StartNodePoller(cfg.nodes.registry.string(), cfg.nodes.policy.string(),
                                cfg.nodes.interval, sink);
  if (!poller) return poller.error().WithContext("attest.nodes");
  return poller;
}

// The node loop's /metrics listener (attest.nodes.metrics); null without.
Result<std::unique_ptr<MetricsListener>> StartNodeMetrics(const std::string& host_port,
                                                          const NodePoller* poller) {
  if (host_port.empty()) return std::unique_ptr<MetricsListener>();
  if (poller == nullptr)
    return InvalidArgumentError(
        "metrics " + host_port +
        ": the listener serves the node verifier loop's state; set attest.nodes");
  auto m = MetricsListener::Start(host_port, [poller] { return poller->MetricsText(); });
  if (!m) return m.error().WithContext("attest.nodes.metrics");
  return m;
}

void WarnMissingVerifiers(const BrokerConfig& cfg, const VerifierSet& v) {
  for (const auto& [id, p] : cfg.policies) {
    for (TeeType t : p.tee) {
      if (!v.contains(t)) {
        spdlog::warn("kbs: policy {} accepts {} but this broker has no verifier for it{}", id,
                     TeeTypeName(t), t == TeeType::kSample ? " (set attest.sample_key)" : "");
      }
    }
  }
}

// The OMS check a policy's signer_key asks for: the bundle's signature by the
// key, over exactly the sealed model's files and digests.
Result<std::string> CheckOmsSignature(std::string_view bundle_json,
                                      const std::map<std::string, std::string>& files,
                                      const fs::path& signer_key) {
  RAMPART_ASSIGN_OR_RETURN(std::string pem, ReadFile(signer_key, 1u << 16));
  RAMPART_ASSIGN_OR_RETURN(artifacts::OmsPublicKey key, artifacts::OmsPublicKey::FromPem(pem));
  RAMPART_ASSIGN_OR_RETURN(artifacts::ParsedBundle b, artifacts::ParseBundle(bundle_json));
  artifacts::Trust trust;
  trust.key = key;
  std::vector<std::string> notes;
  auto st = artifacts::VerifyBundleSignature(b, trust, &notes);
  if (!st) {
    return PermissionDeniedError("OMS signature does not verify with " + signer_key.string() +
                                 ": " + st.error().message());
  }
  if (st->serialization.method != "files") {
    return PermissionDeniedError("OMS bundle hashes shards; sealed models are checked per file");
  }
  std::map<std::string, std::string> signed_files;
  for (const artifacts::Resource& r : st->resources) signed_files[r.name] = r.digest;
  for (const auto& [name, digest] : files) {
    auto it = signed_files.find(name);
    if (it == signed_files.end()) return PermissionDeniedError("file " + name + " is not signed");
    if (it->second != digest)
      return PermissionDeniedError("file " + name + " differs from the signed digest");
  }
  for (const auto& [name, digest] : signed_files) {
    if (!files.contains(name))
      return PermissionDeniedError("signed file " + name + " is not in the sealed model");
  }
  RAMPART_ASSIGN_OR_RETURN(std::string hint, key.Hint());
  return "key " + hint.substr(0, 16);
}

// An in-process ledger (the audit sink of `--ledger-store`), kept alive for
// the broker's life.
struct LocalLedger {
  std::shared_ptr<ledger::Ledger> ledger;
  std::shared_ptr<ledger::LocalAuditSink> sink;
};

Result<LocalLedger> OpenLocalLedger(const std::string& store, const std::string& key) {
  bool created = false;
  RAMPART_ASSIGN_OR_RETURN(ledger::NoteSigner signer,
                           ledger::LoadOrCreateSigner(key, "rampart.local/ledger", &created));
  RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Store> st, ledger::OpenStore(store));
  RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Ledger> l,
                           ledger::Ledger::Open(std::move(st), signer, ledger::LedgerOptions{}));
  LocalLedger out;
  out.ledger = std::shared_ptr<ledger::Ledger>(std::move(l));
  out.sink = std::make_shared<ledger::LocalAuditSink>(out.ledger, "rampart-kbs");
  return out;
}

int KbsServe(const KbsServeArgs& a) {
  sigset_t signals = BlockServiceSignals();
  YAML::Node section;
  std::string file;
  std::optional<estate::Estate> est;
  if (!a.policy_file.empty() == !a.estate.empty()) {
    return ReportError(InvalidArgumentError(
        "give the broker's policy: -e ESTATE (its attest: section) or --policy FILE"));
  }
  if (!a.estate.empty()) {
    std::vector<fs::path> files(a.estate.begin(), a.estate.end());
    auto e = estate::LoadValid(files);
    if (!e) return ReportError(e.error());
    est = std::move(*e);
    const estate::Section* sec = est->FindSection("attest");
    if (sec == nullptr) {
      return ReportError(
          InvalidArgumentError("the estate has no attest: section; see "
                               "docs/formats/kbs-protocol.md"));
    }
    section = sec->node;
    file = sec->file;
  } else {
    auto text = ReadFile(a.policy_file, 16u << 20);
    if (!text) return ReportError(text.error());
    auto n = ParseYaml(*text, a.policy_file);
    if (!n) return ReportError(n.error());
    section = (n->IsMap() && (*n)["attest"]) ? (*n)["attest"] : *n;
    file = a.policy_file;
  }
  Diagnostics d;
  auto cfg = ReadBrokerConfig(section, file, fs::path(file).parent_path(), &d, CheckOmsSignature);
  if (!cfg) {
    std::fputs(d.ToString().c_str(), stderr);
    return kExitUsage;
  }
  if (!a.listen.empty() && !ParseHostPort(a.listen, &cfg->listen_host, &cfg->listen_port))
    return ReportError(InvalidArgumentError("--listen must be HOST:PORT"));
  if (!a.sample_key.empty()) cfg->sample_key = a.sample_key;
  auto verifiers = MakeVerifiers(*cfg);
  if (!verifiers) return ReportError(verifiers.error());
  WarnMissingVerifiers(*cfg, *verifiers);
  std::shared_ptr<AuditSink> audit;
  std::optional<LocalLedger> local;
  if (!a.ledger_store.empty()) {
    auto l = OpenLocalLedger(a.ledger_store, a.ledger_key);
    if (!l) return ReportError(l.error().WithContext("--ledger-store"));
    local = std::move(*l);
    audit = local->sink;
  } else if (!a.ledger_url.empty()) {
    HttpAuditSinkOptions o;
    o.url = a.ledger_url;
    o.api_key = a.ledger_api_key;
    if (o.api_key.empty()) {
      if (const char* k = std::getenv("RAMPART_LEDGER_API_KEY")) o.api_key = k;
    }
    auto s = MakeHttpAuditSink(o);
    if (!s) return ReportError(s.error().WithContext("--ledger-url"));
    audit = *s;
  } else {
    spdlog::warn("kbs: no ledger (--ledger-store or --ledger-url): releases are only logged");
  }
  SystemClock clock;
  KbsServerOptions so;
  so.host = cfg->listen_host;
  so.port = cfg->listen_port;
  so.tls = cfg->tls;
  so.allow_plain_http = a.insecure_http || cfg->insecure_http;
  if (!a.metrics.empty()) cfg->nodes.metrics = a.metrics;
  auto nodes = StartBrokerNodes(*cfg, audit.get());
  if (!nodes) return ReportError(nodes.error());
  auto metrics = StartNodeMetrics(cfg->nodes.metrics, nodes->get());
  if (!metrics) return ReportError(metrics.error());
  KeyBroker broker(std::move(*cfg), std::move(*verifiers), audit, &clock);
  if (*nodes) broker.SetNodeStates((*nodes)->states());
  auto server = KbsServer::Start(broker, so);
  if (!server) return ReportError(server.error().WithContext("cannot start the key broker"));
  std::printf("rampart kbs serve: listening on %s://%s:%u with %zu resource(s)\n",
              (*server)->tls() ? "https" : "http", so.host.c_str(), (*server)->port(),
              broker.config().resources.size());
  std::fflush(stdout);
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) continue;
    break;
  }
  (*server)->Stop();
  metrics->reset();
  nodes->reset();
  if (audit) {
    if (Status s = audit->Flush(std::chrono::seconds(10)); !s.ok())
      spdlog::error("kbs: audit events not flushed: {}", s.message());
  }
  if (local) {
    local->sink->Close();
    local->ledger->Drain(std::chrono::seconds(10));
  }
  spdlog::info("rampart kbs serve: stopped");
  return kExitOk;
}

// ---- rampart attest client ----------------------------------------------------------

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;

struct Endpoint {
  bool tls = false;
  std::string host, port;
};

Result<Endpoint> ParseBaseUrl(std::string_view url) {
  Endpoint e;
  if (url.starts_with("https://")) {
    e.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return InvalidArgumentError("--url must start with https:// or http://");
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  if (url.find('/') != std::string_view::npos) return InvalidArgumentError("--url takes no path");
  std::size_t colon = url.rfind(':');
  e.host = std::string(url.substr(0, colon));
  e.port =
      colon == std::string_view::npos ? (e.tls ? "443" : "80") : std::string(url.substr(colon + 1));
  if (e.host.empty()) return InvalidArgumentError("--url has no host");
  if (!e.tls && !IsLoopbackHost(e.host)) {
    return InvalidArgumentError("plain http:// is allowed only to a loopback broker; use https://");
  }
  return e;
}

struct Reply {
  int status = 0;
  std::string body, set_cookie;
};

Result<Reply> Call(const Endpoint& ep, const std::string& ca_file, bhttp::verb verb,
                   const std::string& target, const std::string& body, const std::string& cookie,
                   const std::string& bearer) {
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    auto addrs = resolver.resolve(ep.host, ep.port);
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, ep.host);
    req.set(bhttp::field::user_agent, "rampart-attest-client");
    if (!cookie.empty()) req.set(bhttp::field::cookie, cookie);
    if (!bearer.empty()) req.set(bhttp::field::authorization, "Bearer " + bearer);
    if (verb == bhttp::verb::post) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    beast::flat_buffer buf;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1u << 20);
    if (ep.tls) {
      tls::ClientOptions co;
      co.ca_file = ca_file;
      RAMPART_ASSIGN_OR_RETURN(auto ctx, tls::MakeClientContext(co, "kbs client"));
      beast::ssl_stream<beast::tcp_stream> s(io, *ctx);
      SSL_set_tlsext_host_name(s.native_handle(), ep.host.c_str());
      s.set_verify_callback(asio::ssl::host_name_verification(ep.host));
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(30));
      beast::get_lowest_layer(s).connect(addrs);
      s.handshake(asio::ssl::stream_base::client);
      bhttp::write(s, req);
      bhttp::read(s, buf, parser);
    } else {
      beast::tcp_stream s(io);
      s.expires_after(std::chrono::seconds(30));
      s.connect(addrs);
      bhttp::write(s, req);
      bhttp::read(s, buf, parser);
    }
    Reply r;
    r.status = parser.get().result_int();
    r.body = parser.get().body();
    r.set_cookie = std::string(parser.get()[bhttp::field::set_cookie]);
    return r;
  } catch (const std::exception& e) {
    return UnavailableError("key broker " + ep.host + ":" + ep.port + ": " + e.what());
  }
}

// "code: message" of a broker refusal.
std::string RefusalOf(const Reply& r) {
  auto v = ParseJson(r.body);
  if (v && v->is_object()) {
    if (auto e = GetObject(v->get_object(), "error"); e) {
      auto code = GetString(**e, "code");
      auto msg = GetString(**e, "message");
      if (code && msg) return std::string(*code) + ": " + std::string(*msg);
    }
  }
  return "HTTP " + std::to_string(r.status);
}

struct ClientArgs {
  std::string url, ca_file, resource, sample_key, out, unseal, unseal_out, tcb = "UpToDate";
  std::string node, key_curve = "P-256";
  std::vector<std::string> measurements, attributes;
  bool debug = false;
};

int AttestClient(const ClientArgs& a) {
  if (Status s = CheckResourcePath(a.resource); !s.ok()) return ReportError(s);
  if (a.sample_key.empty()) {
    return ReportError(InvalidArgumentError(
        "this client attests with the sample TEE only: pass --sample-key PRIVATE.pem"));
  }
  if (a.out.empty() && a.unseal.empty())
    return ReportError(InvalidArgumentError("give -o DATA_KEY_FILE and/or --unseal SEALED_DIR"));
  if (!a.unseal.empty() && a.unseal_out.empty())
    return ReportError(InvalidArgumentError("--unseal needs --unseal-out DIR"));
  auto ep = ParseBaseUrl(a.url);
  if (!ep) return ReportError(ep.error());
  auto sample_key = LoadPrivateKeyFile(a.sample_key);
  if (!sample_key) return ReportError(sample_key.error());
  SampleStatement st;
  for (const std::string& m : a.measurements) {
    std::size_t eq = m.find('=');
    if (eq == std::string::npos)
      return ReportError(InvalidArgumentError("--measurement wants NAME=HEX"));
    st.measurements[m.substr(0, eq)] = m.substr(eq + 1);
  }
  for (const std::string& m : a.attributes) {
    std::size_t eq = m.find('=');
    if (eq == std::string::npos)
      return ReportError(InvalidArgumentError("--attribute wants NAME=VALUE"));
    st.attributes[m.substr(0, eq)] = m.substr(eq + 1);
  }
  st.tcb_status = a.tcb;
  st.debug = a.debug;

  // 1. auth
  auto auth = Call(*ep, a.ca_file, bhttp::verb::post, "/kbs/v0/auth",
                   R"({"version":"0.1.0","tee":"sample","extra-params":""})", "", "");
  if (!auth) return ReportError(auth.error());
  if (auth->status != 200)
    return ReportError(PermissionDeniedError("auth refused: " + RefusalOf(*auth)));
  auto av = ParseJson(auth->body);
  auto nonce = av && av->is_object() ? GetString(av->get_object(), "nonce")
                                     : Result<std::string_view>(InvalidArgumentError("no nonce"));
  if (!nonce) return ReportError(InvalidArgumentError("auth reply has no nonce"));
  std::string cookie = auth->set_cookie.substr(0, auth->set_cookie.find(';'));

  // 2. attest with an ephemeral key bound into the evidence
  auto tee_key = crypto::PrivateKey::Generate(a.key_curve == "P-384" ? crypto::KeyType::kEcdsaP384
                                                                     : crypto::KeyType::kEcdsaP256);
  if (!tee_key) return ReportError(tee_key.error());
  auto thumb = JwkThumbprint(tee_key->public_key());
  auto jwk = JwkOf(tee_key->public_key());
  if (!thumb || !jwk) return ReportError(InternalError("cannot make the TEE key"));
  st.report_data = ReportDataFor(*nonce, *thumb);
  auto ev = MakeSampleEvidence(st, *sample_key);
  if (!ev) return ReportError(ev.error());
  json::object body{{"tee-pubkey", *jwk}, {"tee-evidence", *ParseJson(*ev)}};
  if (!a.node.empty()) body["node"] = a.node;
  auto att = Call(*ep, a.ca_file, bhttp::verb::post, "/kbs/v0/attest", ToJson(body), cookie, "");
  if (!att) return ReportError(att.error());
  if (att->status != 200)
    return ReportError(PermissionDeniedError("attestation refused: " + RefusalOf(*att)));
  auto tv = ParseJson(att->body);
  auto token = tv && tv->is_object() ? GetString(tv->get_object(), "token")
                                     : Result<std::string_view>(InvalidArgumentError("no token"));
  if (!token) return ReportError(InvalidArgumentError("attest reply has no token"));

  // 3. the resource, wrapped to our key
  auto res = Call(*ep, a.ca_file, bhttp::verb::get, "/kbs/v0/resource/" + a.resource, "", "",
                  std::string(*token));
  if (!res) return ReportError(res.error());
  if (res->status != 200)
    return ReportError(PermissionDeniedError("key refused: " + RefusalOf(*res)));
  auto jwe = ParseJson(res->body);
  if (!jwe) return ReportError(jwe.error());
  auto secret = JweDecrypt(*tee_key, *jwe);
  if (!secret) return ReportError(secret.error());
  if (secret->size() != kKeySize)
    return ReportError(InvalidArgumentError("the released resource is not a 32-byte data key"));
  Key dk;
  std::copy(secret->begin(), secret->end(), dk.begin());
  std::fprintf(stderr, "rampart: %s released to this sample TEE\n", a.resource.c_str());
  if (!a.out.empty()) {
    if (Status s = WriteKeyFile(a.out, KeyKind::kDataKey, dk); !s.ok()) return ReportError(s);
    PrintOut("data key for " + a.resource + " written to " + a.out + "\n");
  }
  if (!a.unseal.empty()) {
    auto r = Unseal(a.unseal, a.unseal_out, dk);
    if (!r) return ReportError(r.error().WithContext("refused to unseal " + a.unseal));
    PrintOut("unsealed " + std::to_string(r->files) + " file(s) into " + a.unseal_out +
             "\n  root digest " + r->root_digest + "\n");
  }
  return kExitOk;
}

// ---- the key broker as a service of `rampart serve` ---------------------------------

class KbsService final : public Service {
 public:
  KbsService(BrokerConfig cfg, ServeContext* ctx) : cfg_(std::move(cfg)), ctx_(ctx) {}
  ~KbsService() override { Stop(); }
  std::string_view name() const override { return "kbs"; }

  Status Start() override {
    RAMPART_ASSIGN_OR_RETURN(VerifierSet v, MakeVerifiers(cfg_));
    WarnMissingVerifiers(cfg_, v);
    KbsServerOptions so;
    so.host = cfg_.listen_host;
    so.port = cfg_.listen_port;
    so.tls = cfg_.tls;
    so.allow_plain_http = cfg_.insecure_http;
    if (!ctx_->audit) spdlog::warn("kbs: no ledger in this estate: releases are only logged");
    RAMPART_ASSIGN_OR_RETURN(nodes_, StartBrokerNodes(cfg_, ctx_->audit.get()));
    RAMPART_ASSIGN_OR_RETURN(metrics_, StartNodeMetrics(cfg_.nodes.metrics, nodes_.get()));
    broker_ = std::make_unique<KeyBroker>(cfg_, std::move(v), ctx_->audit, &clock_);
    if (nodes_) broker_->SetNodeStates(nodes_->states());
    RAMPART_ASSIGN_OR_RETURN(server_, KbsServer::Start(*broker_, so));
    return OkStatus();
  }
  void Stop() override {
    if (server_) server_->Stop();
    server_.reset();
    broker_.reset();
    metrics_.reset();
    nodes_.reset();
  }

 private:
  BrokerConfig cfg_;
  ServeContext* ctx_;
  SystemClock clock_;
  std::unique_ptr<NodePoller> nodes_;
  std::unique_ptr<MetricsListener> metrics_;
  std::unique_ptr<KeyBroker> broker_;
  std::unique_ptr<KbsServer> server_;
};

}  // namespace

Result<std::unique_ptr<Service>> MakeKbsService(ServeContext& ctx) {
  if (ctx.estate == nullptr) return std::unique_ptr<Service>();
  const estate::Section* sec = ctx.estate->FindSection("attest");
  if (sec == nullptr) return std::unique_ptr<Service>();
  Diagnostics d;
  auto cfg = ReadBrokerConfig(sec->node, sec->file, fs::path(sec->file).parent_path(), &d,
                              CheckOmsSignature);
  if (!cfg) return InvalidArgumentError(d.ToString());
  if (!sec->node["listen"]) cfg->listen_host = ctx.bind_host;
  return std::unique_ptr<Service>(std::make_unique<KbsService>(std::move(*cfg), &ctx));
}

void RegisterAttestCommands(CLI::App& app, CommandContext& ctx) {
  static SealArgs seal_args;
  auto* seal = app.add_subcommand("seal", "Encrypt a model for release by the key broker");
  seal->add_option("model", seal_args.model, "Model directory (or file)")->required();
  seal->add_option("-o,--out", seal_args.out, "Sealed directory to create")->required();
  seal->add_option("--resource", seal_args.resource, "Broker resource path repo/type/tag")
      ->required();
  seal->add_option("--kek", seal_args.kek, "The broker's key-encryption key file")->required();
  seal->add_flag("--create-kek", seal_args.create_kek, "Create the --kek file if it is missing");
  seal->add_option("--chunk-size", seal_args.chunk_size,
                   "Authenticated chunk size in bytes (default 1 MiB)");
  seal->add_option("--signature", seal_args.signature,
                   "A `rampart sign` bundle of the model: its verified per-file digests go into "
                   "the manifest instead of hashing again");
  seal->add_option("--signer-key", seal_args.signer_key,
                   "The public key the --signature bundle must verify with");
  seal->add_option("--format", seal_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  seal->callback([&ctx] { ctx.exit_code = SealCmd(seal_args); });

  static UnsealArgs unseal_args;
  auto* unseal = app.add_subcommand("unseal", "Decrypt a sealed model, all or nothing");
  unseal->add_option("sealed", unseal_args.sealed, "Sealed directory")->required();
  unseal->add_option("-o,--out", unseal_args.out, "Directory to create")->required();
  unseal->add_option("--key", unseal_args.key, "A key file: key-encryption key or data key");
  unseal->add_option("--kek", unseal_args.kek, "The broker's key-encryption key file");
  unseal->add_option("--data-key", unseal_args.data_key, "A released data key file");
  unseal->add_option("--format", unseal_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  unseal->callback([&ctx] { ctx.exit_code = UnsealCmd(unseal_args); });

  auto* kbs =
      app.add_subcommand("kbs", "Key broker: releases sealed models' keys to attested TEEs");
  kbs->require_subcommand(1);
  static KbsServeArgs kbs_args;
  auto* serve = kbs->add_subcommand("serve", "Run the key broker (docs/formats/kbs-protocol.md)");
  serve->add_option("-e,--estate", kbs_args.estate, "Estate file(s) with an attest: section");
  serve->add_option("--policy", kbs_args.policy_file, "A YAML file holding the attest: section");
  serve->add_option("--listen", kbs_args.listen,
                    "HOST:PORT (default from attest.listen, 127.0.0.1:8443)");
  serve->add_flag("--insecure-http", kbs_args.insecure_http,
                  "Serve plain HTTP (loopback addresses only) when no TLS is configured");
  serve->add_option("--sample-key", kbs_args.sample_key,
                    "Public key that signs sample evidence (development only; enables tee sample)");
  serve->add_option("--ledger-store", kbs_args.ledger_store,
                    "Record releases in this ledger store (sqlite:PATH or postgres://...)");
  serve->add_option("--ledger-signer", kbs_args.ledger_key,
                    "Signer key of --ledger-store (default var/ledger.key)");
  serve->add_option("--ledger-url", kbs_args.ledger_url, "Record releases in a ledger service");
  // --ledger-key is the API key, as in every other command that writes to a ledger.
  serve->add_option("--ledger-key,--ledger-api-key", kbs_args.ledger_api_key,
                    "API key for --ledger-url (default: $RAMPART_LEDGER_API_KEY)");
  serve->add_option("--metrics", kbs_args.metrics,
                    "HOST:PORT to serve the node verifier loop's /metrics on "
                    "(attest.nodes.metrics)");
  serve->callback([&ctx] { ctx.exit_code = KbsServe(kbs_args); });

  auto* attest = app.add_subcommand("attest", "Confidential computing: evidence and key release");
  attest->require_subcommand(1);
  RegisterAttestVerifyCommand(*attest, ctx);
  static ClientArgs client_args;
  auto* client = attest->add_subcommand(
      "client", "Reference requester: auth, attest (sample TEE), fetch and unwrap a resource");
  client->add_option("--url", client_args.url, "Key broker base URL")->required();
  client->add_option("--ca-file", client_args.ca_file, "CA of the broker's certificate");
  client->add_option("--resource", client_args.resource, "repo/type/tag")->required();
  client->add_option("--sample-key", client_args.sample_key, "Private key signing sample evidence");
  client->add_option("--measurement", client_args.measurements, "NAME=HEX claimed; repeatable");
  client->add_option("--attribute", client_args.attributes, "NAME=VALUE claimed; repeatable");
  client->add_option("--node", client_args.node,
                     "The enrolled node this TEE runs on (policies with require_attested_node)");
  client
      ->add_option("--key-curve", client_args.key_curve,
                   "Curve of the ephemeral TEE key: P-256 (default) or P-384")
      ->check(CLI::IsMember({"P-256", "P-384"}));
  client->add_option("--tcb-status", client_args.tcb, "Claimed TCB status (default UpToDate)");
  client->add_flag("--debug", client_args.debug, "Claim a debuggable TEE");
  client->add_option("-o,--out", client_args.out, "Write the released data key to this file");
  client->add_option("--unseal", client_args.unseal, "Unseal this sealed directory with the key");
  client->add_option("--unseal-out", client_args.unseal_out, "Where --unseal writes the model");
  client->callback([&ctx] { ctx.exit_code = AttestClient(client_args); });
}

}  // namespace rampart::cli
