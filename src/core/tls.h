// TLS contexts for Rampart's servers and their clients (OpenSSL 3 through
// Boost.Asio): TLS 1.2 and later only, certificates and keys from PEM files,
// client certificates verified against a configured CA, ALPN when asked.
//
// Thread-safety: a context is immutable once made; share it between threads.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::tls {

struct ServerOptions {
  std::filesystem::path cert_chain;  // PEM: the certificate, then its intermediates
  std::filesystem::path key;         // PEM private key
  // With a client CA, clients may present certificates; one that does not
  // verify fails the handshake. `require_client_cert` refuses clients without one.
  std::filesystem::path client_ca;
  bool require_client_cert = false;
  // Protocols offered by ALPN in order of preference ("h2", "http/1.1");
  // empty: no ALPN (the client's choice is ignored).
  std::vector<std::string> alpn;
  // Names the service in the session id context, so a session is resumed only
  // by the service (and client CA) that verified it.
  std::string context_id = "rampart";

  bool enabled() const { return !cert_chain.empty(); }
};

// `what` names the service in error messages ("gateway", "ledger").
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerContext(const ServerOptions& o,
                                                                     std::string_view what);

struct ClientOptions {
  std::filesystem::path ca_file;  // empty: the system's trust store
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
  std::vector<std::string> alpn;
};

Result<std::shared_ptr<boost::asio::ssl::context>> MakeClientContext(const ClientOptions& o,
                                                                     std::string_view what);

// The SAN URIs, then the SAN DNS names, of the peer's certificate - only if
// it verified (empty otherwise, and when there is none).
std::vector<std::string> VerifiedPeerSans(SSL* ssl);

// The protocol ALPN selected on an established connection ("" if none).
std::string_view SelectedAlpn(SSL* ssl);

}  // namespace rampart::tls
