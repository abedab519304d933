// A small estate for the gateway policy tests: two OpenAI services (routed
// by model), one Triton service, identities with roles and a SPIFFE ID.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "estate/loader.h"
#include "gateway/config.h"

namespace rampart::gateway::testing {

inline constexpr char kBaseEstate[] = R"(version: 1
name: test
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443]}
  - name: chat
    zone: dmz
    kind: inference
    inference: {protocol: openai, models: [chat-7b, embed-1]}
    upstream: http://127.0.0.1:9001
  - name: big-chat
    zone: dmz
    kind: inference
    inference: {protocol: openai, models: [chat-70b]}
    upstream: https://10.0.0.5:8443/base/
  - name: vision
    zone: dmz
    kind: inference
    inference: {protocol: triton, models: [resnet50, yolo]}
    upstream: http://127.0.0.1:9002
identities:
  - {name: frontend, kind: api-client, roles: [chat-user]}
  - {name: vision-app, kind: api-client, roles: [vision-user]}
  - {name: admin, kind: person, roles: [inference-admin, chat-user]}
  - {name: mesh-client, kind: workload, roles: [chat-user], spiffe_id: "spiffe://t.ai/ns/a/sa/client"}
  - {name: nobody, kind: api-client}
)";

// The base estate with `gateway_section` appended (YAML starting "gateway:").
inline estate::Estate LoadTestEstate(const std::string& gateway_section = "") {
  auto r = estate::LoadString(std::string(kBaseEstate) + gateway_section, "estate.yaml");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  if (!r) return {};
  EXPECT_FALSE(r->diagnostics.has_errors()) << r->diagnostics.ToString();
  return std::move(r->estate);
}

}  // namespace rampart::gateway::testing
