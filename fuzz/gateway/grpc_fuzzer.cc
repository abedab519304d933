// gRPC framing and the model-name read of gateway/grpc.h on untrusted bytes,
// as the gateway runs them on a request stream: the input is fed to a
// GrpcFrameReader in pieces of varying size, and every complete message goes
// through ProtoStringField(message, 1). Invariants checked: no message over
// the limit is produced, the pieces reassemble to a prefix of the input, a
// refusal is a 4xx, and a model name found lies inside its message and is
// not empty.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/grpc.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::gateway;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMax = 4096;
  GrpcFrameReader reader(kMax);
  std::vector<std::string> messages;
  std::size_t step = 1 + (size % 13);
  std::size_t consumed = 0;
  while (consumed < in.size()) {
    std::string_view piece = in.substr(consumed, step);
    consumed += piece.size();
    auto n = reader.Feed(piece, &messages);
    if (!n) {
      if (n.error().http_status < 400 || n.error().http_status > 499) std::abort();
      break;
    }
  }
  std::size_t framed = 0;
  for (const std::string& m : messages) {
    if (m.size() > kMax) std::abort();
    framed += 5 + m.size();
    if (framed > size) std::abort();
    auto name = ProtoStringField(m, 1);
    if (!name) {
      if (name.error().http_status != 400) std::abort();
      continue;
    }
    if (name->empty() || name->data() < m.data() ||
        name->data() + name->size() > m.data() + m.size()) {
      std::abort();
    }
  }
  // The whole input as one message too: the field reader on raw protobuf.
  (void)ProtoStringField(in, 1);
  (void)FindGrpcMethod(in);
  return 0;
}
