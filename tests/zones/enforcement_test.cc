// Enforcement on real packets: the estate's endpoints become Linux network
// namespaces, each wired by a veth pair to a firewall namespace that routes
// between them and runs the compiled nftables ruleset. Every endpoint pair is
// probed on every relevant port with real TCP connections and UDP echoes; the
// observed allow/deny matrix must equal the one read from the estate's flows
// (FlowOracle below, written from the estate format's documentation and never
// from the EstateModel the ruleset is compiled from), and the rule counters
// must name exactly the flows that carried the allowed probes.
//
// The test re-executes itself under `unshare --net --mount` so the host's own
// network and mounts are never touched; it needs root, `ip` and `nft`.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "estate/loader.h"
#include "testing/testing.h"
#include "zones/estate_model.h"
#include "zones/nft.h"

namespace rampart::zones {
namespace {

namespace fs = std::filesystem;
using rampart::testing::Run;
using rampart::testing::SourceDir;
using rampart::testing::TempDir;

constexpr char kInNetns[] = "RAMPART_ZONES_IN_NETNS";

struct Endpoint {
  std::string name;   // netns name: e0, e1, ...
  std::string label;  // "gateway", "gpu-pool#2", "zone:corp", "internet"
  std::uint32_t addr = 0;
};

struct Probe {
  int src = 0;
  int dst = 0;
  Protocol proto = Protocol::kTcp;
  std::uint16_t port = 0;
  int fd = -1;
  bool done = false;
  bool allowed = false;
  std::vector<std::string> expect_flows;  // from the estate's flows (FlowOracle)
};

bool Sh(const std::vector<std::string>& argv, std::string* err = nullptr) {
  auto r = Run(argv);
  if (r.exit_code != 0) {
    std::string msg;
    for (const auto& a : argv) msg += a + " ";
    msg += "-> " + std::to_string(r.exit_code) + ": " + r.out + r.err;
    if (err) *err = msg;
    ADD_FAILURE() << msg;
    return false;
  }
  return true;
}

std::uint32_t Host(const IpSet& s, std::uint32_t offset) {
  for (const auto& iv : s.intervals()) {
    if (static_cast<std::uint64_t>(iv.first) + offset <= iv.last) return iv.first + offset;
  }
  return 0;
}

// Enters a network namespace on the calling thread; returns the previous one.
class NetnsGuard {
 public:
  explicit NetnsGuard(const std::string& name) {
    self_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int fd = open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    ok_ = fd >= 0 && setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) close(fd);
  }
  ~NetnsGuard() {
    if (self_ >= 0) {
      setns(self_, CLONE_NEWNET);
      close(self_);
    }
  }
  bool ok() const { return ok_; }

 private:
  int self_ = -1;
  bool ok_ = false;
};

sockaddr_in Addr(std::uint32_t a, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(a);
  return sa;
}

// Listens on every probed port of every endpoint and answers: TCP accepts,
// UDP echoes. Sockets are created inside each endpoint's namespace and keep
// it; one thread serves them all.
class Servers {
 public:
  ~Servers() { Stop(); }
  bool Listen(const Endpoint& ep, Protocol proto, std::uint16_t port) {
    NetnsGuard ns(ep.name);
    if (!ns.ok()) return false;
    int type = proto == Protocol::kUdp ? SOCK_DGRAM : SOCK_STREAM;
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa = Addr(ep.addr, port);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      close(fd);
      return false;
    }
    if (type == SOCK_STREAM && listen(fd, 256) != 0) {
      close(fd);
      return false;
    }
    fds_.push_back({fd, type});
    return true;
  }
  void Start() {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    for (std::size_t i = 0; i < fds_.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      epoll_ctl(epfd_, EPOLL_CTL_ADD, fds_[i].first, &ev);
    }
    thread_ = std::thread([this] {
      epoll_event evs[64];
      while (!stop_) {
        int n = epoll_wait(epfd_, evs, 64, 50);
        for (int i = 0; i < n; ++i) {
          auto [fd, type] = fds_[evs[i].data.u64];
          if (type == SOCK_STREAM) {
            while (true) {
              int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
              if (c < 0) break;
              accepted_.push_back(c);
            }
          } else {
            char buf[512];
            sockaddr_in from{};
            socklen_t len = sizeof from;
            ssize_t got;
            while ((got = recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from),
                                   &len)) > 0) {
              sendto(fd, buf, static_cast<std::size_t>(got), 0, reinterpret_cast<sockaddr*>(&from),
                     len);
              len = sizeof from;
            }
          }
        }
      }
    });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (auto& [fd, t] : fds_) close(fd);
    for (int c : accepted_) close(c);
    fds_.clear();
    accepted_.clear();
    if (epfd_ >= 0) close(epfd_);
    epfd_ = -1;
  }

 private:
  std::vector<std::pair<int, int>> fds_;
  std::vector<int> accepted_;
  int epfd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// What the estate's flows allow, read from the estate alone: the expectation
// the kernel's behaviour is compared with. The rules, from
// docs/formats/estate.md and docs/formats/zones.md:
// - a flow allows a connection (src, dst, protocol, port) when its `from`
//   endpoint holds src, its `to` endpoint holds dst and its ports hold the
//   protocol and port; nothing else is allowed (default deny);
// - a service endpoint holds the service's IPv4 `addresses` (its zone's CIDRs
//   when it lists none); a zone endpoint holds the zone's CIDRs; the internet
//   zone without CIDRs holds every IPv4 address in no other zone;
// - a flow without `ports` means every port of its `to` service;
// - a `dns: true` zone reaches every `kind: dns` service on udp/53 and tcp/53
//   (those of the two the service lists, if it lists ports), as flow
//   "dns-<zone>", after the estate's own flows;
// - replies of an allowed connection pass (established return traffic): a
//   probe is allowed only when its reply comes back, which the probes check.
// The first allowing flow in that order is the one whose counter counts the
// connection.
class FlowOracle {
 public:
  struct Flow {
    std::string name;
    std::string from, to;
    estate::EndpointKind from_kind = estate::EndpointKind::kService;
    estate::EndpointKind to_kind = estate::EndpointKind::kService;
    std::vector<estate::PortRange> ports;
  };

  explicit FlowOracle(const estate::Estate& e) : e_(e) {
    for (const auto& f : e.flows) {
      Flow o{f.name, f.from, f.to, f.from_kind, f.to_kind, f.ports};
      if (o.ports.empty() && f.to_kind == estate::EndpointKind::kService) {
        if (const auto* s = e.FindService(f.to)) o.ports = s->ports;
      }
      flows_.push_back(std::move(o));
    }
    for (const auto& z : e.zones) {
      if (!z.dns) continue;
      for (const auto& s : e.services) {
        if (s.kind != estate::ServiceKind::kDns) continue;
        Flow o{"dns-" + z.name,
               z.name,
               s.name,
               estate::EndpointKind::kZone,
               estate::EndpointKind::kService,
               {}};
        for (Protocol p : {Protocol::kUdp, Protocol::kTcp}) {
          estate::PortRange dns{53, 53, p};
          bool listed =
              s.ports.empty() || std::any_of(s.ports.begin(), s.ports.end(),
                                             [&](const auto& r) { return r.Contains(dns); });
          if (listed) o.ports.push_back(dns);
        }
        flows_.push_back(std::move(o));
      }
    }
  }

  const std::vector<Flow>& flows() const { return flows_; }

  // The flows that allow the connection, in order; empty: denied.
  std::vector<std::string> Allowing(std::uint32_t src, std::uint32_t dst, Protocol proto,
                                    std::uint16_t port) const {
    std::vector<std::string> out;
    for (const auto& f : flows_) {
      if (!Holds(f.from, f.from_kind, src) || !Holds(f.to, f.to_kind, dst)) continue;
      for (const auto& r : f.ports) {
        if (r.protocol == proto && r.first <= port && port <= r.last) {
          out.push_back(f.name);
          break;
        }
      }
    }
    return out;
  }

  // Whether the endpoint (a service or a zone) holds the IPv4 address.
  bool Holds(const std::string& name, estate::EndpointKind kind, std::uint32_t a) const {
    if (kind == estate::EndpointKind::kService) {
      const auto* s = e_.FindService(name);
      if (s == nullptr) return false;
      if (HasV4(s->addresses)) return InAny(s->addresses, a);
      return Holds(s->zone, estate::EndpointKind::kZone, a);
    }
    const auto* z = e_.FindZone(name);
    if (z == nullptr) return false;
    if (z->kind == estate::ZoneKind::kInternet && z->cidrs.empty()) {
      for (const auto& other : e_.zones) {
        if (other.kind != estate::ZoneKind::kInternet && InAny(other.cidrs, a)) return false;
      }
      return true;
    }
    return InAny(z->cidrs, a);
  }

 private:
  static bool HasV4(const std::vector<Cidr>& cidrs) {
    return std::any_of(cidrs.begin(), cidrs.end(), [](const Cidr& c) { return !c.address.v6; });
  }
  static bool InAny(const std::vector<Cidr>& cidrs, std::uint32_t a) {
    for (const auto& c : cidrs) {
      if (c.address.v6) continue;
      std::uint32_t mask = c.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - c.prefix);
      if ((a & mask) == (static_cast<std::uint32_t>(c.address.value) & mask)) return true;
    }
    return false;
  }

  const estate::Estate& e_;
  std::vector<Flow> flows_;
};

class World {
 public:
  // Builds namespaces for the estate's endpoints, routed through "fw".
  void Build(const estate::Estate& e, const FlowOracle& oracle) {
    for (const auto& s : e.services) {
      IpSet a;
      for (const auto& c : s.addresses) {
        if (!c.address.v6) a = a.Union(IpSet::FromCidr(c));
      }
      if (a.empty()) continue;
      bool block = a.intervals().front().last > a.intervals().front().first;
      Add(s.name, block ? Host(a, 1) : Host(a, 0));
      if (block && Host(a, 2)) Add(s.name + "#2", Host(a, 2));
    }
    for (const auto& z : e.zones) {
      if (z.kind == estate::ZoneKind::kInternet) {
        std::uint32_t pick = 0xcb00710a;  // 203.0.113.10, a documentation address
        if (oracle.Holds(z.name, estate::EndpointKind::kZone, pick)) {
          Add("internet:" + z.name, pick);
        } else {
          ADD_FAILURE() << "internet zone '" << z.name << "' does not hold 203.0.113.10";
        }
        continue;
      }
      IpSet zone;
      for (const auto& c : z.cidrs) {
        if (!c.address.v6) zone = zone.Union(IpSet::FromCidr(c));
      }
      // A host of the zone that is no service: flows from the zone apply to it.
      for (std::uint32_t off = 1; off < 4096; ++off) {
        std::uint32_t h = Host(zone, off);
        if (!h) break;
        bool taken = false;
        for (const auto& s : e.services) {
          for (const auto& c : s.addresses) {
            if (!c.address.v6 && IpSet::FromCidr(c).Contains(h)) taken = true;
          }
        }
        if (!taken) {
          Add("zone:" + z.name, h);
          break;
        }
      }
    }
    std::string err;
    ASSERT_TRUE(Sh({"ip", "netns", "add", "fw"}));
    ASSERT_TRUE(Sh({"ip", "-n", "fw", "link", "set", "lo", "up"}));
    ASSERT_TRUE(Sh({"ip", "netns", "exec", "fw", "sysctl", "-qw", "net.ipv4.ip_forward=1"}));
    ASSERT_TRUE(
        Sh({"ip", "netns", "exec", "fw", "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0"}));
    for (std::size_t i = 0; i < eps_.size(); ++i) {
      const auto& ep = eps_[i];
      std::string fwif = "v" + std::to_string(i);
      std::string addr = Ipv4ToString(ep.addr);
      ASSERT_TRUE(Sh({"ip", "netns", "add", ep.name}));
      ASSERT_TRUE(Sh({"ip", "-n", "fw", "link", "add", fwif, "type", "veth", "peer", "name", "eth0",
                      "netns", ep.name}));
      ASSERT_TRUE(Sh({"ip", "-n", "fw", "addr", "add", "169.254.0.1/32", "dev", fwif}));
      ASSERT_TRUE(Sh({"ip", "-n", "fw", "link", "set", fwif, "up"}));
      ASSERT_TRUE(Sh({"ip", "-n", "fw", "route", "add", addr + "/32", "dev", fwif}));
      ASSERT_TRUE(Sh({"ip", "-n", ep.name, "link", "set", "lo", "up"}));
      ASSERT_TRUE(Sh({"ip", "-n", ep.name, "addr", "add", addr + "/32", "dev", "eth0"}));
      ASSERT_TRUE(Sh({"ip", "-n", ep.name, "link", "set", "eth0", "up"}));
      ASSERT_TRUE(Sh({"ip", "-n", ep.name, "route", "add", "169.254.0.1", "dev", "eth0"}));
      ASSERT_TRUE(Sh({"ip", "-n", ep.name, "route", "add", "default", "via", "169.254.0.1", "dev",
                      "eth0", "src", addr}));
    }
  }

  const std::vector<Endpoint>& endpoints() const { return eps_; }

 private:
  void Add(const std::string& label, std::uint32_t addr) {
    if (!addr) return;
    eps_.push_back({"e" + std::to_string(eps_.size()), label, addr});
  }
  std::vector<Endpoint> eps_;
};

// Ports worth probing towards `dst`: the edges of every flow port range that
// reaches it (first, middle, last, one past the end), and ports no flow
// allows (tcp/22, udp/53, udp/5353).
std::set<std::pair<Protocol, std::uint16_t>> ProbePorts(const FlowOracle& oracle,
                                                        std::uint32_t dst) {
  std::set<std::pair<Protocol, std::uint16_t>> out = {
      {Protocol::kTcp, 22}, {Protocol::kUdp, 53}, {Protocol::kUdp, 5353}};
  for (const auto& f : oracle.flows()) {
    if (!oracle.Holds(f.to, f.to_kind, dst)) continue;
    for (const auto& r : f.ports) {
      if (r.protocol != Protocol::kTcp && r.protocol != Protocol::kUdp) continue;
      out.insert({r.protocol, r.first});
      out.insert({r.protocol, r.last});
      out.insert({r.protocol, static_cast<std::uint16_t>((r.first + r.last) / 2)});
      if (r.last < kMaxPort) out.insert({r.protocol, static_cast<std::uint16_t>(r.last + 1)});
    }
  }
  return out;
}

std::string Name(Protocol p) { return p == Protocol::kUdp ? "udp" : "tcp"; }

// Runs the whole experiment for one estate file.
void RunEnforcement(const fs::path& estate_file) {
  auto e = estate::LoadValid({estate_file});
  ASSERT_TRUE(e.has_value()) << e.error().message();
  // The ruleset under test, compiled the way `rampart zones compile` does.
  Diagnostics diags;
  std::string ruleset = CompileNft(BuildEstateModel(*e, &diags));
  ASSERT_FALSE(diags.has_errors()) << diags.ToString();
  // The expectation, from the estate's flows alone.
  FlowOracle oracle(*e);

  // Private /run/netns for `ip netns`, inside our own mount namespace.
  fs::create_directories("/run/netns");
  ASSERT_EQ(mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0);
  ASSERT_EQ(mount("tmpfs", "/run/netns", "tmpfs", 0, "size=1m"), 0);

  World world;
  world.Build(*e, oracle);
  if (::testing::Test::HasFatalFailure()) return;
  const auto& eps = world.endpoints();
  ASSERT_GE(eps.size(), 3u);

  TempDir tmp;
  fs::path rules = tmp.Write("rules.nft", ruleset);
  ASSERT_TRUE(Sh({"ip", "netns", "exec", "fw", "nft", "-c", "-f", rules.string()}));
  ASSERT_TRUE(Sh({"ip", "netns", "exec", "fw", "nft", "-f", rules.string()}));

  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  Servers servers;
  std::vector<Probe> probes;
  for (std::size_t d = 0; d < eps.size(); ++d) {
    for (const auto& [proto, port] : ProbePorts(oracle, eps[d].addr)) {
      ASSERT_TRUE(servers.Listen(eps[d], proto, port))
          << "cannot listen on " << eps[d].label << " " << Name(proto) << "/" << port;
      for (std::size_t s = 0; s < eps.size(); ++s) {
        if (s == d) continue;
        Probe p;
        p.src = static_cast<int>(s);
        p.dst = static_cast<int>(d);
        p.proto = proto;
        p.port = port;
        p.expect_flows = oracle.Allowing(eps[s].addr, eps[d].addr, proto, port);
        probes.push_back(std::move(p));
      }
    }
  }
  servers.Start();

  // Probe in batches bounded by the descriptor limit; within a batch every
  // probe runs at once, so a denied probe costs one shared timeout.
  const std::size_t batch = std::max<std::size_t>(64, (rl.rlim_cur - 256) / 2);
  for (std::size_t start = 0; start < probes.size(); start += batch) {
    std::size_t end = std::min(probes.size(), start + batch);
    for (std::size_t i = start; i < end; ++i) {
      Probe& p = probes[i];
      NetnsGuard ns(eps[p.src].name);
      ASSERT_TRUE(ns.ok());
      int type = p.proto == Protocol::kUdp ? SOCK_DGRAM : SOCK_STREAM;
      p.fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      ASSERT_GE(p.fd, 0);
      sockaddr_in sa = Addr(eps[p.dst].addr, p.port);
      int rc = connect(p.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
      if (type == SOCK_DGRAM) {
        ASSERT_EQ(rc, 0);
        std::string msg = "probe " + std::to_string(i);
        ASSERT_EQ(send(p.fd, msg.data(), msg.size(), 0), static_cast<ssize_t>(msg.size()));
      } else if (rc == 0) {
        p.done = p.allowed = true;
      } else {
        ASSERT_EQ(errno, EINPROGRESS);
      }
    }
    // Every probe gets 1.5 s (a denied one is dropped: it never completes).
    // A probe the estate allows gets up to 30 s more: on a loaded machine its
    // answer may come late, and a late answer is not a denial.
    auto now = std::chrono::steady_clock::now();
    auto deadline = now + std::chrono::milliseconds(1500);
    auto allowed_deadline = now + std::chrono::seconds(30);
    auto waiting_on_allowed = [&] {
      for (std::size_t i = start; i < end; ++i) {
        if (!probes[i].done && !probes[i].expect_flows.empty()) return true;
      }
      return false;
    };
    while (std::chrono::steady_clock::now() < deadline ||
           (std::chrono::steady_clock::now() < allowed_deadline && waiting_on_allowed())) {
      std::vector<pollfd> pfds;
      std::vector<std::size_t> idx;
      for (std::size_t i = start; i < end; ++i) {
        if (probes[i].done) continue;
        pfds.push_back({probes[i].fd,
                        static_cast<short>(probes[i].proto == Protocol::kUdp ? POLLIN : POLLOUT),
                        0});
        idx.push_back(i);
      }
      if (pfds.empty()) break;
      int n = poll(pfds.data(), pfds.size(), 100);
      if (n <= 0) continue;
      for (std::size_t k = 0; k < pfds.size(); ++k) {
        if (!pfds[k].revents) continue;
        Probe& p = probes[idx[k]];
        p.done = true;
        if (p.proto == Protocol::kUdp) {
          char buf[64];
          p.allowed = recv(p.fd, buf, sizeof buf, 0) > 0;
        } else {
          int err = 0;
          socklen_t len = sizeof err;
          getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len);
          p.allowed = err == 0;
          // A refusal would mean the packet got through to a closed port:
          // every probed port has a listener, so it must not happen.
          EXPECT_NE(err, ECONNREFUSED) << eps[p.src].label << " -> " << eps[p.dst].label << " "
                                       << Name(p.proto) << "/" << p.port;
        }
      }
    }
    for (std::size_t i = start; i < end; ++i) close(probes[i].fd);
  }
  servers.Stop();

  // The matrix: observed vs the estate's flows.
  std::map<std::string, int> expected_packets;
  int allowed = 0, denied = 0;
  for (const auto& p : probes) {
    bool want = !p.expect_flows.empty();
    EXPECT_EQ(p.allowed, want) << eps[p.src].label << " (" << Ipv4ToString(eps[p.src].addr)
                               << ") -> " << eps[p.dst].label << " ("
                               << Ipv4ToString(eps[p.dst].addr) << ") " << Name(p.proto) << "/"
                               << p.port << ": the estate's flows say "
                               << (want ? "allow (flow " + p.expect_flows.front() + ")" : "deny");
    if (want) {
      ++allowed;
      // The first allowing flow in estate order takes the packet.
      ++expected_packets[p.expect_flows.front()];
    } else {
      ++denied;
    }
  }
  EXPECT_GT(allowed, 0);
  EXPECT_GT(denied, 0);
  std::printf("enforcement: %zu endpoints, %zu probes, %d allowed, %d denied\n", eps.size(),
              probes.size(), allowed, denied);

  // The counters name the flows: packets per flow comment, from nft itself.
  auto listed = Run({"ip", "netns", "exec", "fw", "nft", "list", "table", "inet", kNftTable});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::regex counter_re(R"(counter packets (\d+) bytes \d+ accept comment "flow ([^"]+)\")");
  std::map<std::string, int> counted;
  for (std::sregex_iterator it(listed.out.begin(), listed.out.end(), counter_re), end; it != end;
       ++it) {
    counted[(*it)[2]] += std::stoi((*it)[1]);
  }
  ASSERT_FALSE(counted.empty()) << listed.out;
  std::set<std::string> names;
  for (const auto& f : oracle.flows()) names.insert(f.name);
  for (const auto& [name, packets] : counted) {
    EXPECT_TRUE(names.contains(name)) << "a rule counts for '" << name << "', no estate flow";
  }
  for (const auto& name : names) {
    int want = expected_packets.contains(name) ? expected_packets[name] : 0;
    EXPECT_EQ(counted[name], want) << "counter of flow " << name;
  }
}

class ZonesEnforcement : public ::testing::Test {
 protected:
  // Re-runs this very test inside fresh network and mount namespaces.
  static bool Reexec(const std::string& test_name) {
    if (std::getenv(kInNetns)) return false;
    std::string self = fs::read_symlink("/proc/self/exe").string();
    auto r = rampart::testing::Run(
        {"unshare", "--net", "--mount", "--", self, "--gtest_filter=ZonesEnforcement." + test_name},
        "", {std::string(kInNetns) + "=1"});
    std::printf("%s", r.out.c_str());
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("[  PASSED  ] 1 test"), std::string::npos) << r.out;
    return true;
  }
  void SetUp() override {
    RAMPART_NEEDS(geteuid() == 0, "root for network namespaces");
    for (const char* tool : {"ip", "nft", "unshare"}) {
      RAMPART_NEEDS(
          rampart::testing::Run({"sh", "-c", std::string("command -v ") + tool}).exit_code == 0,
          tool << " (scripts/install-deps.sh installs it)");
    }
  }
};

TEST_F(ZonesEnforcement, ExampleEstate) {
  if (Reexec("ExampleEstate")) return;
  RunEnforcement(SourceDir() / "examples/estate.yaml");
}

// UDP flows, a UDP+TCP port range, synthesized DNS flows and a flow into a
// whole zone, none of which the example estate has.
TEST_F(ZonesEnforcement, UdpRangesAndZones) {
  if (Reexec("UdpRangesAndZones")) return;
  TempDir dir;
  fs::path f = dir.Write("estate.yaml", R"(version: 1
name: udp-test
zones:
  - {name: internet, kind: internet}
  - {name: apps, kind: other, cidrs: [10.1.0.0/24], dns: true}
  - {name: infra, kind: mlops, cidrs: [10.2.0.0/24, 10.3.0.0/24]}
  - {name: lab, kind: training, cidrs: [10.4.0.0/24]}
services:
  - {name: resolver, zone: infra, kind: dns, ports: [udp/53, tcp/53], addresses: [10.2.0.53/32]}
  - {name: metrics, zone: infra, kind: other, ports: [udp/8125, tcp/9100-9110], addresses: [10.3.0.7/32]}
  - {name: web, zone: apps, kind: other, ports: [tcp/443], addresses: [10.1.0.10/32], exposure: internet}
  - {name: jobs, zone: lab, kind: compute, ports: [udp/7000-7002], addresses: [10.4.0.0/30]}
flows:
  - {name: web-in, from: internet, to: web, ports: [tcp/443]}
  - {name: web-stats, from: web, to: metrics, ports: [udp/8125, tcp/9100-9110]}
  - {name: lab-in, from: apps, to: lab, ports: [udp/7001]}
  - {name: jobs-mesh, from: jobs, to: jobs, ports: [udp/7000-7002]}
)");
  RunEnforcement(f);
}

}  // namespace
}  // namespace rampart::zones
