// An HTTP refusal: the status to answer with and a stable, client-safe
// reason. Every Rampart service answers its own refusals with the same JSON
// shape (Exchange::RespondError):
//   {"error": {"code": code, "message": message}}
#pragma once

#include <expected>
#include <string>

namespace rampart::http {

struct HttpError {
  int http_status = 500;
  std::string code;     // stable, e.g. "route_not_found", "smuggling", "body_too_large"
  std::string message;  // safe to return to the client
  std::string allow;    // 405 only: the Allow header value, e.g. "POST"
};

template <typename T>
using HttpResult = std::expected<T, HttpError>;

inline HttpError MakeHttpError(int status, std::string code, std::string message) {
  HttpError e;
  e.http_status = status;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

}  // namespace rampart::http
