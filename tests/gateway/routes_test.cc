#include "gateway/routes.h"

#include <gtest/gtest.h>

#include "policy_fixture.h"

namespace rampart::gateway {
namespace {

class RoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { table_ = RouteTable::Build(testing::LoadTestEstate()); }
  RouteTable table_;
};

struct Case {
  const char* method;
  const char* target;
  int status;  // 200 = matched
  RouteKind kind = RouteKind::kChatCompletions;
  const char* model = "";
  const char* version = "";
};

TEST_F(RoutesTest, Table) {
  const Case cases[] = {
      {"POST", "/v1/chat/completions", 200, RouteKind::kChatCompletions},
      {"POST", "/v1/completions", 200, RouteKind::kCompletions},
      {"POST", "/v1/embeddings", 200, RouteKind::kEmbeddings},
      {"GET", "/v1/models", 200, RouteKind::kModelList},
      {"POST", "/v1/chat/completions?stream=true", 200, RouteKind::kChatCompletions},
      {"POST", "/v2/models/resnet50/infer", 200, RouteKind::kV2Infer, "resnet50"},
      {"POST", "/v2/models/resnet50/versions/3/infer", 200, RouteKind::kV2Infer, "resnet50", "3"},
      {"GET", "/v2/models/yolo", 200, RouteKind::kV2ModelMetadata, "yolo"},
      {"GET", "/v2/models/yolo/versions/1", 200, RouteKind::kV2ModelMetadata, "yolo", "1"},
      {"GET", "/v2/models/yolo/ready", 200, RouteKind::kV2ModelReady, "yolo"},
      {"GET", "/v2/models/yolo/versions/2/ready", 200, RouteKind::kV2ModelReady, "yolo", "2"},
      {"GET", "/v2", 200, RouteKind::kV2ServerMetadata},
      {"GET", "/v2/health/live", 200, RouteKind::kV2Health},
      {"GET", "/v2/health/ready", 200, RouteKind::kV2Health},
      {"POST", "/v2/repository/index", 200, RouteKind::kV2RepositoryIndex},
      {"POST", "/v2/repository/models/yolo/load", 200, RouteKind::kV2RepositoryLoad, "yolo"},
      {"POST", "/v2/repository/models/yolo/unload", 200, RouteKind::kV2RepositoryUnload, "yolo"},
      // 405: the route exists, the method does not.
      {"GET", "/v1/chat/completions", 405},
      {"DELETE", "/v1/embeddings", 405},
      {"POST", "/v1/models", 405},
      {"GET", "/v2/models/yolo/infer", 405},
      {"GET", "/v2/repository/models/yolo/load", 405},
      {"POST", "/v2/health/live", 405},
      // 404: no such route.
      {"GET", "/", 404},
      {"GET", "/metrics", 404},
      {"POST", "/v1/chat", 404},
      {"POST", "/v1/chat/completions/extra", 404},
      {"POST", "/v1/audio/transcriptions", 404},
      {"GET", "/v1/models/chat-7b", 404},
      {"GET", "/v2/health", 404},
      {"GET", "/v2/health/dead", 404},
      {"POST", "/v2/models/yolo/versions/1/infer/x", 404},
      {"POST", "/v2/models/yolo/generate", 404},
      {"POST", "/v2/models/yo%41lo/infer", 404},  // never decoded, never a model
      {"POST", "/v2/repository/models/yolo/delete", 404},
      {"GET", "/V1/models", 404},
      {"POST", "/v2/logging", 404},
      // 400: dangerous or malformed targets, whatever the method.
      {"POST", "/v1/../v2/repository/index", 400},
      {"POST", "/v1/./chat/completions", 400},
      {"POST", "/v1//chat/completions", 400},
      {"POST", "/v1/chat/completions/", 400},
      {"POST", "/v2/models/a%2Fb/infer", 400},
      {"POST", "/v2/models/a%2fb/infer", 400},
      {"POST", "/v2/models/%2e%2e/infer", 400},
      {"POST", "/v2/models/a%5cb/infer", 400},
      {"POST", "/v2/models/a%00/infer", 400},
      {"POST", "/v2/models/a%zz/infer", 400},
      {"POST", "/v2/models/a%2", 400},
      {"POST", "/v2/models/a\\b/infer", 400},
      {"GET", "http://evil/v1/models", 400},
      {"GET", "*", 400},
      {"GET", "", 400},
      {"GET", "v1/models", 400},
      {"GET", "/v1/models#frag", 400},
      {"GET", "/v1/mo dels", 400},
      {"GET", "/v1/models\r\nX: y", 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    auto m = table_.Match(c.method, c.target);
    if (c.status == 200) {
      ASSERT_TRUE(m.has_value()) << m.error().code << ": " << m.error().message;
      EXPECT_EQ(m->route->kind, c.kind);
      EXPECT_EQ(m->model, c.model);
      EXPECT_EQ(m->version, c.version);
    } else {
      ASSERT_FALSE(m.has_value());
      EXPECT_EQ(m.error().http_status, c.status) << m.error().message;
    }
  }
}

TEST_F(RoutesTest, NulInTargetIs400) {
  std::string t = "/v1/models";
  t.push_back('\0');
  auto m = table_.Match("GET", t);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().http_status, 400);
}

TEST_F(RoutesTest, ErrorShapes) {
  auto m405 = table_.Match("GET", "/v1/chat/completions");
  ASSERT_FALSE(m405.has_value());
  EXPECT_EQ(m405.error().code, "method_not_allowed");
  EXPECT_EQ(m405.error().allow, "POST");
  auto m404 = table_.Match("GET", "/nope");
  EXPECT_EQ(m404.error().code, "route_not_found");
  EXPECT_TRUE(m404.error().allow.empty());
  auto m400 = table_.Match("GET", "/a/../b");
  EXPECT_EQ(m400.error().code, "bad_target");
  auto long_target = "/v1/" + std::string(9000, 'a');
  EXPECT_EQ(table_.Match("GET", long_target).error().http_status, 400);
}

TEST_F(RoutesTest, PathAndQueryKeptForUpstream) {
  auto m = table_.Match("POST", "/v2/models/yolo/infer?trace=1");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->path, "/v2/models/yolo/infer");
  EXPECT_EQ(m->query, "trace=1");
  EXPECT_EQ(m->service, -1);  // depends on the model
  auto h = table_.Match("GET", "/v2/health/ready");
  ASSERT_TRUE(h.has_value());
  ASSERT_GE(h->service, 0);
  EXPECT_EQ(table_.services()[h->service].name, "vision");
}

TEST_F(RoutesTest, ServiceByModel) {
  auto chat = table_.ServiceFor(ProtocolFamily::kOpenAi, "chat-7b");
  ASSERT_TRUE(chat.has_value());
  EXPECT_EQ(table_.services()[*chat].name, "chat");
  auto big = table_.ServiceFor(ProtocolFamily::kOpenAi, "chat-70b");
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(table_.services()[*big].name, "big-chat");
  auto vis = table_.ServiceFor(ProtocolFamily::kV2, "resnet50");
  ASSERT_TRUE(vis.has_value());
  EXPECT_EQ(table_.services()[*vis].name, "vision");
  // A v2 model is not served by an OpenAI route and vice versa.
  EXPECT_EQ(table_.ServiceFor(ProtocolFamily::kOpenAi, "resnet50").error().http_status, 404);
  EXPECT_EQ(table_.ServiceFor(ProtocolFamily::kV2, "chat-7b").error().code, "model_not_found");
}

TEST(RoutesNoServiceTest, FamilyWithoutServiceIs404) {
  auto r = estate::LoadString(R"(version: 1
name: t
zones: [{name: z, kind: inference}]
services:
  - {name: any, zone: z, kind: inference, inference: {protocol: kserve-v2}}
)",
                              "e.yaml");
  ASSERT_TRUE(r.has_value());
  RouteTable t = RouteTable::Build(r->estate);
  EXPECT_EQ(t.Match("POST", "/v1/chat/completions").error().http_status, 404);
  EXPECT_EQ(t.Match("GET", "/v1/chat/completions").error().http_status, 404);
  ASSERT_TRUE(t.Match("POST", "/v2/models/m/infer").has_value());
  // An empty models list is a catch-all for its family.
  auto s = t.ServiceFor(ProtocolFamily::kV2, "whatever");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(t.services()[*s].name, "any");
  EXPECT_FALSE(t.ServiceFor(ProtocolFamily::kV2, "").has_value());
}

TEST(RouteNamesTest, NamesAreStable) {
  EXPECT_EQ(RouteName(RouteKind::kChatCompletions), "chat");
  EXPECT_EQ(RouteName(RouteKind::kV2RepositoryUnload), "repository_unload");
  EXPECT_EQ(RouteNames().size(), static_cast<std::size_t>(kRouteKindCount) + 1);
  for (int k = 0; k < kRouteKindCount; ++k) {
    EXPECT_EQ(InfoOf(static_cast<RouteKind>(k)).kind, static_cast<RouteKind>(k));
  }
}

}  // namespace
}  // namespace rampart::gateway
