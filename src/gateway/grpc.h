// gRPC for KServe v2 / Triton (`inference.GRPCInferenceService`): the method
// table that routes each RPC like its REST twin, the length-prefixed message
// framing, the model name read from a request's protobuf without decoding
// the rest, and the gRPC status the gateway answers its refusals with
// (docs/formats/gateway-config.md, "gRPC").
//
// Pure functions and a small incremental reader: shared by the server and
// fuzz/gateway/grpc_fuzzer.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/routes.h"

namespace rampart::gateway {

inline constexpr std::string_view kGrpcServicePrefix = "/inference.GRPCInferenceService/";

struct GrpcMethod {
  std::string_view name;  // "ModelInfer"
  RouteKind route;        // the REST twin whose access rules apply
  int model_field;        // protobuf field carrying the model name; 0: none
  bool streaming;         // a stream of requests and responses (ModelStreamInfer)
  bool admin_only;        // model management and server-memory registration
};

// The method a :path names, or nullptr (the gateway answers UNIMPLEMENTED
// and never forwards an unknown method).
const GrpcMethod* FindGrpcMethod(std::string_view path);

// gRPC status codes (grpc/doc/statuscodes.md).
enum class GrpcCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kUnauthenticated = 16,
};

// The gRPC status for a refusal the gateway would answer with `http_status`.
GrpcCode GrpcCodeFor(int http_status);

// grpc-message is percent-encoded (everything outside 0x20-0x7e and '%').
std::string GrpcPercentEncode(std::string_view message);

// Splits a stream of length-prefixed messages (1 byte compressed flag,
// 4-byte big-endian length, payload), fed in pieces as they arrive.
class GrpcFrameReader {
 public:
  explicit GrpcFrameReader(std::size_t max_message_bytes) : max_(max_message_bytes) {}
  // Appends `in`; moves each complete message into *out. Refusals: a
  // message over the limit (413 / RESOURCE_EXHAUSTED), a compressed message
  // (the gateway reads model names, so it accepts identity encoding only:
  // 400 / INVALID_ARGUMENT), a flag byte other than 0 or 1.
  HttpResult<std::size_t> Feed(std::string_view in, std::vector<std::string>* out);
  // True while a message has started and not ended: at the end of a
  // stream, its length prefix lied.
  bool mid_message() const { return !buf_.empty(); }

 private:
  std::size_t max_;
  std::string buf_;
};

// The value of string field `field` of a protobuf message, read without
// decoding the rest. 400 (INVALID_ARGUMENT) when the message is malformed,
// the field is missing or empty, appears more than once, or is not a string.
HttpResult<std::string_view> ProtoStringField(std::string_view message, int field);

}  // namespace rampart::gateway
