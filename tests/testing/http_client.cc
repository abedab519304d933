#include "testing/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace rampart::testing {

using Steady = std::chrono::steady_clock;

int Dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

Reply ReadReply(int fd, std::string& pending, std::chrono::milliseconds timeout,
                Steady::time_point* first_body) {
  Reply r;
  auto deadline = Steady::now() + timeout;
  auto fill = [&]() -> bool {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) != 1) return false;
    char buf[65536];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      r.closed = true;
      return false;
    }
    pending.append(buf, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t he;
  while ((he = pending.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return r;
  }
  std::string head = pending.substr(0, he);
  pending.erase(0, he + 4);
  if (head.size() >= 12) r.status = std::atoi(head.c_str() + 9);
  std::istringstream hs(head);
  std::string line;
  std::getline(hs, line);
  while (std::getline(hs, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto c = line.find(':');
    if (c == std::string::npos) continue;
    std::string n = line.substr(0, c);
    for (char& ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string v = line.substr(c + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    r.headers[n] = v;
  }
  if (r.headers.count("content-length")) {
    std::size_t n = std::stoul(r.headers["content-length"]);
    while (pending.size() < n) {
      if (!fill()) break;
    }
    r.body = pending.substr(0, n);
    pending.erase(0, std::min(n, pending.size()));
  } else if (r.headers["transfer-encoding"] == "chunked") {
    for (;;) {
      std::size_t le;
      while ((le = pending.find("\r\n")) == std::string::npos) {
        if (!fill()) return r;
      }
      std::size_t size = std::stoul(pending.substr(0, le), nullptr, 16);
      while (pending.size() < le + 2 + size + 2) {
        if (!fill()) return r;
      }
      if (size > 0 && first_body && *first_body == Steady::time_point{})
        *first_body = Steady::now();
      r.body += pending.substr(le + 2, size);
      pending.erase(0, le + 2 + size + 2);
      if (size == 0) break;
    }
  } else if (r.status != 204 && r.status != 304 && r.status / 100 != 1) {
    while (fill()) {
    }
    r.body = pending;
    pending.clear();
  }
  if (r.Header("connection") == "close") {
    // Confirm the server really closes.
    while (fill()) {
    }
  }
  return r;
}

Reply RawExchange(int port, const std::string& raw, std::chrono::milliseconds timeout) {
  int fd = Dial(port);
  if (fd < 0) return {};
  SendAll(fd, raw);
  std::string pending;
  Reply r = ReadReply(fd, pending, timeout);
  close(fd);
  return r;
}

std::vector<RawCase> SmugglingCases(const std::string& base, const std::string& body,
                                    const std::string& post_path, const std::string& get_path) {
  std::string cl = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return {
      {"CL+TE", base + cl + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"TE+CL", base + "Transfer-Encoding: chunked\r\n" + cl + "\r\n0\r\n\r\n"},
      {"duplicate CL", base + cl + cl + "\r\n" + body},
      {"CL list", base + "Content-Length: 5, 5\r\n\r\nhello"},
      {"CL sign", base + "Content-Length: +5\r\n\r\nhello"},
      {"CL hex", base + "Content-Length: 0x5\r\n\r\nhello"},
      {"obs-fold", base + "X-Folded: a\r\n b\r\n" + cl + "\r\n" + body},
      {"TE gzip", base + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
      {"TE identity", base + "Transfer-Encoding: identity\r\n\r\n"},
      {"TE twice",
       base + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"space before colon", base + "Content-Length : 5\r\n\r\nhello"},
      {"bare LF in header", "POST " + post_path + " HTTP/1.1\nHost: gw\r\n\r\n"},
      {"malformed chunk size", base + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"},
      {"chunk size overflow",
       base + "Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n"},
      {"chunk without CRLF", base + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX0\r\n\r\n"},
      {"chunk size bare LF", base + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"},
      {"absolute-form target", "GET http://evil" + get_path + " HTTP/1.1\r\nHost: gw\r\n\r\n"},
      {"no Host", "GET " + get_path + " HTTP/1.1\r\n\r\n"},
      {"two Hosts", "GET " + get_path + " HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
  };
}

}  // namespace rampart::testing
