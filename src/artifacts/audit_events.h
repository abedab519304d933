// The audit events the artifacts pillar records through core's AuditSink
// (the ledger, when the CLI is given --ledger): a model signed, a dataset
// manifest taken. Building them is separate from sending them so the content
// is testable without a ledger.
#pragma once

#include <string>

#include "artifacts/dataset_manifest.h"
#include "artifacts/oms.h"
#include "core/audit_sink.h"
#include "core/clock.h"

namespace rampart::artifacts {

// "model.signed": subject sha256:<root digest> named after the model.
AuditEvent ModelSignedEvent(const Statement& statement, std::string_view method,
                            std::string_view bundle_path, std::string_view bundle_sha256,
                            std::string actor, const Clock& clock);

// "dataset.manifest": subject sha256:<root digest> named after the dataset.
AuditEvent DatasetManifestEvent(const DatasetManifest& manifest, std::string actor,
                                const Clock& clock);

}  // namespace rampart::artifacts
