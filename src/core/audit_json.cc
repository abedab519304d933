#include "core/audit_json.h"

#include <boost/json.hpp>

#include "core/clock.h"

namespace rampart {

boost::json::object AuditEventToJson(const AuditEvent& e) {
  boost::json::object o = e.fields;
  o["type"] = e.type;
  o["actor"] = e.actor;
  if (e.time != std::chrono::system_clock::time_point{}) o["time"] = FormatRfc3339(e.time, 3);
  if (!e.subjects.empty()) {
    boost::json::array subjects;
    for (const AuditSubject& s : e.subjects) {
      boost::json::object so;
      so["digest"] = s.digest;
      if (!s.name.empty()) so["name"] = s.name;
      subjects.push_back(std::move(so));
    }
    o["subjects"] = std::move(subjects);
  }
  return o;
}

}  // namespace rampart
