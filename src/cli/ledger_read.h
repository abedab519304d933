// Reading a ledger's entries for a report, either from its store
// (sqlite:PATH, postgres://...) or from a ledger service's HTTP API
// (GET /v1/entries/N, oldest first, until 404), calling `fn` with each
// stored entry object. Used by `rampart monitor report`.
#pragma once

#include <functional>
#include <string>

#include "core/json.h"
#include "core/status.h"

namespace rampart::cli {

using EntryFn = std::function<Status(std::uint64_t index, const json::object& entry)>;

Status ScanLedgerStore(const std::string& store_url, const EntryFn& fn);
// `url` http://HOST:PORT[/prefix] (loopback only) or https://...; `api_key`
// sent as a bearer token when not empty; `ca_file` for https ("" = system).
Status ScanLedgerHttp(const std::string& url, const std::string& api_key,
                      const std::string& ca_file, const EntryFn& fn);

}  // namespace rampart::cli
