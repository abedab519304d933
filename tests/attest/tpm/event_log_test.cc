#include "attest/tpm/event_log.h"

#include <gtest/gtest.h>

#include "attest/tpm/ima_log.h"
#include "synthetic.h"

namespace rampart::attest::tpm {
namespace {

using synthetic::EventLogBuilder;

// The PCR values a TPM would hold after extending `b.extends()`.
PcrBank Extend(const EventLogBuilder& b) {
  PcrBank bank;
  for (int i = 0; i < 24; ++i) bank[i] = Bytes(32, 0);
  for (const auto& [pcr, d] : b.extends()) {
    Bytes buf = bank[static_cast<int>(pcr)];
    synthetic::Append(&buf, d);
    bank[static_cast<int>(pcr)] = TpmDigest(kAlgSha256, buf);
  }
  return bank;
}

TEST(TpmEventLog, ReplaysToTheExtendedPcrsAndNamesWhatBooted) {
  EventLogBuilder b({kAlgSha1, kAlgSha256});
  synthetic::BootSpec spec;
  synthetic::WriteBoot(spec, &b);
  auto log = ParseEventLog(b.bytes());
  ASSERT_TRUE(log.has_value()) << log.error().ToString();
  EXPECT_EQ(log->algorithms.size(), 2u);
  PcrValues v = ReplayEventLog(*log);
  ASSERT_TRUE(v.contains(kAlgSha1));
  EXPECT_EQ(v.at(kAlgSha256), Extend(b));

  BootFacts f = ExtractBootFacts(*log);
  EXPECT_EQ(f.firmware_version, "RAMPART-FW 1.0");
  ASSERT_EQ(f.firmware.size(), 1u);
  EXPECT_EQ(f.firmware[0].digest, "sha256:" + synthetic::Sha256Hex(spec.firmware_blob));
  ASSERT_EQ(f.boot_applications.size(), 2u);
  EXPECT_EQ(f.boot_applications[1].digest, "sha256:" + synthetic::Sha256Hex(spec.grub));
  ASSERT_TRUE(f.secure_boot.has_value());
  EXPECT_TRUE(*f.secure_boot);
  EXPECT_EQ(f.secure_boot_vars.size(), 4u);
  ASSERT_TRUE(f.kernel.has_value());
  EXPECT_EQ(f.kernel->what, spec.kernel_path);
  EXPECT_EQ(f.kernel->digest, "sha256:" + synthetic::Sha256Hex(spec.kernel));
  ASSERT_TRUE(f.initrd.has_value());
  EXPECT_EQ(f.kernel_cmdline.value_or(""), spec.cmdline);
}

TEST(TpmEventLog, SecureBootOffIsSeen) {
  EventLogBuilder b;
  synthetic::BootSpec spec;
  spec.secure_boot = false;
  synthetic::WriteBoot(spec, &b);
  auto log = ParseEventLog(b.bytes());
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(ExtractBootFacts(*log).secure_boot, std::optional<bool>(false));
}

TEST(TpmEventLog, StartupLocalitySetsPcr0) {
  EventLogBuilder b;
  Bytes loc(std::begin("StartupLocality"), std::end("StartupLocality"));  // 16 with NUL
  loc.push_back(3);
  b.Add(0, kEvNoAction, loc);
  auto log = ParseEventLog(b.bytes());
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(log->startup_locality, 3);
  EXPECT_EQ(ReplayEventLog(*log).at(kAlgSha256).at(0).back(), 3);
}

TEST(TpmEventLog, TruncatedAtEveryLengthIsARefusalNeverACrash) {
  EventLogBuilder b;
  synthetic::WriteBoot({}, &b);
  const Bytes& all = b.bytes();
  int refused = 0;
  for (std::size_t n = 0; n < all.size(); ++n) {
    auto r = ParseEventLog(ByteView(all.data(), n));
    if (!r.has_value()) ++refused;
  }
  // Only cuts at record boundaries parse (a shorter log is well formed; the
  // quote catches it).
  EXPECT_GT(refused, static_cast<int>(all.size()) - 30);
}

TEST(TpmEventLog, LyingSizesAndCountsAreRefusedByName) {
  EventLogBuilder b;
  b.Add(4, kEvEfiBootServicesApplication, "x");
  Bytes good = b.bytes();
  std::size_t ev = good.size() - (4 + 4 + 4 + 2 + 32 + 4 + 1);  // the one event record

  // Digest count 1000000000: refused by the Spec ID's bank count.
  Bytes bad = good;
  bad[ev + 8] = 0x00;
  bad[ev + 9] = 0xca;
  bad[ev + 10] = 0x9a;
  bad[ev + 11] = 0x3b;
  auto r = ParseEventLog(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("event_log.digests: 1000000000 digests, the Spec ID event "
                                     "declares 1"),
            std::string::npos)
      << r.error().message();

  // An event size beyond the log.
  bad = good;
  bad[bad.size() - 2] = 0xff;
  r = ParseEventLog(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("event_log.eventSize"), std::string::npos);

  // A digest of an algorithm the Spec ID event does not declare.
  bad = good;
  bad[ev + 12] = 0x0c;  // sha384
  r = ParseEventLog(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("sha384 is not declared"), std::string::npos);

  // A Spec ID event that lies about SHA-256's digest size.
  bad = good;
  // header: 4+4+20+4, then 16 sig + 4 + 4 bytes + 4 count + alg(2): size at 32+28+2
  bad[32 + 28 + 2] = 20;
  r = ParseEventLog(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("sha256 declared with 20 bytes, it has 32"), std::string::npos)
      << r.error().message();

  // Not a crypto-agile log.
  bad = good;
  bad[32] = 'X';
  r = ParseEventLog(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("not a crypto-agile log"), std::string::npos);
}

TEST(TpmEventLog, UnknownEventTypesReplayButNameNothing) {
  EventLogBuilder b;
  b.Add(5, 0x7777, "vendor event");
  auto log = ParseEventLog(b.bytes());
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(EventTypeName(0x7777), "0x00007777");
  EXPECT_EQ(ReplayEventLog(*log).at(kAlgSha256).at(5), Extend(b).at(5));
}

TEST(TpmEventLog, TooManyEventsIsALimit) {
  EventLogBuilder b;
  for (int i = 0; i < 10; ++i) b.Add(1, kEvPostCode, "e");
  EventLogLimits limits;
  limits.max_events = 5;
  auto r = ParseEventLog(b.bytes(), limits);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kResourceExhausted);
}

TEST(TpmImaLog, AsciiAndBinaryReplayIntoPcr10) {
  std::string text;
  PcrBank expect;
  Bytes pcr(32, 0);
  Bytes binary;
  for (auto [path, content] : {std::pair{"/usr/bin/vllm", "serving"},
                               std::pair{"/lib/modules/6.1.0/nvidia.ko", "driver 550"}}) {
    auto l = synthetic::MakeImaLine(path, content);
    text += l.line;
    Bytes buf = pcr;
    synthetic::Append(&buf, l.sha256_extend);
    pcr = TpmDigest(kAlgSha256, buf);
  }
  auto log = ParseImaLog(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  ASSERT_TRUE(log.has_value()) << log.error().ToString();
  ASSERT_EQ(log->entries.size(), 2u);
  EXPECT_EQ(log->entries[1].path, "/lib/modules/6.1.0/nvidia.ko");
  EXPECT_EQ(log->entries[1].file_digest, "sha256:" + synthetic::Sha256Hex("driver 550"));
  PcrValues v;
  v[kAlgSha256];
  ReplayImaLog(*log, &v);
  EXPECT_EQ(v[kAlgSha256][10], pcr);

  // The same list in binary form.
  for (const auto& e : log->entries) {
    synthetic::Le32(&binary, 10);
    synthetic::Append(&binary, e.template_hash);
    synthetic::Le32(&binary, 6);
    synthetic::Append(&binary, std::string_view("ima-ng"));
    synthetic::Le32(&binary, static_cast<std::uint32_t>(e.template_data.size()));
    synthetic::Append(&binary, e.template_data);
  }
  auto bin = ParseImaLog(binary);
  ASSERT_TRUE(bin.has_value()) << bin.error().ToString();
  EXPECT_TRUE(bin->binary);
  EXPECT_EQ(bin->entries[0].path, "/usr/bin/vllm");
  PcrValues w;
  w[kAlgSha256];
  ReplayImaLog(*bin, &w);
  EXPECT_EQ(w[kAlgSha256][10], pcr);

  // Binary: a huge template data length.
  Bytes bad = binary;
  bad[4 + 20 + 4 + 6 + 3] = 0x7f;
  auto r = ParseImaLog(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("ima.template_data.length at offset 34"), std::string::npos)
      << r.error().message();
}

TEST(TpmImaLog, AsciiLinesThatLieAreRefusedByLine) {
  auto l = synthetic::MakeImaLine("/usr/bin/vllm", "serving");
  std::string text = l.line;
  // The file digest changed after measurement: the template hash disagrees.
  std::string forged = text;
  forged[forged.find("sha256:") + 7] = forged[forged.find("sha256:") + 7] == 'a' ? 'b' : 'a';
  auto r = ParseImaAscii(forged);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(),
            "ima.line 1: template hash does not match the line's digest and path");
  r = ParseImaAscii(text + "10 abc ima-ng\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("ima.line 2: fewer than five fields"), std::string::npos);
  r = ParseImaAscii("11" + text.substr(2));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("PCR 11"), std::string::npos);
}

}  // namespace
}  // namespace rampart::attest::tpm
