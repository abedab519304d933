#include "posture/record.h"

#include "core/crypto.h"
#include "core/encoding.h"

namespace rampart::posture {

std::string DigestOf(std::string_view bytes) {
  return "sha256:" + HexEncode(crypto::Sha256(bytes));
}

AuditEvent AssessedEvent(const Assessment& a, std::string controls_digest,
                         std::string report_digest, std::string actor) {
  AuditEvent ev;
  ev.type = "posture.assessed";
  ev.actor = std::move(actor);
  ev.time = std::chrono::system_clock::now();
  boost::json::object& f = ev.fields;
  f["estate"] = a.estate_digest;
  f["controls"] = std::move(controls_digest);
  f["report"] = std::move(report_digest);
  f["assessed_at"] = a.time;
  f["cells"] = a.cells.size();
  f["pass"] = a.Count(State::kPass);
  f["fail"] = a.Count(State::kFail);
  f["invalid"] = a.Count(State::kInvalid);
  f["stale"] = a.Count(State::kStale);
  f["missing"] = a.Count(State::kMissing);
  f["not_applicable"] = a.Count(State::kNotApplicable);
  boost::json::array failing;
  for (const auto& r : a.cells) {
    if (r.cell->importance != Importance::kEssential || r.state == State::kPass ||
        r.state == State::kNotApplicable)
      continue;
    failing.push_back(boost::json::string(r.cell->layer + " x " + r.cell->control + ": " +
                                          std::string(ToString(r.state))));
  }
  f["failing_essential"] = std::move(failing);
  if (!a.estate_name.empty()) f["estate_name"] = a.estate_name;
  f["verdict"] = a.EssentialNotPassing() == 0 ? "pass" : "fail";
  return ev;
}

}  // namespace rampart::posture
