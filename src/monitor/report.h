// `rampart monitor report`: what the monitor decided over a time window,
// from `monitor.alert` ledger entries or the gateway's access log
// (docs/design/monitor.md "Report"). Records are fed one at a time (JSON
// objects, untrusted); the report keeps one row per detector, client and
// source network, so its memory grows with the distinct clients alerted,
// not with the records read.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"

namespace rampart::monitor {

struct ReportRow {
  std::uint64_t alerts = 0;
  std::uint64_t throttle_alerts = 0;  // alerts whose policy was throttle
  std::uint64_t block_alerts = 0;     // alerts whose policy was block
  std::uint64_t throttled = 0;        // requests answered 429 monitor_throttled (access log)
  std::uint64_t blocked = 0;          // requests answered 403 monitor_blocked (access log)
  double max_score = 0;
  std::int64_t first_us = 0, last_us = 0;  // 0 = none yet
  std::set<std::string> detectors, clients;
};

struct ReportWindow {
  std::int64_t since_us = std::numeric_limits<std::int64_t>::min();
  std::int64_t until_us = std::numeric_limits<std::int64_t>::max();  // exclusive
};

class Report {
 public:
  Report(ReportWindow w, int v4_prefix = 24, int v6_prefix = 64)
      : window_(w), v4_(v4_prefix), v6_(v6_prefix) {}

  // One ledger entry (the stored entry object: "type", "actor", "time",
  // ...). Entries of other types are counted as skipped. InvalidArgument
  // for a `monitor.alert` entry without a detector, a time or a score.
  Status AddLedgerEntry(const json::object& entry);
  // One access-log record (docs/formats/gateway-config.md "Access log").
  // Records without monitor annotations or monitor refusals are skipped.
  Status AddAccessRecord(const json::object& record);

  std::uint64_t records() const { return records_; }
  std::uint64_t in_window() const { return in_window_; }
  std::uint64_t alerts() const { return total_.alerts; }

  std::string Text() const;
  json::object Json() const;

 private:
  void Count(std::string_view detector, std::string_view client, std::string_view network,
             double score, std::string_view policy, std::int64_t t_us);
  void Refusal(bool blocked, std::string_view client, std::string_view network, std::int64_t t_us);
  bool InWindow(std::int64_t t_us) const {
    return t_us >= window_.since_us && t_us < window_.until_us;
  }

  ReportWindow window_;
  int v4_, v6_;
  std::uint64_t records_ = 0, in_window_ = 0;
  ReportRow total_;
  std::map<std::string, ReportRow, std::less<>> by_detector_, by_client_, by_network_;
};

// "2026-12-07T10:00:00Z" (RFC 3339), or a duration before `now_us`:
// "90s", "15m", "24h", "7d". InvalidArgument with what is accepted.
Result<std::int64_t> ParseReportTime(std::string_view s, std::int64_t now_us);

}  // namespace rampart::monitor
