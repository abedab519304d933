#include "attest/tpm/node_verifier.h"

#include <gtest/gtest.h>

#include "synthetic.h"

namespace rampart::attest::tpm {
namespace {

class RecordingSink : public AuditSink {
 public:
  Status Append(AuditEvent e) override {
    events.push_back(std::move(e));
    return OkStatus();
  }
  Status Flush(std::chrono::milliseconds) override { return OkStatus(); }
  std::vector<AuditEvent> events;
};

// A simulated node: a software AK that quotes PCRs replayed from its boot.
struct SimNode {
  crypto::PrivateKey key = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
  synthetic::BootSpec boot;
  bool down = false;
  std::optional<NodeEvidence> stale;  // answer with this instead of quoting

  Result<NodeEvidence> Quote(ByteView nonce) {
    if (down) return UnavailableError("connection refused");
    if (stale) return *stale;
    synthetic::EventLogBuilder b;
    synthetic::WriteBoot(boot, &b);
    NodeEvidence ev;
    ev.event_log = b.bytes();
    PcrValues pcrs = ReplayEventLog(*ParseEventLog(ev.event_log));
    synthetic::QuoteSpec q;
    q.nonce.assign(nonce.begin(), nonce.end());
    q.pcrs = {0, 4, 7, 8, 9};
    Bytes concat;
    for (int p : q.pcrs) synthetic::Append(&concat, pcrs[kAlgSha256][p]);
    q.pcr_digest = TpmDigest(kAlgSha256, concat);
    ev.quote = synthetic::MarshalAttest(q);
    ev.signature = synthetic::SignAttest(key, ev.quote);
    return ev;
  }
};

TEST(TpmNodeVerifier, RecordsEveryResultAndEveryChangeOfState) {
  SimNode sim;
  std::string kernel = "sha256:" + synthetic::Sha256Hex(sim.boot.kernel);
  auto policy = ParseNodePolicy(
      "version: 1\nclasses:\n  gpu-training:\n    secure_boot: required\n    kernel: [" + kernel +
          "]\n",
      "nodes.yaml");
  ASSERT_TRUE(policy.has_value()) << policy.error().ToString();
  RecordingSink sink;
  NodeVerifier v(
      *policy, {{"gpu-01", "gpu-training", sim.key.public_key(), "sim"}},
      [&](const EnrolledNode&, ByteView nonce) { return sim.Quote(nonce); }, &sink);
  EXPECT_EQ(v.Lookup("gpu-01")->health, NodeHealth::kUnknown);
  EXPECT_FALSE(v.Lookup("gpu-99").has_value());

  auto t = std::chrono::system_clock::now();
  auto r = v.PollOnce(t);
  EXPECT_EQ(r.attested, 1);
  EXPECT_EQ(r.changed, 1);
  EXPECT_EQ(v.Lookup("gpu-01")->health, NodeHealth::kAttested);
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0].type, "node.attested");
  EXPECT_EQ(sink.events[0].fields.at("previous").as_string(), "unknown");

  r = v.PollOnce(t);  // unchanged: still recorded, not a change
  EXPECT_EQ(r.changed, 0);
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_FALSE(sink.events[1].fields.at("changed").as_bool());

  // The node reboots into another kernel: drift, by name.
  sim.boot.kernel = "kernel image 6.1.0 with a backdoor";
  r = v.PollOnce(t);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.changed, 1);
  auto s = v.Lookup("gpu-01");
  EXPECT_EQ(s->health, NodeHealth::kDrifted);
  ASSERT_EQ(s->reasons.size(), 1u);
  EXPECT_EQ(s->reasons[0], "kernel: digest sha256:" + synthetic::Sha256Hex(sim.boot.kernel) +
                               " not in golden values for class gpu-training");
  ASSERT_EQ(sink.events.size(), 3u);
  EXPECT_EQ(sink.events[2].type, "node.drifted");
  EXPECT_EQ(sink.events[2].fields.at("health").as_string(), "drifted");
  EXPECT_EQ(sink.events[2].fields.at("reasons").as_array().at(0).as_string(), s->reasons[0]);

  // A node that replays an old quote: every poll has a fresh nonce.
  sim.boot = synthetic::BootSpec{};
  sim.stale = *sim.Quote(Bytes(32, 7));
  v.PollOnce(t);
  s = v.Lookup("gpu-01");
  EXPECT_EQ(s->health, NodeHealth::kRefused);
  EXPECT_TRUE(s->reasons.at(0).starts_with("quote.nonce:")) << s->reasons.at(0);

  sim.stale.reset();
  sim.down = true;
  v.PollOnce(t);
  EXPECT_EQ(v.Lookup("gpu-01")->health, NodeHealth::kUnreachable);
  sim.down = false;
  v.PollOnce(t);
  EXPECT_EQ(v.Lookup("gpu-01")->health, NodeHealth::kAttested);
  EXPECT_EQ(sink.events.back().type, "node.attested");
  EXPECT_EQ(sink.events.back().fields.at("previous").as_string(), "unreachable");

  // /metrics: the node's gauge, when it was polled, and every outcome counted.
  std::string m = v.MetricsText();
  EXPECT_NE(m.find("rampart_node_attested{node=\"gpu-01\",class=\"gpu-training\"} 1\n"),
            std::string::npos)
      << m;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  EXPECT_NE(m.find("rampart_node_last_poll_timestamp_seconds{node=\"gpu-01\"} " +
                   std::to_string(secs) + "\n"),
            std::string::npos)
      << m;
  for (const char* line :
       {"rampart_node_polls_total 6\n", "rampart_node_polls_attested_total 3\n",
        "rampart_node_polls_drifted_total 1\n", "rampart_node_polls_refused_total 1\n",
        "rampart_node_polls_unreachable_total 1\n", "rampart_node_audit_failures_total 0\n"})
    EXPECT_NE(m.find(line), std::string::npos) << line << m;
  EXPECT_EQ(m.find("backdoor"), std::string::npos);  // reasons stay out of labels
  sim.down = true;
  v.PollOnce(t);
  EXPECT_NE(v.MetricsText().find("rampart_node_attested{node=\"gpu-01\",class=\"gpu-training\"} 0"),
            std::string::npos);
}

// Before the first poll a node is not attested: its gauge is 0, not absent.
TEST(TpmNodeVerifier, MetricsBeforeThePollShowZero) {
  SimNode sim;
  auto policy = ParseNodePolicy("version: 1\nclasses:\n  c: {}\n", "nodes.yaml");
  ASSERT_TRUE(policy.has_value()) << policy.error().ToString();
  NodeVerifier v(
      *policy, {{"n\"1", "c", sim.key.public_key(), "sim"}},
      [&](const EnrolledNode&, ByteView nonce) { return sim.Quote(nonce); }, nullptr);
  std::string m = v.MetricsText();
  EXPECT_NE(m.find("rampart_node_attested{node=\"n\\\"1\",class=\"c\"} 0\n"), std::string::npos)
      << m;
  EXPECT_EQ(m.find("rampart_node_last_poll_timestamp_seconds{"), std::string::npos) << m;
}

}  // namespace
}  // namespace rampart::attest::tpm
