// The monitor's configuration: the estate's `gateway.monitor:` section
// (docs/formats/gateway-config.md "Monitor"), read with YamlFields so every
// problem carries file:line:col. No section: no monitor.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/diagnostic.h"
#include "core/status.h"
#include "estate/model.h"

namespace rampart::monitor {

enum class Detector : std::uint8_t {
  kPrada,
  kCoverage,
  kTemplate,
  kLogprobs,
  kMaxLength,
  kCollusion,
  kLineage
};
inline constexpr std::size_t kDetectorCount = 7;
std::string_view DetectorName(Detector d);  // "prada", "coverage", "template", ...
std::optional<Detector> DetectorByName(std::string_view s);

// What an alert of a detector does (ordered by strength).
enum class Policy : std::uint8_t { kOff, kAlert, kThrottle, kBlock };
std::string_view PolicyName(Policy p);  // "off" | "alert" | "throttle" | "block"

struct DetectorConfig {
  Policy policy = Policy::kAlert;
  std::uint32_t min_queries = 32;
  double threshold = 0;  // the detector's own: delta, ratio, fraction or intensity
};

struct MonitorConfig {
  bool enabled = false;  // a `monitor:` section is present and not `enabled: false`
  std::uint64_t memory_bytes = 64ull << 20;
  int v4_prefix = 24;
  int v6_prefix = 64;
  std::uint64_t max_tensor_elements = 1u << 20;
  std::uint64_t seed = 0;
  std::array<DetectorConfig, kDetectorCount> detectors{};
  std::uint32_t prada_window = 128;  // distances tested
  int template_hamming = 14;         // near-duplicate distance
  std::uint64_t max_length_tokens = 4096;
  std::uint32_t collusion_identities = 4;
  std::int64_t collusion_window_s = 3600;
  std::int64_t throttle_s = 60;
  std::int64_t alert_interval_s = 600;
  bool network_content = true;                // content detectors on source-network records too
  std::uint64_t history_bytes = 32ull << 20;  // lineage: the pool of earlier inputs
  double lineage_ratio = 0.5;                 // lineage: "near" below this distance ratio

  DetectorConfig& at(Detector d) { return detectors[static_cast<std::size_t>(d)]; }
  const DetectorConfig& at(Detector d) const { return detectors[static_cast<std::size_t>(d)]; }
};

// The defaults an empty `monitor:` section means (enabled = true).
MonitorConfig DefaultMonitorConfig();

// Reads `gateway.monitor` of `e`. Errors go to *diags; InvalidArgument if any.
Result<MonitorConfig> LoadMonitorConfig(const estate::Estate& e, Diagnostics* diags);

}  // namespace rampart::monitor
