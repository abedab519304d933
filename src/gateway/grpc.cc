#include "gateway/grpc.h"

#include <array>

namespace rampart::gateway {
namespace {

using RK = RouteKind;

// Request messages name their model in field 1 (ModelInferRequest.model_name,
// ModelReadyRequest.name, ModelMetadataRequest.name, ModelConfigRequest.name,
// ModelStatisticsRequest.name) except the repository requests, whose field 1
// is the repository and field 2 the model (Triton's grpc_service.proto).
constexpr std::array<GrpcMethod, 20> kMethods = {{
    {"ServerLive", RK::kV2Health, 0, false, false},
    {"ServerReady", RK::kV2Health, 0, false, false},
    {"ServerMetadata", RK::kV2ServerMetadata, 0, false, false},
    {"ModelReady", RK::kV2ModelReady, 1, false, false},
    {"ModelMetadata", RK::kV2ModelMetadata, 1, false, false},
    {"ModelConfig", RK::kV2ModelMetadata, 1, false, false},
    {"ModelStatistics", RK::kV2ModelMetadata, 1, false, false},
    {"ModelInfer", RK::kV2Infer, 1, false, false},
    {"ModelStreamInfer", RK::kV2Infer, 1, true, false},
    {"RepositoryIndex", RK::kV2RepositoryIndex, 0, false, true},
    {"RepositoryModelLoad", RK::kV2RepositoryLoad, 2, false, true},
    {"RepositoryModelUnload", RK::kV2RepositoryUnload, 2, false, true},
    // Shared memory lets a client point the server at host memory; tracing
    // and logging reconfigure the server: model management, admins only.
    {"SystemSharedMemoryStatus", RK::kV2RepositoryIndex, 0, false, true},
    {"SystemSharedMemoryRegister", RK::kV2RepositoryIndex, 0, false, true},
    {"SystemSharedMemoryUnregister", RK::kV2RepositoryIndex, 0, false, true},
    {"CudaSharedMemoryStatus", RK::kV2RepositoryIndex, 0, false, true},
    {"CudaSharedMemoryRegister", RK::kV2RepositoryIndex, 0, false, true},
    {"CudaSharedMemoryUnregister", RK::kV2RepositoryIndex, 0, false, true},
    {"TraceSetting", RK::kV2RepositoryIndex, 0, false, true},
    {"LogSettings", RK::kV2RepositoryIndex, 0, false, true},
}};

HttpError Invalid(std::string m) { return MakeHttpError(400, "invalid_argument", std::move(m)); }

// A base-128 varint; false when it runs past `end` or beyond 64 bits.
bool ReadVarint(const unsigned char*& p, const unsigned char* end, std::uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p == end) return false;
    unsigned char b = *p++;
    *v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return shift < 63 || b <= 1;
  }
  return false;
}

}  // namespace

const GrpcMethod* FindGrpcMethod(std::string_view path) {
  if (!path.starts_with(kGrpcServicePrefix)) return nullptr;
  std::string_view name = path.substr(kGrpcServicePrefix.size());
  for (const GrpcMethod& m : kMethods) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

GrpcCode GrpcCodeFor(int http_status) {
  switch (http_status) {
    case 400:
    case 414:
    case 417:
    case 431:
      return GrpcCode::kInvalidArgument;
    case 401:
      return GrpcCode::kUnauthenticated;
    case 403:
      return GrpcCode::kPermissionDenied;
    case 404:
      return GrpcCode::kNotFound;
    case 405:
      return GrpcCode::kUnimplemented;
    case 408:
    case 504:
      return GrpcCode::kDeadlineExceeded;
    case 413:
    case 429:
      return GrpcCode::kResourceExhausted;
    case 502:
    case 503:
      return GrpcCode::kUnavailable;
    default:
      return http_status >= 500 ? GrpcCode::kInternal : GrpcCode::kUnknown;
  }
}

std::string GrpcPercentEncode(std::string_view m) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(m.size());
  for (char c : m) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e || c == '%') {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

HttpResult<std::size_t> GrpcFrameReader::Feed(std::string_view in, std::vector<std::string>* out) {
  std::size_t found = 0;
  buf_.append(in);
  std::size_t off = 0;
  while (buf_.size() - off >= 5) {
    auto flag = static_cast<unsigned char>(buf_[off]);
    auto b = [&](std::size_t i) {
      return static_cast<std::uint32_t>(static_cast<unsigned char>(buf_[off + i]));
    };
    std::uint32_t len = b(1) << 24 | b(2) << 16 | b(3) << 8 | b(4);
    if (flag > 1) return std::unexpected(Invalid("malformed gRPC message prefix"));
    if (flag == 1) {
      return std::unexpected(
          Invalid("compressed gRPC messages are not accepted (send with identity encoding)"));
    }
    if (len > max_) {
      return std::unexpected(
          MakeHttpError(413, "message_too_large",
                        "gRPC message is larger than " + std::to_string(max_) + " bytes"));
    }
    if (buf_.size() - off - 5 < len) break;
    out->emplace_back(buf_, off + 5, len);
    off += 5 + len;
    ++found;
  }
  buf_.erase(0, off);
  return found;
}

HttpResult<std::string_view> ProtoStringField(std::string_view message, int field) {
  const auto* p = reinterpret_cast<const unsigned char*>(message.data());
  const auto* end = p + message.size();
  std::string_view found;
  int seen = 0;
  while (p < end) {
    std::uint64_t key = 0;
    if (!ReadVarint(p, end, &key)) return std::unexpected(Invalid("malformed protobuf message"));
    std::uint64_t number = key >> 3;
    unsigned wire = static_cast<unsigned>(key & 7);
    if (number == 0 || number > 0x1fffffff) {
      return std::unexpected(Invalid("malformed protobuf field number"));
    }
    std::uint64_t v = 0;
    switch (wire) {
      case 0:
        if (!ReadVarint(p, end, &v)) return std::unexpected(Invalid("malformed protobuf varint"));
        if (number == static_cast<std::uint64_t>(field)) {
          return std::unexpected(Invalid("the model name field is not a string"));
        }
        break;
      case 1:
      case 5: {
        std::size_t n = wire == 1 ? 8 : 4;
        if (static_cast<std::size_t>(end - p) < n) {
          return std::unexpected(Invalid("truncated protobuf message"));
        }
        if (number == static_cast<std::uint64_t>(field)) {
          return std::unexpected(Invalid("the model name field is not a string"));
        }
        p += n;
        break;
      }
      case 2: {
        if (!ReadVarint(p, end, &v) || v > static_cast<std::uint64_t>(end - p)) {
          return std::unexpected(Invalid("truncated protobuf message"));
        }
        if (number == static_cast<std::uint64_t>(field)) {
          ++seen;
          found = std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(v));
        }
        p += v;
        break;
      }
      default:
        // Groups (3, 4) are not in these messages; 6 and 7 do not exist.
        return std::unexpected(Invalid("unsupported protobuf wire type"));
    }
  }
  if (seen > 1) {
    return std::unexpected(Invalid("the model name field appears more than once"));
  }
  if (seen == 0 || found.empty()) return std::unexpected(Invalid("the request names no model"));
  return found;
}

}  // namespace rampart::gateway
