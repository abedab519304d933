#include "monitor/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <vector>

#include "core/clock.h"
#include "monitor/config.h"
#include "monitor/monitor.h"

namespace rampart::monitor {
namespace {

std::string_view Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  if (!v || !v->is_string()) return {};
  return std::string_view(v->get_string().data(), v->get_string().size());
}

Result<std::int64_t> TimeOf(const json::object& o, std::string_view k) {
  std::string_view s = Str(o, k);
  Clock::SystemTime tp;
  if (s.empty() || !ParseRfc3339(s, &tp))
    return InvalidArgumentError("`" + std::string(k) + "` is missing or not an RFC 3339 time");
  return std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch()).count();
}

std::string Rfc3339(std::int64_t us) {
  if (us == 0) return "";
  return FormatRfc3339(Clock::SystemTime(std::chrono::microseconds(us)));
}

void Touch(ReportRow& r, std::int64_t t_us) {
  if (r.first_us == 0 || t_us < r.first_us) r.first_us = t_us;
  if (r.last_us == 0 || t_us > r.last_us) r.last_us = t_us;
}

json::object RowJson(const ReportRow& r) {
  json::object o{{"alerts", r.alerts},
                 {"throttle_alerts", r.throttle_alerts},
                 {"block_alerts", r.block_alerts},
                 {"throttled_requests", r.throttled},
                 {"blocked_requests", r.blocked},
                 {"max_score", r.max_score}};
  if (r.first_us != 0) {
    o["first_seen"] = Rfc3339(r.first_us);
    o["last_seen"] = Rfc3339(r.last_us);
  }
  json::array d, c;
  for (const auto& x : r.detectors) d.emplace_back(x);
  for (const auto& x : r.clients) c.emplace_back(x);
  o["detectors"] = std::move(d);
  o["clients"] = std::move(c);
  return o;
}

// Rows by alerts (then refusals) descending, then name.
std::vector<const std::pair<const std::string, ReportRow>*> Ranked(
    const std::map<std::string, ReportRow, std::less<>>& m) {
  std::vector<const std::pair<const std::string, ReportRow>*> v;
  for (const auto& kv : m) v.push_back(&kv);
  std::sort(v.begin(), v.end(), [](auto* a, auto* b) {
    auto ka = a->second.alerts + a->second.throttled + a->second.blocked;
    auto kb = b->second.alerts + b->second.throttled + b->second.blocked;
    return ka != kb ? ka > kb : a->first < b->first;
  });
  return v;
}

std::string Join(const std::set<std::string>& s, std::size_t max) {
  std::string out;
  std::size_t n = 0;
  for (const auto& x : s) {
    if (n == max) {
      out += fmt::format(",+{}", s.size() - max);
      break;
    }
    if (n++) out += ",";
    out += x;
  }
  return out.empty() ? "-" : out;
}

}  // namespace

void Report::Count(std::string_view detector, std::string_view client, std::string_view network,
                   double score, std::string_view policy, std::int64_t t_us) {
  auto add = [&](ReportRow& r) {
    ++r.alerts;
    if (policy == "throttle") ++r.throttle_alerts;
    if (policy == "block") ++r.block_alerts;
    if (r.alerts == 1 || score > r.max_score) r.max_score = score;
    Touch(r, t_us);
  };
  add(total_);
  ReportRow& d = by_detector_[std::string(detector)];
  add(d);
  if (!client.empty()) d.clients.emplace(client);
  if (!client.empty()) {
    ReportRow& c = by_client_[std::string(client)];
    add(c);
    c.detectors.emplace(detector);
  }
  if (!network.empty()) {
    ReportRow& n = by_network_[std::string(network)];
    add(n);
    n.detectors.emplace(detector);
    if (!client.empty() && client != network) n.clients.emplace(client);
  }
}

void Report::Refusal(bool blocked, std::string_view client, std::string_view network,
                     std::int64_t t_us) {
  auto add = [&](ReportRow& r) {
    ++(blocked ? r.blocked : r.throttled);
    Touch(r, t_us);
  };
  add(total_);
  if (!client.empty()) add(by_client_[std::string(client)]);
  if (!network.empty()) {
    ReportRow& n = by_network_[std::string(network)];
    add(n);
    if (!client.empty()) n.clients.emplace(client);
  }
}

Status Report::AddLedgerEntry(const json::object& e) {
  ++records_;
  if (Str(e, "type") != "monitor.alert") return OkStatus();
  std::string_view detector = Str(e, "detector");
  if (!DetectorByName(detector))
    return InvalidArgumentError("monitor.alert entry without a known `detector`");
  RAMPART_ASSIGN_OR_RETURN(std::int64_t t, TimeOf(e, "time"));
  const json::value* score = e.if_contains("score");
  if (!score || !score->is_number()) return InvalidArgumentError("monitor.alert without a `score`");
  if (!InWindow(t)) return OkStatus();
  ++in_window_;
  std::string_view client = Str(e, "actor");
  std::string network(Str(e, "network"));
  if (client.starts_with("net:")) network = std::string(client);
  Count(detector, client, network, score->to_number<double>(), Str(e, "policy"), t);
  return OkStatus();
}

Status Report::AddAccessRecord(const json::object& r) {
  ++records_;
  RAMPART_ASSIGN_OR_RETURN(std::int64_t t, TimeOf(r, "ts"));
  if (!InWindow(t)) return OkStatus();
  std::string_view identity = Str(r, "identity");
  std::string network = NetworkKey(Str(r, "remote"), v4_, v6_);
  std::string_view error = Str(r, "error");
  bool counted = false;
  if (error == "monitor_throttled" || error == "monitor_blocked") {
    Refusal(error == "monitor_blocked", identity, network, t);
    counted = true;
  }
  // `filters`: the gateway's notes joined by "; " (an array is read too).
  std::vector<std::string_view> notes;
  if (const json::value* f = r.if_contains("filters")) {
    if (f->is_string()) {
      std::string_view all(f->get_string().data(), f->get_string().size());
      while (!all.empty()) {
        std::size_t sep = all.find("; ");
        notes.push_back(all.substr(0, sep));
        all = sep == std::string_view::npos ? std::string_view() : all.substr(sep + 2);
      }
    } else if (f->is_array()) {
      for (const json::value& n : f->get_array())
        if (n.is_string()) notes.emplace_back(n.get_string().data(), n.get_string().size());
    }
  }
  for (std::string_view s : notes) {
    if (!s.starts_with("monitor.")) continue;
    s.remove_prefix(8);
    // "net.<detector>=<score>": the alert was the source network's.
    bool net = s.starts_with("net.");
    if (net) s.remove_prefix(4);
    std::size_t eq = s.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = s.substr(0, eq), value = s.substr(eq + 1);
    if (!DetectorByName(name)) continue;  // monitor.decision=...
    double score = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), score);
    if (ec != std::errc() || !std::isfinite(score)) score = 0;
    Count(name, net ? std::string_view(network) : identity, network, score, "", t);
    counted = true;
  }
  if (counted) ++in_window_;
  return OkStatus();
}

json::object Report::Json() const {
  json::object o;
  if (window_.since_us != std::numeric_limits<std::int64_t>::min())
    o["since"] = Rfc3339(window_.since_us);
  if (window_.until_us != std::numeric_limits<std::int64_t>::max())
    o["until"] = Rfc3339(window_.until_us);
  o["records"] = records_;
  o["records_in_window"] = in_window_;
  o["total"] = RowJson(total_);
  auto section = [](const std::map<std::string, ReportRow, std::less<>>& m) {
    json::object s;
    for (const auto& [k, v] : m) s[k] = RowJson(v);
    return s;
  };
  o["detectors"] = section(by_detector_);
  o["clients"] = section(by_client_);
  o["networks"] = section(by_network_);
  return o;
}

std::string Report::Text() const {
  std::string out;
  std::string since = window_.since_us == std::numeric_limits<std::int64_t>::min()
                          ? "the beginning"
                          : Rfc3339(window_.since_us);
  std::string until = window_.until_us == std::numeric_limits<std::int64_t>::max()
                          ? "now"
                          : Rfc3339(window_.until_us);
  out += fmt::format(
      "monitor report from {} to {}: {} alert(s) ({} throttle, {} block), {} request(s) "
      "throttled, {} blocked; {} record(s) read, {} in the window\n",
      since, until, total_.alerts, total_.throttle_alerts, total_.block_alerts, total_.throttled,
      total_.blocked, records_, in_window_);
  auto table = [&](const char* title, const char* col,
                   const std::map<std::string, ReportRow, std::less<>>& m, bool show_detectors) {
    if (m.empty()) return;
    out += fmt::format("\n{}\n{:<32} {:>7} {:>9} {:>9} {:>10}  {:<20} {:<20}  {}\n", title, col,
                       "alerts", "throttled", "blocked", "max score", "first seen", "last seen",
                       show_detectors ? "detectors" : "clients");
    for (auto* kv : Ranked(m)) {
      const ReportRow& r = kv->second;
      out += fmt::format("{:<32} {:>7} {:>9} {:>9} {:>10.4g}  {:<20} {:<20}  {}\n", kv->first,
                         r.alerts, r.throttled, r.blocked, r.max_score, Rfc3339(r.first_us),
                         Rfc3339(r.last_us), Join(show_detectors ? r.detectors : r.clients, 6));
    }
  };
  table("by detector", "detector", by_detector_, false);
  table("by client", "client", by_client_, true);
  table("by source network", "network", by_network_, true);
  return out;
}

Result<std::int64_t> ParseReportTime(std::string_view s, std::int64_t now_us) {
  Clock::SystemTime tp;
  if (ParseRfc3339(s, &tp))
    return std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch()).count();
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec == std::errc() && n >= 0 && p + 1 == s.data() + s.size()) {
    std::int64_t unit = 0;
    switch (*p) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        break;
    }
    if (unit != 0 && n <= 100LL * 365 * 86400 / unit) return now_us - n * unit * 1'000'000;
  }
  return InvalidArgumentError("'" + std::string(s) +
                              "' is neither an RFC 3339 time (2026-12-07T10:00:00Z) nor a duration "
                              "before now (90s, 15m, 24h, 7d)");
}

}  // namespace rampart::monitor
