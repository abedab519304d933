#include "attest/claims_json.h"

#include "core/encoding.h"
#include "core/json.h"

namespace rampart::attest {

std::string ClaimsToJson(const Claims& c) {
  json::object o;
  o["tee"] = TeeTypeName(c.tee);
  o["tcb_status"] = TcbStatusName(c.tcb_status);
  json::array adv;
  for (const auto& a : c.advisory_ids) adv.emplace_back(a);
  o["advisory_ids"] = std::move(adv);
  o["debug"] = c.debug;
  json::object m;
  for (const auto& [k, v] : c.measurements) m[k] = v;
  o["measurements"] = std::move(m);
  o["report_data"] = HexEncode(c.report_data);
  json::object a;
  for (const auto& [k, v] : c.attributes) a[k] = v;
  o["attributes"] = std::move(a);
  o["evidence_digest"] = c.evidence_digest;
  return ToPrettyJson(o) + "\n";
}

}  // namespace rampart::attest
