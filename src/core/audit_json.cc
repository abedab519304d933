#include "core/audit_json.h"

#include <pthread.h>
#include <sched.h>

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"

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

Status AuditSink::AppendJson(const std::string& entry_json) {
  JsonLimits limits;
  limits.max_depth = 32;
  auto v = ParseJson(entry_json, limits, "audit event");
  if (!v) return v.error();
  if (!v->is_object()) return InvalidArgumentError("audit event: not a JSON object");
  AuditEvent e;
  for (auto& kv : v->get_object()) {
    std::string_view k(kv.key().data(), kv.key().size());
    const boost::json::value& val = kv.value();
    if (k == "type" || k == "actor" || k == "time") {
      if (!val.is_string())
        return InvalidArgumentError("audit event: '" + std::string(k) + "' must be a string");
      std::string_view s(val.get_string().data(), val.get_string().size());
      if (k == "type") {
        e.type = s;
      } else if (k == "actor") {
        e.actor = s;
      } else if (!ParseRfc3339(s, &e.time)) {
        return InvalidArgumentError("audit event: 'time' is not an RFC 3339 time");
      }
    } else if (k == "subjects") {
      if (!val.is_array()) return InvalidArgumentError("audit event: 'subjects' must be an array");
      for (const auto& sv : val.get_array()) {
        if (!sv.is_object())
          return InvalidArgumentError("audit event: a subject must be an object");
        auto digest = GetString(sv.get_object(), "digest");
        if (!digest) return digest.error();
        auto name = GetOptionalString(sv.get_object(), "name");
        if (!name) return name.error();
        e.subjects.push_back({std::string(*digest), std::string(name->value_or(""))});
      }
    } else {
      e.fields[k] = val;
    }
  }
  return Append(std::move(e));
}

void BecomeAuditThread(const char* name) {
  pthread_setname_np(pthread_self(), name);
  sched_param p{};
  p.sched_priority = 0;
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &p);
}

}  // namespace rampart
