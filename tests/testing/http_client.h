// A raw HTTP/1.1 client for tests of Rampart's servers: bytes go out exactly
// as written (so that every malformed shape reaches the server byte for
// byte), and one response is read back with its framing.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::testing {

// A TCP connection to 127.0.0.1:port, or -1.
int Dial(int port);
void SendAll(int fd, std::string_view s);

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool closed = false;  // the server closed the connection after it
  std::string Header(const std::string& n) const {
    auto it = headers.find(n);
    return it == headers.end() ? "" : it->second;
  }
};

// Reads one response (Content-Length, chunked or close-delimited) from fd;
// bytes read past it stay in `pending`. `first_body` gets when the first
// body byte of a chunked response arrived.
Reply ReadReply(int fd, std::string& pending,
                std::chrono::milliseconds timeout = std::chrono::seconds(10),
                std::chrono::steady_clock::time_point* first_body = nullptr);

// One request on a fresh connection; `raw` is sent as is.
Reply RawExchange(int port, const std::string& raw,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

struct RawCase {
  std::string name;
  std::string raw;
};

// Requests every Rampart server must refuse with 400 and close: the framing
// shapes two HTTP implementations could read differently (request smuggling,
// RFC 9112 sections 6.3 and 11.2) and malformed heads. `base` is a POST
// request line and fields up to (not including) the blank line; `body` a
// body the route would accept; `post_path`/`get_path` are routes of the
// server under test.
std::vector<RawCase> SmugglingCases(const std::string& base, const std::string& body,
                                    const std::string& post_path, const std::string& get_path);

}  // namespace rampart::testing
