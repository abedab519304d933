// The core HTTP/2 server (core/http/h2.cc) on untrusted frames, exactly as a
// client reaches it: one in-process server on 127.0.0.1 (port 0), and per
// input a cleartext connection that sends the HTTP/2 preface followed by the
// input's bytes, half-closes, and reads until the server closes. The handler
// reads the request body piece by piece and answers with trailers, so
// HEADERS/CONTINUATION, DATA and flow control, RST_STREAM, SETTINGS, PING,
// GOAWAY and the response path all run. ASan/UBSan in the server threads are
// the oracle; the connection must also end (no hang): a read times out after
// five seconds and aborts.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/http/server.h"

namespace {

using namespace rampart::http;

class EchoHandler final : public Handler {
 public:
  asio::awaitable<void> Handle(Exchange& x) override {
    std::string total;
    for (;;) {
      std::string piece;
      bool done = false;
      auto err = co_await x.ReadBodyPart(&piece, &done);
      if (err) {
        co_await x.RespondError(*err);
        co_return;
      }
      total += piece;
      if (done) break;
    }
    Field f[] = {{"content-type", "text/plain"}};
    x.Begin(200, f, std::nullopt);
    if (!co_await x.Write(total.substr(0, 64), false)) co_return;
    Field t[] = {{"x-bytes", "n"}};
    co_await x.EndWithTrailers(t);
  }
};

Server* TheServer() {
  static EchoHandler handler;
  static std::unique_ptr<Server> server = [] {
    ServerOptions o;
    o.name = "h2-fuzz";
    o.threads = 1;
    o.header_read_timeout = std::chrono::milliseconds(1000);
    o.body_read_timeout = std::chrono::milliseconds(1000);
    o.idle_timeout = std::chrono::milliseconds(1000);
    o.request.max_body_bytes = 1 << 16;
    o.h2_max_concurrent_streams = 16;
    auto s = Server::Start(o, handler);
    if (!s) std::abort();
    return std::move(*s);
  }();
  return server.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Server* server = TheServer();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
  std::string out = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  out.append(reinterpret_cast<const char*>(data), size);
  std::size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server closed early (GOAWAY): fine
    off += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  char buf[16384];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 5000);
    if (r == 0) std::abort();  // the server neither answered nor closed
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
  }
  ::close(fd);
  return 0;
}
