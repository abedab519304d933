// A minimal blocking HTTP/1.1 client for tests (one request per connection),
// so the tests speak to the ledger exactly as any client would.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace rampart::ledger::testing_http {

struct HttpReply {
  int status = 0;  // 0: no connection
  std::string body;
};

inline HttpReply Request(int port, const std::string& method, const std::string& target,
                         const std::string& body = "", const std::string& api_key = "") {
  HttpReply out;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return out;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return out;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!api_key.empty()) req += "Authorization: Bearer " + api_key + "\r\n";
  if (!body.empty() || method == "POST") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  std::size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string resp;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  if (resp.size() < 12 || !resp.starts_with("HTTP/1.1 ")) return out;
  out.status = std::stoi(resp.substr(9, 3));
  std::size_t hdr_end = resp.find("\r\n\r\n");
  if (hdr_end != std::string::npos) out.body = resp.substr(hdr_end + 4);
  return out;
}

}  // namespace rampart::ledger::testing_http
