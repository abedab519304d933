// `rampart kbs serve`: the key broker (broker.h) on the core HTTP server,
// speaking docs/formats/kbs-protocol.md. TLS unless the caller asks for plain
// HTTP, which is allowed only on a loopback address.
//
// Thread-safety: Start/Stop from one thread; requests run on the server's
// threads. The broker must outlive the server.
#pragma once

#include <memory>

#include "attest/broker.h"
#include "core/status.h"

namespace rampart::attest {

struct KbsServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;  // 0: any free port
  tls::ServerOptions tls;     // required unless allow_plain_http and host is loopback
  bool allow_plain_http = false;
  int threads = 1;
};

class KbsServer {
 public:
  static Result<std::unique_ptr<KbsServer>> Start(KeyBroker& broker, KbsServerOptions opts);
  ~KbsServer();
  std::uint16_t port() const;
  bool tls() const;
  void Stop();

  class Impl;

 private:
  explicit KbsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::attest
