// The ledger's HTTP API (Boost.Beast), documented in docs/formats/ledger-api.md:
//
//   POST /v1/entries                       append one entry or a batch (auth required)
//   GET  /v1/entries/{index}               an entry with its leaf hash
//   GET  /v1/checkpoint                    the latest signed checkpoint (text/plain)
//   GET  /v1/proof/inclusion?index=&size=  RFC 9162 inclusion proof
//   GET  /v1/proof/consistency?from=&to=   RFC 9162 consistency proof
//   GET  /v1/find?digest=                  entries naming an artifact
//   GET  /v1/key                           the checkpoint verifier key
//
// Appends authenticate with an API key ("Authorization: Bearer rk_...") or,
// over TLS with a client CA configured, a client certificate whose SAN URI
// (SPIFFE ID) maps to an estate identity. Reads are open unless
// `read_requires_auth`. Every limit is in ServerOptions.
//
// Thread-safety: Start/Stop from one thread; the server runs on its own
// threads. The Ledger must outlive the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/api_key.h"
#include "ledger/ledger.h"

namespace rampart::ledger {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7000;          // 0 = any free port
  bool fallback_to_any_port = false;  // if `port` is taken, listen on a free one (embedded default)
  int threads = 2;
  std::size_t max_entry_bytes = 64 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::size_t max_batch_entries = 1000;
  std::size_t max_connections = 512;
  std::chrono::milliseconds read_timeout{30'000};    // a whole request must arrive in this time
  std::chrono::milliseconds checkpoint_wait{2'000};  // ?wait=checkpoint waits at most this long
  bool read_requires_auth = false;
  std::vector<ApiKeyRecord> api_keys;
  // TLS: server certificate chain and key (PEM files). With `client_ca`,
  // clients may present certificates; a verified one whose SAN URI is a key
  // of `mtls_identities` authenticates as that identity.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string client_ca_file;
  std::map<std::string, std::string> mtls_identities;  // SAN URI -> identity
};

class LedgerServer {
 public:
  static Result<std::unique_ptr<LedgerServer>> Start(Ledger& ledger, ServerOptions opts);
  ~LedgerServer();
  std::uint16_t port() const;
  bool tls() const;
  // Replaces the accepted API keys (SIGHUP reload); connections stay open.
  Status SetApiKeys(std::vector<ApiKeyRecord> keys);
  // Stops accepting, closes connections, joins the threads. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit LedgerServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::ledger
