// One request per connection to the ledger API, as any client would send it
// (over the shared raw client of testing/http_client.h).
#pragma once

#include <string>

#include "testing/http_client.h"

namespace rampart::ledger::testing_http {

struct HttpReply {
  int status = 0;  // 0: no connection
  std::string body;
};

inline HttpReply Request(int port, const std::string& method, const std::string& target,
                         const std::string& body = "", const std::string& api_key = "") {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!api_key.empty()) req += "Authorization: Bearer " + api_key + "\r\n";
  if (!body.empty() || method == "POST") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  testing::Reply r = testing::RawExchange(port, req);
  return {r.status, r.body};
}

}  // namespace rampart::ledger::testing_http
