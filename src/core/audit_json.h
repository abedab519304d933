// The JSON form of an AuditEvent, as the ledger stores it
// (docs/formats/ledger-entry.md): type-specific fields at the top level, next
// to "type", "actor", "time" (RFC 3339, milliseconds; omitted when unset so
// the ledger fills it) and "subjects".
#pragma once

#include <boost/json/object.hpp>

#include "core/audit_sink.h"

namespace rampart {

boost::json::object AuditEventToJson(const AuditEvent& e);

}  // namespace rampart
