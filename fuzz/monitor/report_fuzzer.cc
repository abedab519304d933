// Untrusted access-log lines and ledger entries through `rampart monitor
// report`'s aggregation: any bytes give a status, never a crash, and the
// report renders (text and JSON) whatever was accepted.
#include <cstdint>
#include <string_view>

#include "core/json.h"
#include "monitor/report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  using namespace rampart::monitor;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  Report access{ReportWindow{}}, ledger{ReportWindow{0, 4'000'000'000'000'000LL}};
  while (!all.empty()) {
    std::size_t nl = all.find('\n');
    std::string_view line = all.substr(0, nl);
    all = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
    auto v = ParseJson(line);
    if (!v || !v->is_object()) continue;
    (void)access.AddAccessRecord(v->get_object());
    (void)ledger.AddLedgerEntry(v->get_object());
  }
  (void)access.Text();
  (void)ledger.Text();
  (void)ToJson(access.Json());
  (void)ToJson(ledger.Json());
  if (access.alerts() > access.records() * 64) __builtin_trap();
  return 0;
}
