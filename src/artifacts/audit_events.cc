#include "artifacts/audit_events.h"

namespace rampart::artifacts {

AuditEvent ModelSignedEvent(const Statement& st, std::string_view method,
                            std::string_view bundle_path, std::string_view bundle_sha256,
                            std::string actor, const Clock& clock) {
  AuditEvent e;
  e.type = "model.signed";
  e.actor = std::move(actor);
  e.time = clock.Now();
  e.subjects.push_back({"sha256:" + st.root_digest, st.subject_name});
  e.fields["method"] = method;
  e.fields["resources"] = st.resources.size();
  e.fields["serialization"] = st.serialization.method;
  e.fields["hash_type"] = st.serialization.hash_type;
  e.fields["bundle"] = bundle_path;
  e.fields["bundle_sha256"] = bundle_sha256;
  return e;
}

AuditEvent DatasetManifestEvent(const DatasetManifest& m, std::string actor, const Clock& clock) {
  AuditEvent e;
  e.type = "dataset.manifest";
  e.actor = std::move(actor);
  e.time = clock.Now();
  e.subjects.push_back({"sha256:" + m.root_digest, m.name});
  e.fields["files"] = m.files.size();
  e.fields["bytes"] = m.total_bytes();
  e.fields["hash_type"] = m.hash_type;
  return e;
}

}  // namespace rampart::artifacts
