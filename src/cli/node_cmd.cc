// `rampart node enroll | verify | nonce`: TPM measured boot of nodes
// (docs/design/tpm.md, docs/formats/node-policy.md).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "attest/tpm/agent.h"
#include "attest/tpm/golden.h"
#include "attest/tpm/node_verifier.h"
#include "attest/tpm/node_verify.h"
#include "cli/cli.h"
#include "cli/ledger_out.h"
#include "cli/metrics_listener.h"
#include "cli/node_cmds.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/host_port.h"
#include "core/json.h"
#include "core/log.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using namespace rampart::attest::tpm;

Result<Bytes> ReadBytes(const std::string& path, std::string_view what) {
  auto text = ReadFile(path);
  if (!text) return InvalidArgumentError(std::string(what) + " " + text.error().message());
  return Bytes(text->begin(), text->end());
}

// A node name becomes a file name in the registry: keep it to a safe set.
Status CheckNodeName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.')
    return InvalidArgumentError("node name \"" + std::string(name) +
                                "\": 1-128 characters, not starting with '.'");
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return InvalidArgumentError("node name \"" + std::string(name) +
                                  "\": letters, digits, '-', '_' and '.' only");
  return OkStatus();
}

// ---- enroll ---------------------------------------------------------------

struct EnrollArgs {
  std::string name, node_class, ak, ek, ek_cert, ek_roots, registry, policy, address;
  bool replace = false;
};

int Enroll(const EnrollArgs& a) {
  if (Status s = CheckNodeName(a.name); !s.ok()) return ReportError(s);
  if (!a.policy.empty()) {
    auto policy = LoadNodePolicy(a.policy);
    if (!policy) return ReportError(policy.error());
    if (!policy->classes.contains(a.node_class))
      return ReportError(InvalidArgumentError(a.policy + ": no class \"" + a.node_class + "\""));
  }
  auto ak_bytes = ReadBytes(a.ak, "--ak");
  if (!ak_bytes) return ReportError(ak_bytes.error());
  auto ak = ParseKeyFile(*ak_bytes);
  if (!ak) return ReportError(InvalidArgumentError(a.ak + ": " + ak.error().message()));
  if (!ak->tpm)
    return ReportError(InvalidArgumentError(
        a.ak +
        ": enrolment needs the AK's TPM2B_PUBLIC (tpm2_createak -u), not a PEM key: its "
        "attributes show that it is a restricted key bound to its TPM"));
  if (Status s = CheckAkAttributes(*ak->tpm); !s.ok()) return ReportError(s);

  std::string ek_pem, ek_cert_digest;
  if (!a.ek.empty()) {
    auto ek_bytes = ReadBytes(a.ek, "--ek");
    if (!ek_bytes) return ReportError(ek_bytes.error());
    auto ek = ParseKeyFile(*ek_bytes);
    if (!ek) return ReportError(InvalidArgumentError(a.ek + ": " + ek.error().message()));
    ek_pem = ek->key.ToPem().value_or("");
    if (!a.ek_cert.empty()) {
      auto pem = ReadFile(a.ek_cert);
      if (!pem) return ReportError(pem.error());
      auto chain = crypto::Certificate::ChainFromPem(*pem);
      if (!chain)
        return ReportError(InvalidArgumentError(a.ek_cert + ": " + chain.error().message()));
      auto roots_pem = ReadFile(a.ek_roots);
      if (!roots_pem) return ReportError(roots_pem.error());
      auto roots = crypto::Certificate::ChainFromPem(*roots_pem);
      if (!roots)
        return ReportError(InvalidArgumentError(a.ek_roots + ": " + roots.error().message()));
      std::vector<crypto::Certificate> intermediates(chain->begin() + 1, chain->end());
      if (Status s = CheckEkCertificate(chain->front(), intermediates, *roots, ek->key,
                                        std::chrono::system_clock::now());
          !s.ok())
        return ReportError(s);
      auto der = chain->front().ToDer();
      if (der) ek_cert_digest = "sha256:" + HexEncode(crypto::Sha256(*der));
    }
  } else if (!a.ek_cert.empty()) {
    return ReportError(InvalidArgumentError("--ek-cert needs --ek, the EK it certifies"));
  }

  fs::path file = fs::path(a.registry) / (a.name + ".json");
  std::error_code ec;
  if (!a.replace && fs::exists(file, ec))
    return ReportError(InvalidArgumentError(file.string() + " exists; --replace to re-enrol"));
  fs::create_directories(a.registry, ec);
  boost::json::object o;
  o["name"] = a.name;
  o["class"] = a.node_class;
  Bytes sized{static_cast<std::uint8_t>(ak->tpm->marshalled.size() >> 8),
              static_cast<std::uint8_t>(ak->tpm->marshalled.size())};
  sized.insert(sized.end(), ak->tpm->marshalled.begin(), ak->tpm->marshalled.end());
  o["ak_public"] = HexEncode(sized);
  o["ak_name"] = HexEncode(ak->tpm->Name());
  if (!ek_pem.empty()) o["ek_public"] = ek_pem;
  if (!ek_cert_digest.empty()) o["ek_certificate"] = ek_cert_digest;
  if (!a.address.empty()) o["address"] = a.address;
  o["enrolled_at"] = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  if (Status s = WriteFileAtomic(file, ToPrettyJson(o) + "\n"); !s.ok())
    return ReportError(s.WithContext(file.string()));
  PrintOut("enrolled " + a.name + " (class " + a.node_class + ", AK " + HexEncode(ak->tpm->Name()) +
           (ek_cert_digest.empty() ? "" : ", EK certificate verified") + ") in " + file.string() +
           "\n");
  return kExitOk;
}

// ---- verify ---------------------------------------------------------------

struct VerifyArgs {
  std::string quote, signature, nonce, ak, node, registry, log, ima, policy, node_class;
  std::string format = "text";
};

struct Enrolled {
  std::string node_class;
  Bytes ak;
  std::string address;
};

Result<Enrolled> LoadEnrolled(const std::string& registry, const std::string& name) {
  RAMPART_RETURN_IF_ERROR(CheckNodeName(name));
  fs::path file = fs::path(registry) / (name + ".json");
  auto text = ReadFile(file);
  if (!text)
    return NotFoundError("node " + name + " is not enrolled (" + text.error().message() + ")");
  RAMPART_ASSIGN_OR_RETURN(auto v, ParseJson(*text));
  if (!v.is_object()) return InvalidArgumentError(file.string() + ": not a JSON object");
  RAMPART_ASSIGN_OR_RETURN(std::string_view cls, GetString(v.as_object(), "class"));
  RAMPART_ASSIGN_OR_RETURN(std::string_view ak, GetString(v.as_object(), "ak_public"));
  RAMPART_ASSIGN_OR_RETURN(auto ak_bytes, HexDecode(ak));
  RAMPART_ASSIGN_OR_RETURN(auto address, GetOptionalString(v.as_object(), "address"));
  return Enrolled{std::string(cls), std::move(ak_bytes), std::string(address.value_or(""))};
}

int Verify(const VerifyArgs& a) {
  if (a.ak.empty() == a.node.empty())
    return ReportError(
        InvalidArgumentError("name the AK: --ak FILE, or --node NAME --registry DIR"));
  std::string node_class = a.node_class;
  Bytes ak_bytes;
  if (!a.node.empty()) {
    auto e = LoadEnrolled(a.registry, a.node);
    if (!e) return ReportError(e.error());
    ak_bytes = std::move(e->ak);
    if (node_class.empty()) node_class = e->node_class;
  } else {
    auto b = ReadBytes(a.ak, "--ak");
    if (!b) return ReportError(b.error());
    ak_bytes = std::move(*b);
  }
  auto ak = ParseKeyFile(ak_bytes);
  if (!ak) return ReportError(InvalidArgumentError("AK: " + ak.error().message()));
  auto nonce = HexDecode(a.nonce);
  if (!nonce || nonce->empty() || nonce->size() > 64)
    return ReportError(InvalidArgumentError("--nonce: 1-64 bytes in hex"));

  std::optional<NodePolicy> policy;
  const NodeClass* cls = nullptr;
  if (!a.policy.empty()) {
    auto p = LoadNodePolicy(a.policy);
    if (!p) return ReportError(p.error());
    policy = std::move(*p);
    if (node_class.empty())
      return ReportError(InvalidArgumentError("--policy needs --class (or an enrolled --node)"));
    auto it = policy->classes.find(node_class);
    if (it == policy->classes.end())
      return ReportError(InvalidArgumentError(a.policy + ": no class \"" + node_class + "\""));
    cls = &it->second;
  }

  NodeEvidence ev;
  auto q = ReadBytes(a.quote, "--quote");
  if (!q) return ReportError(q.error());
  ev.quote = std::move(*q);
  auto s = ReadBytes(a.signature, "--signature");
  if (!s) return ReportError(s.error());
  ev.signature = std::move(*s);
  if (!a.log.empty()) {
    auto l = ReadBytes(a.log, "--log");
    if (!l) return ReportError(l.error());
    ev.event_log = std::move(*l);
  }
  if (!a.ima.empty()) {
    auto l = ReadBytes(a.ima, "--ima");
    if (!l) return ReportError(l.error());
    ev.ima = std::move(*l);
  }

  NodeVerdict v = VerifyNode(ev, ak->key, *nonce, cls);
  std::string who = a.node.empty() ? "node" : "node " + a.node;
  if (a.format == "json") {
    boost::json::object o;
    o["node"] = a.node;
    o["class"] = node_class;
    o["verified"] = v.ok();
    if (!v.refusal.ok()) o["refusal"] = v.refusal.message();
    boost::json::array drifts;
    for (const auto& d : v.drifts) drifts.push_back({{"what", d.what}, {"message", d.message}});
    o["drifts"] = std::move(drifts);
    if (v.refusal.ok()) {
      boost::json::object facts;
      if (v.facts.kernel) facts["kernel"] = v.facts.kernel->digest;
      if (v.facts.initrd) facts["initrd"] = v.facts.initrd->digest;
      if (v.facts.kernel_cmdline) facts["kernel_cmdline"] = *v.facts.kernel_cmdline;
      if (v.facts.secure_boot) facts["secure_boot"] = *v.facts.secure_boot;
      facts["firmware_version"] = v.facts.firmware_version;
      boost::json::array apps;
      for (const auto& m : v.facts.boot_applications) apps.push_back(boost::json::string(m.digest));
      facts["boot_applications"] = std::move(apps);
      facts["ima_entries"] = v.ima.entries.size();
      o["facts"] = std::move(facts);
    }
    PrintOut(ToPrettyJson(o) + "\n");
  } else {
    std::string out;
    if (!v.refusal.ok()) {
      out = who + ": REFUSED: " + v.refusal.message() + "\n";
    } else {
      out = who + ": quote verified (nonce, signature, PCR digest); " +
            std::to_string(v.ima.entries.size()) + " IMA entries replayed\n";
      if (v.facts.kernel)
        out += "  kernel " + v.facts.kernel->digest + "  " + v.facts.kernel->what + "\n";
      if (v.facts.kernel_cmdline) out += "  cmdline \"" + *v.facts.kernel_cmdline + "\"\n";
      if (v.facts.secure_boot)
        out += std::string("  secure boot ") + (*v.facts.secure_boot ? "on" : "off") + "\n";
      for (const auto& d : v.drifts) out += "drift: " + d.message + "\n";
      out += v.drifts.empty()
                 ? (cls ? "ok: matches the golden values of class " + node_class + "\n"
                        : "ok (no golden values checked: --policy and --class)\n")
                 : std::to_string(v.drifts.size()) + " drift(s) from class " + node_class + "\n";
    }
    (v.refusal.ok() ? PrintOut(out) : (void)std::fputs(out.c_str(), stderr));
  }
  return v.ok() ? kExitOk : kExitFindings;
}

// ---- agent ----------------------------------------------------------------

struct AgentArgs {
  std::string listen = "127.0.0.1:0", ak_ctx, log, ima, pcrs = "sha256:0,1,2,3,4,5,6,7,8,9,10";
};

// Runs argv (no shell) and waits; the exit status, or -1.
int RunTool(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Quotes with tpm2-tools (TPM2TOOLS_TCTI names the TPM), one at a time.
class TpmToolsProvider {
 public:
  TpmToolsProvider(AgentArgs a, fs::path work) : a_(std::move(a)), work_(std::move(work)) {}
  Result<NodeEvidence> Quote(ByteView nonce) {
    std::lock_guard lock(mu_);
    fs::path msg = work_ / "quote.msg", sig = work_ / "quote.sig";
    int rc = RunTool({"tpm2_quote", "-c", a_.ak_ctx, "-l", a_.pcrs, "-q", HexEncode(nonce), "-m",
                      msg.string(), "-s", sig.string(), "-g", "sha256"});
    RunTool({"tpm2_flushcontext", "-t"});
    if (rc != 0) return UnavailableError("tpm2_quote failed (exit " + std::to_string(rc) + ")");
    NodeEvidence ev;
    RAMPART_ASSIGN_OR_RETURN(ev.quote, ReadBytes(msg.string(), "quote"));
    RAMPART_ASSIGN_OR_RETURN(ev.signature, ReadBytes(sig.string(), "signature"));
    if (!a_.log.empty()) {
      RAMPART_ASSIGN_OR_RETURN(ev.event_log, ReadBytes(a_.log, "--log"));
    }
    if (!a_.ima.empty()) {
      RAMPART_ASSIGN_OR_RETURN(Bytes ima, ReadBytes(a_.ima, "--ima"));
      ev.ima = std::move(ima);
    }
    return ev;
  }

 private:
  AgentArgs a_;
  fs::path work_;
  std::mutex mu_;
};

int Agent(const AgentArgs& a) {
  sigset_t signals = BlockServiceSignals();
  http::ServerOptions so;
  so.name = "node-agent";
  if (!ParseHostPort(a.listen, &so.host, &so.port))
    return ReportError(InvalidArgumentError("--listen: expected HOST:PORT"));
  char tmpl[] = "/tmp/rampart-agent-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return ReportError(InternalError("cannot make a work directory"));
  fs::path work = tmpl;
  TpmToolsProvider provider(a, work);
  AgentHandler handler([&provider](ByteView nonce) { return provider.Quote(nonce); });
  auto server = http::Server::Start(so, handler);
  if (!server) {
    std::error_code ec;
    fs::remove_all(work, ec);
    return ReportError(server.error());
  }
  std::fprintf(stderr, "rampart node agent: listening on %s:%u\n", so.host.c_str(),
               static_cast<unsigned>((*server)->port()));
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) == 0 && sig != SIGHUP) break;
  }
  (*server)->Stop(std::chrono::seconds(5));
  std::error_code ec;
  fs::remove_all(work, ec);
  return kExitOk;
}

// ---- poll -----------------------------------------------------------------

struct PollArgs {
  std::string registry, policy;
  int interval = 60;
  int timeout_ms = 10000;
  bool once = false;
  LedgerOutArgs ledger;  // --ledger: record node.attested / node.drifted
  std::string metrics;   // --metrics HOST:PORT
};

// The enrolled nodes of `registry` that have an agent address, by name.
Result<std::vector<EnrolledNode>> LoadPollableNodes(const std::string& registry) {
  std::vector<EnrolledNode> nodes;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(registry, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::string name = entry.path().stem().string();
    RAMPART_ASSIGN_OR_RETURN(Enrolled e, LoadEnrolled(registry, name));
    if (e.address.empty()) continue;  // enrolled for offline verification only
    auto ak = ParseKeyFile(e.ak);
    if (!ak) return InvalidArgumentError(name + ": " + ak.error().message());
    nodes.push_back({name, e.node_class, ak->key, e.address});
  }
  if (ec) return InvalidArgumentError(registry + ": " + ec.message());
  if (nodes.empty()) return InvalidArgumentError(registry + ": no enrolled node has an --address");
  std::sort(nodes.begin(), nodes.end(),
            [](const EnrolledNode& x, const EnrolledNode& y) { return x.name < y.name; });
  return nodes;
}

Result<std::shared_ptr<NodeVerifier>> MakeHttpNodeVerifier(const std::string& registry,
                                                           const std::string& policy_file,
                                                           std::chrono::milliseconds timeout,
                                                           AuditSink* sink) {
  RAMPART_ASSIGN_OR_RETURN(NodePolicy policy, LoadNodePolicy(policy_file));
  RAMPART_ASSIGN_OR_RETURN(std::vector<EnrolledNode> nodes, LoadPollableNodes(registry));
  return std::make_shared<NodeVerifier>(
      std::move(policy), std::move(nodes),
      [timeout](const EnrolledNode& n, ByteView nonce) {
        return FetchEvidenceHttp(n.address, nonce, timeout);
      },
      sink);
}

int Poll(const PollArgs& a) {
  // A loop stops on SIGINT/SIGTERM between polls, its events recorded; the
  // mask is set before any thread starts so that every thread inherits it.
  sigset_t signals;
  sigemptyset(&signals);
  if (!a.once) signals = BlockServiceSignals();
  std::unique_ptr<LedgerOut> ledger;
  if (!a.ledger.target.empty()) {
    auto l = LedgerOut::Open(a.ledger, "rampart-node-poll");
    if (!l) return ReportError(l.error());
    ledger = std::move(*l);
  }
  auto verifier =
      MakeHttpNodeVerifier(a.registry, a.policy, std::chrono::milliseconds(a.timeout_ms),
                           ledger ? ledger->sink() : nullptr);
  if (!verifier) return ReportError(verifier.error());
  auto nodes = LoadPollableNodes(a.registry);
  if (!nodes) return ReportError(nodes.error());
  std::unique_ptr<MetricsListener> metrics;
  if (!a.metrics.empty()) {
    std::shared_ptr<NodeVerifier> v = *verifier;
    auto m = MetricsListener::Start(a.metrics, [v] { return v->MetricsText(); });
    if (!m) return ReportError(m.error().WithContext("--metrics"));
    metrics = std::move(*m);
  }
  for (;;) {
    auto r = (*verifier)->PollOnce(std::chrono::system_clock::now());
    std::string out;
    for (const auto& n : *nodes) {
      auto s = (*verifier)->Lookup(n.name);
      out += n.name + ": " + std::string(NodeHealthName(s->health)) + "\n";
      for (const auto& m : s->reasons) out += "  " + m + "\n";
    }
    PrintOut(out);
    std::fflush(stdout);  // a loop's output reaches a log file poll by poll
    // Each poll's events are durable before the next poll (or the exit).
    Status recorded = r.audit_failures > 0
                          ? UnavailableError(std::to_string(r.audit_failures) +
                                             " node event(s) refused by the ledger")
                          : OkStatus();
    if (ledger && recorded.ok()) recorded = ledger->Drain(std::chrono::seconds(10));
    if (a.once) {
      if (!recorded.ok()) return ReportError(recorded.WithContext("the poll was not recorded"));
      return r.failed == 0 ? kExitOk : kExitFindings;
    }
    if (!recorded.ok()) spdlog::error("node poll: {}", recorded.message());
    timespec wait{a.interval, 0};
    int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) return kExitOk;
  }
}

}  // namespace

NodePoller::NodePoller(std::shared_ptr<NodeVerifier> verifier, std::chrono::seconds interval)
    : verifier_(std::move(verifier)), interval_(interval) {
  verifier_->PollOnce(std::chrono::system_clock::now());
  thread_ = std::jthread([this](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    while (!stop.stop_requested()) {
      cv.wait_for(lock, stop, interval_, [] { return false; });
      if (stop.stop_requested()) break;
      auto r = verifier_->PollOnce(std::chrono::system_clock::now());
      if (r.audit_failures > 0)
        spdlog::error("node verifier: {} audit event(s) refused by the ledger", r.audit_failures);
    }
  });
}

NodePoller::~NodePoller() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const NodeStateReader> NodePoller::states() const { return verifier_; }

std::string NodePoller::MetricsText() const { return verifier_->MetricsText(); }

Result<std::unique_ptr<NodePoller>> StartNodePoller(const std::string& registry,
                                                    const std::string& policy,
                                                    std::chrono::seconds interval,
                                                    AuditSink* sink) {
  RAMPART_ASSIGN_OR_RETURN(auto verifier,
                           MakeHttpNodeVerifier(registry, policy, std::chrono::seconds(10), sink));
  return std::make_unique<NodePoller>(std::move(verifier), interval);
}

void RegisterNodeCommands(CLI::App& app, CommandContext& ctx) {
  auto* node = app.add_subcommand("node", "TPM measured boot of nodes: enrol, verify quotes");
  node->require_subcommand(1);

  static EnrollArgs e;
  auto* enroll = node->add_subcommand("enroll", "Record a node's AK (and EK) after checking them");
  enroll->add_option("--name", e.name, "Node name")->required();
  enroll->add_option("--class", e.node_class, "Node class in the node policy")->required();
  enroll->add_option("--ak", e.ak, "AK public area, TPM2B_PUBLIC (tpm2_createak -u)")->required();
  enroll->add_option("--ek", e.ek, "EK public area (tpm2_createek -u) or PEM");
  enroll->add_option("--ek-cert", e.ek_cert, "EK certificate (PEM, then intermediates)");
  enroll->add_option("--ek-roots", e.ek_roots, "Pinned manufacturer roots (PEM)");
  enroll->add_option("--registry", e.registry, "Directory of enrolled nodes")->required();
  enroll->add_option("--policy", e.policy, "Node policy: check the class exists");
  enroll->add_flag("--replace", e.replace, "Re-enrol a node already enrolled");
  enroll->add_option("--address", e.address, "host:port of the node's agent (for node poll)");
  enroll->callback([&ctx] {
    if (!e.ek_cert.empty() && e.ek_roots.empty()) {
      ctx.exit_code = ReportError(InvalidArgumentError("--ek-cert needs --ek-roots"));
      return;
    }
    ctx.exit_code = Enroll(e);
  });

  static VerifyArgs v;
  auto* verify =
      node->add_subcommand("verify", "Verify a quote and boot logs against golden values");
  verify->add_option("--quote", v.quote, "TPMS_ATTEST (tpm2_quote -m)")->required();
  verify->add_option("--signature", v.signature, "TPMT_SIGNATURE (tpm2_quote -s)")->required();
  verify->add_option("--nonce", v.nonce, "The nonce the quote must carry, hex")->required();
  verify->add_option("--ak", v.ak, "AK: TPM2B_PUBLIC or PEM");
  verify->add_option("--node", v.node, "An enrolled node (with --registry)");
  verify->add_option("--registry", v.registry, "Directory of enrolled nodes");
  verify->add_option("--log", v.log, "UEFI event log (binary_bios_measurements)");
  verify->add_option("--ima", v.ima, "IMA measurement list, ASCII or binary");
  verify->add_option("--policy", v.policy, "Node policy (golden values)");
  verify->add_option("--class", v.node_class, "Node class (default: the enrolled one)");
  verify->add_option("--format", v.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  verify->callback([&ctx] { ctx.exit_code = Verify(v); });

  static AgentArgs ag;
  auto* agent = node->add_subcommand(
      "agent", "On the node: answer GET /v1/quote?nonce= with a TPM quote and the logs");
  agent->add_option("--listen", ag.listen, "host:port (port 0: any free port)");
  agent->add_option("--ak-ctx", ag.ak_ctx, "AK context (tpm2_createak -c)")->required();
  agent->add_option("--log", ag.log, "UEFI event log to send");
  agent->add_option("--ima", ag.ima, "IMA measurement list to send");
  agent->add_option("--pcrs", ag.pcrs, "PCR selection to quote (tpm2_quote -l)");
  agent->callback([&ctx] { ctx.exit_code = Agent(ag); });

  static PollArgs pa;
  auto* poll = node->add_subcommand("poll", "Verify every enrolled node's agent, every --interval");
  poll->add_option("--registry", pa.registry, "Directory of enrolled nodes")->required();
  poll->add_option("--policy", pa.policy, "Node policy (golden values)")->required();
  poll->add_option("--interval", pa.interval, "Seconds between polls")->check(CLI::Range(1, 86400));
  poll->add_option("--timeout-ms", pa.timeout_ms, "Per-node deadline")
      ->check(CLI::Range(100, 600000));
  poll->add_flag("--once", pa.once, "Poll once; exit 1 unless every node is attested");
  AddLedgerOutOptions(poll, pa.ledger,
                      "Record every result (node.attested, node.drifted) in this ledger: a "
                      "service URL or a store");
  poll->add_option("--metrics", pa.metrics, "HOST:PORT to serve /metrics (node state) on");
  poll->callback([&ctx] { ctx.exit_code = Poll(pa); });

  auto* nonce = node->add_subcommand("nonce", "Print a fresh 32-byte nonce in hex");
  nonce->callback([&ctx] {
    auto n = crypto::RandomBytes(32);
    if (!n) {
      ctx.exit_code = ReportError(n.error());
      return;
    }
    PrintOut(HexEncode(*n) + "\n");
  });
}

}  // namespace rampart::cli
