// NVIDIA Hopper: nvtrust's sample report verifies (device chain, P-384
// signature, nonce) against NVIDIA's device root; its RIMs verify against the
// RIM root (XML signature, C14N 1.1); the sample RIMs are for other VBIOS
// versions than the sample report's, and the verifier says so.
#include "attest/nvidia.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "attest/x509_util.h"
#include "core/encoding.h"
#include "core/file.h"
#include "testing/testing.h"

namespace rampart::attest {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = "../shared/testdata/attest/nvidia-nvtrust";
const char* kRim5E = "samples/1010_0200_882_96005E0001_PROD.swidtag";
const char* kRim74 = "samples/g520_0200_885_9600740001_PROD.swidtag";

std::chrono::system_clock::time_point At(int year) {
  return std::chrono::sys_days(std::chrono::year(year) / 1 / 1);
}

class NvidiaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(fs::exists(kDir / "samples/hopperAttestationReport.txt"),
                  "../shared/testdata/attest/nvidia-nvtrust");
    auto text = ReadFile(kDir / "samples/hopperAttestationReport.txt");
    ASSERT_TRUE(text.has_value());
    evidence_.assign(text->begin(), text->end());
    auto bytes = NvidiaReportBytes(evidence_);
    ASSERT_TRUE(bytes.has_value());
    report_ = *bytes;
    auto roots = NvidiaRootsFromPem(*ReadFile(kDir / "verifier_device_root.pem"),
                                    *ReadFile(kDir / "verifier_RIM_root.pem"));
    ASSERT_TRUE(roots.has_value()) << roots.error().message();
    roots_ = *roots;
    col_ = tmp_.path() / "collateral";
    fs::create_directories(col_);
    fs::copy_file(kDir / "samples/hopperCertChain.txt", col_ / "gpu_cert_chain.pem");
    opts_.now = At(2024);
    opts_.collateral_dir = col_;
  }
  Result<Claims> Run(const std::vector<std::uint8_t>& ev) {
    return MakeNvidiaVerifier(roots_)->Verify(ev, opts_);
  }
  void ExpectRefused(const std::vector<std::uint8_t>& ev, StatusCode code, std::string_view what) {
    auto c = Run(ev);
    ASSERT_FALSE(c.has_value()) << "accepted; expected: " << what;
    EXPECT_EQ(c.error().code(), code) << c.error().message();
    EXPECT_NE(c.error().message().find(what), std::string::npos) << c.error().message();
  }
  testing::TempDir tmp_;
  fs::path col_;
  std::vector<std::uint8_t> evidence_, report_;
  NvidiaRoots roots_;
  VerifyOptions opts_;
};

TEST_F(NvidiaTest, ReportParses) {
  auto r = ParseNvidiaReport(report_);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(report_.size(), 4117u);
  EXPECT_EQ(HexEncode(r->nonce),
            "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb");
  EXPECT_EQ(r->measurements.size(), 64u);
  EXPECT_EQ(HexEncode(r->measurements.at(2)),
            "8048dfd18fe229bf16eb9d30cca0f11a24dafe6eb731de1462984645a0b189b7"
            "7c4e4e17de727a5e19e3d07de51da338");
  EXPECT_EQ(r->driver_version(), "550.90.07");
  EXPECT_EQ(r->vbios_version(), "96.00.9F.00.01");
}

TEST_F(NvidiaTest, SignatureChainAndNonceVerifyThenTheRimIsMissing) {
  // No RIM for the report's driver: every check before the RIMs passed.
  opts_.expected_report_data =
      HexDecode("931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb").value();
  ExpectRefused(evidence_, StatusCode::kPermissionDenied,
                "no driver RIM for driver version 550.90.07");
  // The binary form is the same evidence.
  ExpectRefused(report_, StatusCode::kPermissionDenied, "no driver RIM");
  // With the sample RIMs (VBIOS 96.00.5E and 96.00.74): still none for 96.00.9F.
  fs::copy_file(kDir / kRim5E, col_ / "vbios5e.swidtag");
  fs::copy_file(kDir / kRim74, col_ / "vbios74.swidtag");
  ExpectRefused(report_, StatusCode::kPermissionDenied, "no driver RIM");
}

TEST_F(NvidiaTest, WrongNonceIsRefused) {
  auto nonce =
      HexDecode("931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcc").value();
  opts_.expected_report_data = nonce;
  ExpectRefused(report_, StatusCode::kPermissionDenied, "report data does not match the nonce");
}

TEST_F(NvidiaTest, FlippedBytesAreRefused) {
  auto ev = report_;
  ev[ev.size() - 10] ^= 1;  // signature
  ExpectRefused(ev, StatusCode::kPermissionDenied, "report signature");
  ev = report_;
  ev[37 + 8 + 7 + 48 + 7 + 3] ^= 1;  // measurement 2
  ExpectRefused(ev, StatusCode::kPermissionDenied, "report signature");
  ev = report_;
  ev[10] ^= 1;  // the nonce
  ExpectRefused(ev, StatusCode::kPermissionDenied, "report signature");
}

TEST_F(NvidiaTest, TruncatedTrailingAndWrongVersionAreRefused) {
  auto ev = report_;
  ev.pop_back();
  ExpectRefused(ev, StatusCode::kInvalidArgument, "truncated");
  ev = report_;
  ev.push_back(0);
  ExpectRefused(ev, StatusCode::kInvalidArgument, "trailing bytes");
  ev = report_;
  ev[0] = 0x12;
  ExpectRefused(ev, StatusCode::kInvalidArgument, "SPDM version 1.2");
  ev.resize(20);
  ExpectRefused(ev, StatusCode::kInvalidArgument, "truncated");
}

TEST_F(NvidiaTest, ChainProblemsAreRefused) {
  auto chain = crypto::Certificate::ChainFromPem(*ReadFile(col_ / "gpu_cert_chain.pem"));
  ASSERT_TRUE(chain.has_value());
  std::string swapped = (*chain)[1].ToPem() + (*chain)[0].ToPem();
  for (std::size_t i = 2; i < chain->size(); ++i) swapped += (*chain)[i].ToPem();
  fs::remove(col_ / "gpu_cert_chain.pem");
  ASSERT_TRUE(WriteFileAtomic(col_ / "gpu_cert_chain.pem", swapped).ok());
  ExpectRefused(report_, StatusCode::kPermissionDenied, "GPU certificate chain: out of order");
  // The RIM root is not the device root.
  fs::remove(col_ / "gpu_cert_chain.pem");
  fs::copy_file(kDir / "samples/hopperCertChain.txt", col_ / "gpu_cert_chain.pem");
  roots_.device_roots = roots_.rim_roots;
  ExpectRefused(report_, StatusCode::kPermissionDenied, "GPU certificate chain");
  // Before the chain's first notBefore (2020 for the device certificates... the
  // provisioner's ICA is from 2021/2022).
  roots_ = *NvidiaRootsFromPem(*ReadFile(kDir / "verifier_device_root.pem"),
                               *ReadFile(kDir / "verifier_RIM_root.pem"));
  opts_.now = At(2019);
  ExpectRefused(report_, StatusCode::kPermissionDenied, "not yet valid");
}

TEST_F(NvidiaTest, RimsVerifyAgainstTheRimRoot) {
  for (const char* f : {kRim5E, kRim74}) {
    auto rim = VerifyRim(*ReadFile(kDir / f), roots_.rim_roots, At(2024));
    ASSERT_TRUE(rim.has_value()) << f << ": " << rim.error().message();
    EXPECT_EQ(rim->edition, "GPU");
    EXPECT_EQ(rim->measurements.size(), 64u);
  }
  auto rim = VerifyRim(*ReadFile(kDir / kRim5E), roots_.rim_roots, At(2024));
  EXPECT_EQ(rim->colloquial_version, "96.00.5E.00.01");
  EXPECT_EQ(HexEncode(rim->measurements.at(1).alternatives.at(0)),
            "c3f65ef79a19c029868cd7ce54b10e44f192444edb3506dde29cef2aac4e916c"
            "90a4f438e55aa7581a9e384c74d82db6");
}

TEST_F(NvidiaTest, TamperedRimIsRefused) {
  std::string xml = *ReadFile(kDir / kRim5E);
  std::string tampered = xml;
  auto pos = tampered.find("c3f65ef79a19c029");
  ASSERT_NE(pos, std::string::npos);
  tampered[pos] = 'd';
  auto rim = VerifyRim(tampered, roots_.rim_roots, At(2024));
  ASSERT_FALSE(rim.has_value());
  EXPECT_NE(rim.error().message().find("document digest does not match"), std::string::npos)
      << rim.error().message();
  // A RIM signed under another root; a RIM whose signer has expired.
  rim = VerifyRim(xml, roots_.device_roots, At(2024));
  ASSERT_FALSE(rim.has_value());
  EXPECT_NE(rim.error().message().find("RIM signing chain"), std::string::npos);
  rim = VerifyRim(xml, roots_.rim_roots, At(2026));  // the signer's notAfter is 2025-06-22
  ASSERT_FALSE(rim.has_value());
  EXPECT_NE(rim.error().message().find("expired"), std::string::npos) << rim.error().message();
  // A flipped byte of the signature value.
  tampered = xml;
  pos = tampered.find("<ds:SignatureValue>");
  ASSERT_NE(pos, std::string::npos);
  pos += std::string("<ds:SignatureValue>").size();
  while (std::isspace(static_cast<unsigned char>(tampered[pos]))) ++pos;
  tampered[pos] = tampered[pos] == 'A' ? 'B' : 'A';
  rim = VerifyRim(tampered, roots_.rim_roots, At(2024));
  ASSERT_FALSE(rim.has_value());
  EXPECT_NE(rim.error().message().find("signature does not verify"), std::string::npos)
      << rim.error().message();
  // A comment is not canonical content: the signature still holds.
  tampered = xml;
  pos = tampered.find("<ds:DigestValue>");
  tampered.insert(pos, "<!-- -->");
  rim = VerifyRim(tampered, roots_.rim_roots, At(2024));
  EXPECT_TRUE(rim.has_value()) << rim.error().message();
}

TEST_F(NvidiaTest, MeasurementsCompareWithRims) {
  auto r = ParseNvidiaReport(report_);
  ASSERT_TRUE(r.has_value());
  // A RIM built from the report's own values matches; the sample VBIOS RIM
  // (another VBIOS version) does not.
  Rim own;
  for (const auto& [idx, m] : r->measurements) own.measurements[idx - 1] = {true, {m}};
  EXPECT_TRUE(CompareMeasurements(*r, {&own}).ok());
  own.measurements[5].alternatives = {std::vector<std::uint8_t>(48, 0xaa), r->measurements.at(6)};
  EXPECT_TRUE(CompareMeasurements(*r, {&own}).ok());  // any alternative
  own.measurements[5].alternatives = {std::vector<std::uint8_t>(48, 0xaa)};
  Status st = CompareMeasurements(*r, {&own});
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(st.message().find("measurement 5"), std::string::npos) << st.message();
  own.measurements[5].active = false;  // inactive: not compared
  EXPECT_TRUE(CompareMeasurements(*r, {&own}).ok());
  Rim twice = own;
  EXPECT_FALSE(CompareMeasurements(*r, {&own, &twice}).ok());
  auto vbios = VerifyRim(*ReadFile(kDir / kRim5E), roots_.rim_roots, At(2024));
  ASSERT_TRUE(vbios.has_value());
  EXPECT_FALSE(CompareMeasurements(*r, {&*vbios}).ok());
}

// How far the sample VBIOS RIMs are from the report (VBIOS 96.00.9F.00.01):
// the proof, in numbers, that the shared data cannot verify the GPU's
// measurements (docs/design/attest-verifiers.md).
TEST_F(NvidiaTest, SampleVbiosRimsDifferFromTheReport) {
  auto r = ParseNvidiaReport(report_);
  ASSERT_TRUE(r.has_value());
  for (const char* f : {kRim5E, kRim74}) {
    auto rim = VerifyRim(*ReadFile(kDir / f), roots_.rim_roots, At(2024));
    ASSERT_TRUE(rim.has_value()) << f;
    int active = 0, same = 0;
    std::vector<int> differ;
    for (const auto& [idx, m] : rim->measurements) {
      if (!m.active) continue;
      ++active;
      auto it = r->measurements.find(idx + 1);
      bool eq = it != r->measurements.end() &&
                std::find(m.alternatives.begin(), m.alternatives.end(), it->second) !=
                    m.alternatives.end();
      if (eq) {
        ++same;
      } else {
        differ.push_back(idx);
      }
    }
    std::string list;
    for (int d : differ) list += (list.empty() ? "" : ",") + std::to_string(d);
    // 12 active indices; the report equals 8 of them and differs at 4.
    EXPECT_EQ(active, 12) << f;
    EXPECT_EQ(same, 8) << f;
    EXPECT_EQ(list, "1,2,9,11") << f;
  }
}

}  // namespace
}  // namespace rampart::attest
