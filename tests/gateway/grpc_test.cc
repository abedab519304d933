// gRPC framing, method table, status mapping and the protobuf model-name
// read of gateway/grpc.h.
#include "gateway/grpc.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rampart::gateway {
namespace {

std::string Frame(std::string_view msg, char flag = 0) {
  std::string out(1, flag);
  auto n = static_cast<std::uint32_t>(msg.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
  out += msg;
  return out;
}

// A length-delimited field (wire type 2) with a one-byte length.
std::string StringField(int number, std::string_view v) {
  std::string out;
  out.push_back(static_cast<char>(number << 3 | 2));
  out.push_back(static_cast<char>(v.size()));
  out += v;
  return out;
}

TEST(GrpcMethods, TableRoutesLikeRestTwins) {
  const GrpcMethod* infer = FindGrpcMethod("/inference.GRPCInferenceService/ModelInfer");
  ASSERT_NE(infer, nullptr);
  EXPECT_EQ(infer->route, RouteKind::kV2Infer);
  EXPECT_EQ(infer->model_field, 1);
  EXPECT_FALSE(infer->streaming);
  EXPECT_FALSE(infer->admin_only);
  const GrpcMethod* stream = FindGrpcMethod("/inference.GRPCInferenceService/ModelStreamInfer");
  ASSERT_NE(stream, nullptr);
  EXPECT_TRUE(stream->streaming);
  const GrpcMethod* load = FindGrpcMethod("/inference.GRPCInferenceService/RepositoryModelLoad");
  ASSERT_NE(load, nullptr);
  EXPECT_TRUE(load->admin_only);
  EXPECT_EQ(load->model_field, 2);
  const GrpcMethod* shm =
      FindGrpcMethod("/inference.GRPCInferenceService/CudaSharedMemoryRegister");
  ASSERT_NE(shm, nullptr);
  EXPECT_TRUE(shm->admin_only);
  EXPECT_EQ(FindGrpcMethod("/inference.GRPCInferenceService/Nope"), nullptr);
  EXPECT_EQ(FindGrpcMethod("/other.Service/ModelInfer"), nullptr);
  EXPECT_EQ(FindGrpcMethod("/inference.GRPCInferenceService/ModelInfer/x"), nullptr);
}

TEST(GrpcStatus, RefusalsMapToGrpcCodes) {
  EXPECT_EQ(GrpcCodeFor(401), GrpcCode::kUnauthenticated);
  EXPECT_EQ(GrpcCodeFor(403), GrpcCode::kPermissionDenied);
  EXPECT_EQ(GrpcCodeFor(429), GrpcCode::kResourceExhausted);
  EXPECT_EQ(GrpcCodeFor(413), GrpcCode::kResourceExhausted);
  EXPECT_EQ(GrpcCodeFor(400), GrpcCode::kInvalidArgument);
  EXPECT_EQ(GrpcCodeFor(404), GrpcCode::kNotFound);
  EXPECT_EQ(GrpcCodeFor(503), GrpcCode::kUnavailable);
  EXPECT_EQ(GrpcCodeFor(504), GrpcCode::kDeadlineExceeded);
  EXPECT_EQ(GrpcCodeFor(500), GrpcCode::kInternal);
}

TEST(GrpcStatus, MessagePercentEncoded) {
  EXPECT_EQ(GrpcPercentEncode("plain text"), "plain text");
  EXPECT_EQ(GrpcPercentEncode("100%\n\xc3\xa9"), "100%25%0A%C3%A9");
}

TEST(GrpcFrames, SplitAcrossPiecesAndLyingPrefix) {
  std::string a = StringField(1, "m1");
  std::string b = StringField(1, "m2") + StringField(3, "id");
  std::string wire = Frame(a) + Frame(b);
  GrpcFrameReader r(1024);
  std::vector<std::string> out;
  for (char c : wire) ASSERT_TRUE(r.Feed(std::string_view(&c, 1), &out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], a);
  EXPECT_EQ(out[1], b);
  EXPECT_FALSE(r.mid_message());

  // A prefix announcing more than the stream holds leaves a message open.
  GrpcFrameReader liar(1024);
  std::vector<std::string> none;
  std::string lie = Frame(a);
  lie[4] = 40;
  ASSERT_TRUE(liar.Feed(lie, &none));
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(liar.mid_message());
}

TEST(GrpcFrames, RefusesCompressedOversizedAndBadFlags) {
  std::vector<std::string> out;
  GrpcFrameReader r(8);
  auto big = r.Feed(Frame("0123456789"), &out);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().http_status, 413);
  GrpcFrameReader c(1024);
  auto compressed = c.Feed(Frame("x", 1), &out);
  ASSERT_FALSE(compressed);
  EXPECT_EQ(compressed.error().http_status, 400);
  GrpcFrameReader f(1024);
  auto flag = f.Feed(Frame("x", 7), &out);
  ASSERT_FALSE(flag);
  EXPECT_EQ(flag.error().http_status, 400);
  EXPECT_TRUE(out.empty());
}

TEST(GrpcProto, ReadsTheModelFieldAmongOthers) {
  // varint field 2, fixed64 field 4, fixed32 field 5, the name in field 1,
  // a nested message in field 6 holding its own field 1.
  std::string msg;
  msg += std::string("\x10\x96\x01", 3);
  msg += std::string("\x21", 1) + std::string(8, '\x01');
  msg += std::string("\x2d", 1) + std::string(4, '\x02');
  msg += StringField(6, StringField(1, "inner"));
  msg += StringField(1, "resnet");
  auto name = ProtoStringField(msg, 1);
  ASSERT_TRUE(name) << name.error().message;
  EXPECT_EQ(*name, "resnet");
  std::string repository_request = StringField(1, "repo") + StringField(2, "bert");
  auto other = ProtoStringField(repository_request, 2);  // a view into the message
  ASSERT_TRUE(other);
  EXPECT_EQ(*other, "bert");
}

TEST(GrpcProto, MissingRepeatedEmptyWrongTypeOrTruncatedIsInvalid) {
  auto expect_invalid = [](std::string_view msg, std::string_view why) {
    auto r = ProtoStringField(msg, 1);
    ASSERT_FALSE(r) << why;
    EXPECT_EQ(r.error().http_status, 400) << why;
  };
  expect_invalid(StringField(3, "id"), "missing");
  expect_invalid(StringField(1, "a") + StringField(1, "b"), "repeated");
  expect_invalid(StringField(1, ""), "empty");
  expect_invalid(std::string("\x08\x05", 2), "varint in the name field");
  expect_invalid(std::string("\x0a\x09"
                             "abc",
                             5),
                 "length past the end");
  expect_invalid(std::string("\x0b", 1), "group wire type");
  expect_invalid(std::string("\x0a", 1), "length missing");
  expect_invalid(std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11),
                 "varint too long");
  expect_invalid(std::string("\x02\x01x", 3), "field number 0");
}

}  // namespace
}  // namespace rampart::gateway
