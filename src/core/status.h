// Errors as values: Status and Result<T> on std::expected.
//
// No exception crosses a library API in Rampart. A function that can fail
// returns Status (no value) or Result<T> (a value or a Status). Adapters over
// third-party libraries that throw catch at the edge and return a Status.
//
//   Result<Key> LoadKey(const std::filesystem::path& p) {
//     RAMPART_ASSIGN_OR_RETURN(std::string pem, ReadFile(p));
//     return ParseKey(pem);
//   }
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace rampart {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller's input is wrong; retrying won't help
  kNotFound,           // a named thing does not exist
  kPermissionDenied,   // authenticated, but not allowed
  kUnauthenticated,    // no or bad credentials
  kCorruption,         // stored or received data fails an integrity check
  kUnavailable,        // a dependency is down; retrying may help
  kResourceExhausted,  // a limit was hit (size, rate, queue depth)
  kInternal,           // a broken invariant inside Rampart
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: key file ./k.pem does not exist" (or "OK").
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status PermissionDeniedError(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status UnauthenticatedError(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status CorruptionError(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T> holds a T or a non-OK Status. Construct errors with
// `return NotFoundError("...")` thanks to the implicit conversion below.
template <typename T>
class [[nodiscard]] Result : public std::expected<T, Status> {
 public:
  using Base = std::expected<T, Status>;
  using Base::Base;
  Result(const Status& s) : Base(std::unexpect, s) {}        // NOLINT: implicit by design
  Result(Status&& s) : Base(std::unexpect, std::move(s)) {}  // NOLINT

  // The error as a Status; OK when a value is present.
  Status status() const { return this->has_value() ? OkStatus() : this->error(); }
};

namespace internal {
inline Status ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace rampart

#define RAMPART_CONCAT_INNER_(a, b) a##b
#define RAMPART_CONCAT_(a, b) RAMPART_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status or Result) is an error.
#define RAMPART_RETURN_IF_ERROR(expr)                                              \
  do {                                                                             \
    if (auto _rampart_st = ::rampart::internal::ToStatus(expr); !_rampart_st.ok()) \
      return _rampart_st;                                                          \
  } while (0)

// RAMPART_ASSIGN_OR_RETURN(T x, ResultExpr): declares/assigns x from the
// Result's value, or returns its Status from the enclosing function.
#define RAMPART_ASSIGN_OR_RETURN(lhs, expr) \
  RAMPART_ASSIGN_OR_RETURN_IMPL_(RAMPART_CONCAT_(_rampart_r_, __LINE__), lhs, expr)
#define RAMPART_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.has_value()) return std::move(tmp).error(); \
  lhs = std::move(*tmp)
