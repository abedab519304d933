#include "attest/tpm/golden.h"

#include <gtest/gtest.h>

#include "attest/tpm/node_verify.h"
#include "synthetic.h"
#include "testing/testing.h"

namespace rampart::attest::tpm {
namespace {

std::string D(std::string_view s) { return "sha256:" + synthetic::Sha256Hex(s); }

BootFacts Facts(const synthetic::BootSpec& spec) {
  synthetic::EventLogBuilder b;
  synthetic::WriteBoot(spec, &b);
  auto log = ParseEventLog(b.bytes());
  EXPECT_TRUE(log.has_value());
  return ExtractBootFacts(*log);
}

TEST(TpmGolden, PolicyErrorsNameFileLineAndColumn) {
  auto p = ParseNodePolicy("version: 1\nclasses:\n  gpu:\n    kernal: []\n", "nodes.yaml");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().message(), "nodes.yaml:4:5: unknown key \"kernal\" in class gpu");
  p = ParseNodePolicy("version: 1\nclasses:\n  gpu:\n    kernel: [sha256:abc]\n", "n.yaml");
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().message().find("n.yaml:4:14: kernel: \"sha256:abc\" is not a digest"),
            std::string::npos)
      << p.error().message();
  p = ParseNodePolicy("classes: {gpu: {}}\n", "n.yaml");
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().message().find("missing \"version: 1\""), std::string::npos);
  p = ParseNodePolicy("version: 1\nclasses:\n  gpu:\n    secure_boot: yes please\n", "n.yaml");
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().message().find("secure_boot must be"), std::string::npos);
}

TEST(TpmGolden, DriftIsNamedWhatDrifted) {
  synthetic::BootSpec spec;
  std::string text =
      "version: 1\nclasses:\n  gpu-training:\n    secure_boot: required\n"
      "    kernel: [" +
      D(spec.kernel) +
      "]\n"
      "    initrd: [" +
      D(spec.initrd) +
      "]\n"
      "    kernel_cmdline: [\"" +
      spec.cmdline +
      "\"]\n"
      "    boot_applications: [" +
      D(spec.shim) + ", " + D(spec.grub) +
      "]\n"
      "    files:\n      /usr/bin/vllm: [" +
      D("vllm 0.6") + "]\n";
  auto p = ParseNodePolicy(text, "n.yaml");
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  const NodeClass& c = p->classes.at("gpu-training");

  auto ima_text = synthetic::MakeImaLine("/usr/bin/vllm", "vllm 0.6").line;
  auto ima = ParseImaAscii(ima_text);
  ASSERT_TRUE(ima.has_value());
  EXPECT_TRUE(CheckGoldenValues(c, Facts(spec), &*ima).empty());

  synthetic::BootSpec drifted = spec;
  drifted.secure_boot = false;
  drifted.grub = "grub 2.12 rebuilt";
  drifted.cmdline += " init=/bin/sh";
  auto drifts = CheckGoldenValues(c, Facts(drifted), nullptr);
  std::vector<std::string> what;
  for (const auto& d : drifts) what.push_back(d.what);
  EXPECT_EQ(what, (std::vector<std::string>{"secure_boot", "boot_application", "kernel_cmdline",
                                            "files:/usr/bin/vllm"}));
  EXPECT_EQ(drifts[0].message, "secure_boot: disabled, class gpu-training requires it");
  EXPECT_EQ(drifts[1].message, "boot_application: digest " + D(drifted.grub) +
                                   " not in golden values for class gpu-training");
  EXPECT_EQ(drifts[3].message,
            "files:/usr/bin/vllm: not measured by IMA (no IMA list given), class gpu-training "
            "lists it");

  // A log without a kernel measurement when the class pins one.
  synthetic::EventLogBuilder b;
  b.Add(4, kEvEfiBootServicesApplication, "x");
  auto log = ParseEventLog(b.bytes());
  ASSERT_TRUE(log.has_value());
  drifts = CheckGoldenValues(c, ExtractBootFacts(*log), &*ima);
  bool kernel_missing = false;
  for (const auto& d : drifts)
    kernel_missing |=
        d.message == "kernel: not measured in the event log, class gpu-training lists it";
  EXPECT_TRUE(kernel_missing);
}

TEST(TpmGolden, TheExamplePolicyAcceptsTheSyntheticBoot) {
  auto p = LoadNodePolicy((rampart::testing::SourceDir() / "examples/nodes/nodes.yaml").string());
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  ASSERT_EQ(p->classes.size(), 2u);
  std::string text =
      synthetic::MakeImaLine("/usr/bin/vllm", "vllm 0.6").line +
      synthetic::MakeImaLine("/lib/modules/6.1.0/kernel/drivers/video/nvidia.ko", "nvidia 550.54")
          .line;
  auto ima = ParseImaAscii(text);
  ASSERT_TRUE(ima.has_value());
  auto drifts = CheckGoldenValues(p->classes.at("gpu-training"), Facts({}), &*ima);
  for (const auto& d : drifts) ADD_FAILURE() << d.message;
}

TEST(TpmGolden, AkAttributesMustMakeARestrictedSigningKey) {
  Public p;
  p.attributes =
      kAttrFixedTpm | kAttrFixedParent | kAttrSensitiveDataOrigin | kAttrRestricted | kAttrSign;
  EXPECT_TRUE(CheckAkAttributes(p).ok());
  p.attributes &= ~kAttrFixedTpm;
  EXPECT_EQ(CheckAkAttributes(p).message(),
            "enroll.ak_attributes: the AK lacks fixedTPM: not a restricted signing key bound to "
            "its TPM");
  p.attributes |= kAttrFixedTpm | kAttrDecrypt;
  EXPECT_NE(CheckAkAttributes(p).message().find("has decrypt set"), std::string::npos);
}

}  // namespace
}  // namespace rampart::attest::tpm
