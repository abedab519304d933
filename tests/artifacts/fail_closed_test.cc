// The scanner fails closed: every file and every container member ends
// inspected or with a finding that says why it was not, at a severity that
// fails the default --fail-on (high). Archives are written at test time
// (archive_maker.h): 7z, rar, encrypted, corrupt, nested, lying names, bombs.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "archive_maker.h"
#include "artifacts/report.h"
#include "artifacts/scanner.h"
#include "testing/testing.h"

namespace rampart::artifacts {
namespace {

using namespace std::string_literals;
using testing::kAes7zCoder;
using testing::MakeArchive;
using testing::Member;

// os.system('id') by REDUCE, protocol 2, as pickle.dumps writes it on Linux.
const std::string kPayload =
    "\x80\x02"
    "cposix\nsystem\nX\x02\x00\x00\x00id\x85R."s;
// Protocol 0, no PROTO: imports builtins.exec, then a BINUNICODE whose length
// runs past the end of the bytes.
const std::string kTruncatedExec = "cbuiltins\nexec\n(X\x00\x10\x00\x00import os"s;

std::string Dump(const FileReport& r) {
  std::string s =
      "format=" + r.format + " coverage=" + std::string(CoverageName(r.coverage)) + "\n";
  if (r.error) s += "error: " + r.error->message() + "\n";
  for (const auto& f : r.findings) {
    s += "  " + f.Location() + " " + std::string(SeverityName(f.severity)) + " " + f.rule + " " +
         f.symbol + " | " + f.message + "\n";
  }
  return s;
}

std::string Inner(const Finding& f) {
  std::string s;
  for (const auto& m : f.inner) s += (s.empty() ? "" : "!") + m;
  return s;
}

// The first finding with `rule` (and `symbol`, and member path `inner`, if given).
const Finding* Find(const FileReport& r, std::string_view rule, std::string_view symbol = "",
                    std::optional<std::string> inner = std::nullopt) {
  for (const auto& f : r.findings) {
    if (f.rule != rule) continue;
    if (!symbol.empty() && f.symbol != symbol) continue;
    if (inner && Inner(f) != *inner) continue;
    return &f;
  }
  return nullptr;
}

// The worst severity in the report.
Severity Worst(const FileReport& r) {
  Severity s = Severity::kInfo;
  for (const auto& f : r.findings) s = std::max(s, f.severity);
  return s;
}

FileReport ScanOf(const std::string& bytes, ScanOptions o = {}) {
  Scanner s(o);
  return s.ScanBytes(bytes, "sample");
}

// ---- pickles without PROTO --------------------------------------------------

TEST(FailClosedTest, TruncatedProtocol0ExecPickleIsFlaggedAsImportAndTruncation) {
  auto r = ScanOf(kTruncatedExec);
  const Finding* exec = Find(r, "pickle.import", "builtins.exec");
  ASSERT_NE(exec, nullptr) << Dump(r);
  EXPECT_EQ(exec->severity, Severity::kCritical);
  EXPECT_EQ(exec->offset, 0u);
  const Finding* cut = Find(r, "scan.truncated");
  ASSERT_NE(cut, nullptr) << Dump(r);
  EXPECT_EQ(cut->severity, Severity::kHigh);
  EXPECT_EQ(r.format, "pickle");
  EXPECT_EQ(r.coverage, Coverage::kPartial);
}

TEST(FailClosedTest, EveryPickleStartGoesThroughThePickleMachine) {
  // Protocols 0-4 without PROTO, each starting with a different opcode.
  for (const std::string& s :
       {"cos\nsystem\n(S'id'\ntR."s, "(S'id'\nios\nsystem\n."s, "]cos\nsystem\n"s,
        "}(cos\nsystem\n"s, ")cos\nsystem\n"s, "N0cos\nsystem\n"s, "I7\n0cos\nsystem\n"s,
        "\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R."s,
        "\x95\x20\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x06system\x93)R."s}) {
    SCOPED_TRACE(s);
    auto r = ScanOf(s);
    const Finding* f = Find(r, "pickle.import", "os.system");
    ASSERT_NE(f, nullptr) << Dump(r);
    EXPECT_EQ(f->severity, Severity::kCritical);
    EXPECT_EQ(r.format, "pickle");
  }
}

// ---- inert, unrecognized, polyglots -----------------------------------------

TEST(FailClosedTest, UnrecognizedBytesAreAHighFindingInertOnesAreSkipped) {
  auto bin = ScanOf("\x01\x02\x03\x04garbage\xff\xfe"s);
  const Finding* u = Find(bin, "scan.unrecognized");
  ASSERT_NE(u, nullptr) << Dump(bin);
  EXPECT_EQ(u->severity, Severity::kHigh);
  EXPECT_NE(u->message.find("0102030467617262"), std::string::npos) << u->message;
  EXPECT_EQ(bin.coverage, Coverage::kNone);
  EXPECT_EQ(bin.format, "unknown");
  struct Case {
    std::string bytes, kind;
  };
  for (const auto& c :
       std::vector<Case>{{"# model card\nweights are safetensors\n", "text"},
                         {"{\"hidden_size\": 768, \"name\": \"caf\xc3\xa9\"}\n", "text"},
                         {"copyright (c) 2024\nall rights reserved\n", "text"},
                         {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"s, "png"},
                         {"\xff\xd8\xff\xe0\0\x10JFIF"s, "jpeg"},
                         {"", "empty"}}) {
    SCOPED_TRACE(c.kind);
    auto r = ScanOf(c.bytes);
    const Finding* s = Find(r, "scan.skipped");
    ASSERT_NE(s, nullptr) << Dump(r);
    EXPECT_EQ(s->severity, Severity::kInfo);
    EXPECT_EQ(r.format, c.kind);
    EXPECT_EQ(r.coverage, Coverage::kSkipped);
    EXPECT_EQ(Worst(r), Severity::kInfo) << Dump(r);
  }
}

TEST(FailClosedTest, TextWithAZipAfterItIsOpenedAsLoadersDo) {
  std::string zip = MakeArchive("zip", {{"model.pkl", kPayload}});
  ASSERT_FALSE(zip.empty());
  // Prepended without fixing offsets (Python's zipfile still opens it).
  std::string text(100 << 10, 'a');
  auto r = ScanOf(text + zip);
  EXPECT_NE(Find(r, "zip.prepended-data"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, "pickle.import", "posix.system", "model.pkl"), nullptr) << Dump(r);
  // Small enough to be read whole.
  auto small = ScanOf("readme\n" + zip);
  EXPECT_NE(Find(small, "pickle.import", "posix.system", "model.pkl"), nullptr) << Dump(small);
  // The same polyglot as a member of a tar: reported, never skipped as text.
  std::string tar = MakeArchive("pax", {{"notes.txt", text + zip}});
  auto t = ScanOf(tar);
  const Finding* u = Find(t, "scan.unrecognized", "", "notes.txt");
  ASSERT_NE(u, nullptr) << Dump(t);
  EXPECT_EQ(Find(t, "scan.skipped"), nullptr) << Dump(t);
}

// ---- 7z and rar ---------------------------------------------------------------

TEST(FailClosedTest, SevenZipMembersAreScannedWhateverTheCompression) {
  for (const char* opts :
       {"", "7zip:compression=copy", "7zip:compression=lzma2", "7zip:compression=bzip2",
        "7zip:compression=deflate", "7zip:compression=ppmd"}) {
    SCOPED_TRACE(opts);
    std::string a = MakeArchive("7zip", {{"weights/model.bin", kPayload}}, "", opts);
    ASSERT_FALSE(a.empty());
    auto r = ScanOf(a);
    EXPECT_EQ(r.format, "7z");
    const Finding* f = Find(r, "pickle.import", "posix.system", "weights/model.bin");
    ASSERT_NE(f, nullptr) << Dump(r);
    EXPECT_EQ(f->severity, Severity::kCritical);
    EXPECT_EQ(r.coverage, Coverage::kFull) << Dump(r);
  }
}

TEST(FailClosedTest, SevenZipHoldingATruncatedProtocol0PickleIsFlagged) {
  std::string a = MakeArchive("7zip", {{"notes.txt", kTruncatedExec}, {"ok.json", "{}"}});
  ASSERT_FALSE(a.empty());
  auto r = ScanOf(a);
  EXPECT_NE(Find(r, "pickle.import", "builtins.exec", "notes.txt"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, "scan.truncated", "", "notes.txt"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, "scan.skipped", "", "ok.json"), nullptr) << Dump(r);
  auto text = FormatText({r}, ReportOptions{});
  EXPECT_EQ(text.find("no findings"), std::string::npos) << text;
}

TEST(FailClosedTest, RarMembersAreScanned) {
  auto r = ScanOf(testing::Rar4("checkpoint.ckpt", kPayload));
  EXPECT_EQ(r.format, "rar");
  EXPECT_NE(Find(r, "pickle.import", "posix.system", "checkpoint.ckpt"), nullptr) << Dump(r);
}

// ---- encrypted ------------------------------------------------------------------

TEST(FailClosedTest, EncryptedMembersAreHighFindingsNamingTheMember) {
  for (const char* how : {"zip:encryption=zipcrypt", "zip:encryption=aes256"}) {
    SCOPED_TRACE(how);
    std::string a = MakeArchive("zip", {{"secret/model.pkl", kPayload}}, "", how, "hunter2");
    ASSERT_FALSE(a.empty());
    auto r = ScanOf(a);
    const Finding* f = Find(r, "zip.encrypted", "", "secret/model.pkl");
    ASSERT_NE(f, nullptr) << Dump(r);
    EXPECT_EQ(f->severity, Severity::kHigh);
    EXPECT_EQ(r.coverage, Coverage::kPartial);
  }
  // A 7z member coded with AES (7z -p without -mhe).
  auto s = ScanOf(testing::SevenZipWithCoder("model.pkl", kPayload, kAes7zCoder));
  const Finding* e = Find(s, "archive.encrypted", "", "model.pkl");
  ASSERT_NE(e, nullptr) << Dump(s);
  EXPECT_EQ(e->severity, Severity::kHigh);
  EXPECT_EQ(s.coverage, Coverage::kPartial);
  // A 7z whose header is encrypted too (7z -mhe=on): not even the names.
  auto h = ScanOf(testing::SevenZipEncryptedHeader());
  const Finding* eh = Find(h, "archive.encrypted");
  ASSERT_NE(eh, nullptr) << Dump(h);
  EXPECT_NE(eh->message.find("no member could be inspected"), std::string::npos) << eh->message;
  EXPECT_NE(h.coverage, Coverage::kFull);
}

// ---- corrupt and truncated ---------------------------------------------------------

TEST(FailClosedTest, CorruptAndTruncatedArchivesAreNeverClean) {
  std::string big(200000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 3);
  std::vector<Member> members = {{"a.bin", big}, {"model.pkl", kPayload}};
  std::string tgz = MakeArchive("pax", members, "gzip");
  std::string txz = MakeArchive("pax", members, "xz");
  std::string sz = MakeArchive("7zip", members);
  std::string zip = MakeArchive("zip", members);
  ASSERT_FALSE(tgz.empty() || txz.empty() || sz.empty() || zip.empty());
  std::string flipped = tgz;
  for (std::size_t i = 100; i < 400; ++i) flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
  struct Case {
    std::string name, bytes;
  };
  std::vector<Case> cases = {
      {"tar.gz cut in half", tgz.substr(0, tgz.size() / 2)},
      {"tar.xz cut in half", txz.substr(0, txz.size() / 2)},
      {"tar.gz with corrupt deflate data", flipped},
      {"7z without its header", sz.substr(0, sz.size() - 40)},
      {"7z cut in its packed data", sz.substr(0, 1000)},
      {"zip cut in half", zip.substr(0, zip.size() / 2)},
      {"7z with an unknown coder",
       testing::SevenZipWithCoder("model.pkl", kPayload, "\x03\x7f\x7f\x7f"s)},
      {"gzip magic then garbage", "\x1f\x8b\x08\x00garbage garbage garbage"s},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = ScanOf(c.bytes);
    EXPECT_GE(Worst(r), Severity::kHigh) << Dump(r);
    EXPECT_NE(r.coverage, Coverage::kFull) << Dump(r);
    bool why = false;
    for (const auto& f : r.findings) {
      why |= IsCoverageRule(f.rule) && f.severity >= Severity::kHigh;
    }
    EXPECT_TRUE(why) << Dump(r);
    auto text = FormatText({r}, ReportOptions{});
    EXPECT_EQ(text.find("no findings"), std::string::npos) << text;
  }
}

// ---- nesting and names that lie ------------------------------------------------------

TEST(FailClosedTest, NestedArchivesAreFollowedToTheirLastMember) {
  std::string zip = MakeArchive("zip", {{"model.pkl", kPayload}});
  std::string rar = testing::Rar4("deep.pt", kTruncatedExec);
  std::string sz = MakeArchive("7zip", {{"inner.zip", zip}, {"more.rar", rar}});
  std::string tgz = MakeArchive("pax", {{"release/bundle.7z", sz}}, "gzip");
  ASSERT_FALSE(zip.empty() || sz.empty() || tgz.empty());
  auto r = ScanOf(tgz);
  EXPECT_NE(Find(r, "pickle.import", "posix.system", "release/bundle.7z!inner.zip!model.pkl"s),
            nullptr)
      << Dump(r);
  EXPECT_NE(Find(r, "pickle.import", "builtins.exec", "release/bundle.7z!more.rar!deep.pt"s),
            nullptr)
      << Dump(r);
  EXPECT_NE(Find(r, "scan.truncated", "", "release/bundle.7z!more.rar!deep.pt"s), nullptr)
      << Dump(r);
  // Past the depth limit: a finding, not silence.
  ScanOptions o;
  o.limits.max_depth = 2;
  auto shallow = ScanOf(tgz, o);
  EXPECT_NE(Find(shallow, "archive.nesting"), nullptr) << Dump(shallow);
  EXPECT_EQ(shallow.coverage, Coverage::kPartial);
}

TEST(FailClosedTest, MemberNamesThatLieDoNotMatter) {
  std::string torch = MakeArchive("zip", {{"archive/data.pkl", kPayload}});
  std::string sz = MakeArchive("7zip", {{"x.pkl", kPayload}});
  std::string tar =
      MakeArchive("gnutar", {{"README.md", kPayload},
                             {"logo.png", torch},
                             {"model.safetensors", sz},
                             {"config.json", kTruncatedExec},
                             {"weights.npy", "\x01\x02\x03\x04 binary that is no npy"s},
                             {"notes.txt", "plain text\n"}});
  ASSERT_FALSE(tar.empty());
  auto r = ScanOf(tar);
  EXPECT_NE(Find(r, "pickle.import", "posix.system", "README.md"s), nullptr) << Dump(r);
  EXPECT_NE(Find(r, "pickle.import", "posix.system", "logo.png!archive/data.pkl"s), nullptr)
      << Dump(r);
  EXPECT_NE(Find(r, "pickle.import", "posix.system", "model.safetensors!x.pkl"s), nullptr)
      << Dump(r);
  EXPECT_NE(Find(r, "pickle.import", "builtins.exec", "config.json"s), nullptr) << Dump(r);
  EXPECT_NE(Find(r, "scan.unrecognized", "", "weights.npy"s), nullptr) << Dump(r);
  EXPECT_NE(Find(r, "scan.skipped", "", "notes.txt"s), nullptr) << Dump(r);
}

TEST(FailClosedTest, ArchiveLinksOutsideTheArchiveAreHigh) {
  std::string tar = MakeArchive("pax", {{"model/weights.pkl", kPayload},
                                        {"outside.pkl", kPayload},
                                        {"model/latest.pkl", "", "weights.pkl"},
                                        {"model/passwd", "", "/etc/passwd"},
                                        {"model/up", "", "../../outside.pkl"}});
  ASSERT_FALSE(tar.empty());
  auto r = ScanOf(tar);
  const Finding* in = Find(r, "file.symlink", "", "model/latest.pkl");
  ASSERT_NE(in, nullptr) << Dump(r);
  EXPECT_EQ(in->severity, Severity::kInfo);
  for (const char* m : {"model/passwd", "model/up"}) {
    const Finding* out = Find(r, "file.symlink", "", m);
    ASSERT_NE(out, nullptr) << m << "\n" << Dump(r);
    EXPECT_EQ(out->severity, Severity::kHigh);
  }
}

// ---- bombs and limits ----------------------------------------------------------------

TEST(FailClosedTest, ZipBombsHitTheRatioAndSizeLimitsNamedInThePolicy) {
  auto policy = Policy::Parse(
      "limits:\n  max_ratio: 50\n  ratio_floor_bytes: 1048576\n"
      "  max_decompressed_bytes: 6291456\n",
      "limits.yaml", &Policy::Default());
  ASSERT_TRUE(policy) << policy.error().message();
  ScanOptions o = ScanOptions::ForPolicy(*policy);
  EXPECT_EQ(o.limits.max_ratio, 50.0);
  EXPECT_EQ(o.limits.max_decompressed, 6291456u);
  // Ratio: 4 MiB of zeros deflate to a few KiB.
  std::string zip = MakeArchive("zip", {{"zeros.bin", "", "", 4u << 20}});
  std::string tgz = MakeArchive("pax", {{"zeros.bin", "", "", 4u << 20}}, "gzip");
  std::string sz = MakeArchive("7zip", {{"zeros.bin", "", "", 4u << 20}});
  ASSERT_FALSE(zip.empty() || tgz.empty() || sz.empty());
  for (const auto* bytes : {&zip, &tgz, &sz}) {
    auto r = ScanOf(*bytes, o);
    const Finding* b = Find(r, "archive.bomb");
    ASSERT_NE(b, nullptr) << Dump(r);
    EXPECT_EQ(b->severity, Severity::kHigh);
    EXPECT_NE(b->message.find("ratio"), std::string::npos) << b->message;
    // The defaults let the same files through: the limit is what decided.
    EXPECT_EQ(Find(ScanOf(*bytes), "archive.bomb"), nullptr);
  }
  // Absolute size: members that together decompress past the budget, each
  // under the ratio limit (random-looking bytes barely compress).
  std::string noise(3u << 20, '\0');
  std::uint32_t x = 12345;
  for (auto& ch : noise) {
    x = x * 1103515245 + 12345;
    ch = static_cast<char>(x >> 24);
  }
  std::string many = MakeArchive("pax", {{"a", noise}, {"b", noise}, {"c", noise}}, "gzip");
  auto r = ScanOf(many, o);
  const Finding* b = Find(r, "archive.bomb");
  ASSERT_NE(b, nullptr) << Dump(r);
  EXPECT_NE(b->message.find("limits.max_decompressed_bytes"), std::string::npos) << b->message;
  EXPECT_EQ(r.coverage, Coverage::kPartial);
  // A zip member claiming more than the per-member limit is refused unread.
  auto claim = Policy::Parse("limits: {max_member_bytes: 1048576}", "m.yaml", &Policy::Default());
  ASSERT_TRUE(claim);
  auto c = ScanOf(zip, ScanOptions::ForPolicy(*claim));
  EXPECT_NE(Find(c, "archive.bomb", "", "zeros.bin"), nullptr) << Dump(c);
}

TEST(FailClosedTest, ThePolicyShipsEveryFailClosedRuleAtAFailingSeverity) {
  const Policy& p = Policy::Default();
  for (const char* rule : {"scan.unrecognized", "scan.unreadable", "scan.member-unreadable",
                           "scan.truncated", "archive.encrypted", "zip.encrypted", "archive.bomb",
                           "archive.nesting", "archive.entry-limit", "archive.malformed",
                           "zip.prepended-data", "file.symlink", "file.special"}) {
    EXPECT_GE(p.RuleSeverity(rule), Severity::kHigh) << rule;
    EXPECT_TRUE(p.embedded_default_text().find(std::string("  ") + rule + ": high") !=
                std::string::npos)
        << rule << " is not written in default_policy.yaml";
  }
  EXPECT_EQ(p.RuleSeverity("scan.skipped"), Severity::kInfo);
  EXPECT_EQ(p.RuleSeverity("pytorch.torchscript"), Severity::kMedium);
}

TEST(FailClosedTest, LimitsInThePolicyAreCheckedAndDefaultsAgree) {
  EXPECT_EQ(ScanOptions{}.limits, Policy::Default().limits());
  auto bad = Policy::Parse("limits:\n  max_ratoi: 3\n", "p.yaml", &Policy::Default());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("p.yaml:2:"), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("max_ratio"), std::string::npos) << bad.error().message();
  EXPECT_FALSE(Policy::Parse("limits: {max_depth: 0}", "p.yaml", nullptr));
  EXPECT_FALSE(Policy::Parse("limits: {max_ratio: -2}", "p.yaml", nullptr));
  EXPECT_FALSE(Policy::Parse("limits: {max_members: lots}", "p.yaml", nullptr));
}

// ---- files on disk -----------------------------------------------------------------------

TEST(FailClosedTest, SymlinksToScannedFilesAreInfoOthersHigh) {
  rampart::testing::TempDir outside, t;
  auto target = outside.Write("model.pkl", kPayload);
  t.Write("models/real.pkl", kPayload);
  std::filesystem::create_symlink("real.pkl", t / "models/alias.pkl");
  std::filesystem::create_symlink(target, t / "models/outside.pkl");
  std::filesystem::create_symlink("missing.pkl", t / "models/dangling.pkl");
  Scanner s(ScanOptions{});
  auto reports = s.Scan({t.path()});
  ASSERT_EQ(reports.size(), 4u);
  for (const auto& r : reports) {
    SCOPED_TRACE(r.file);
    if (r.file.ends_with("real.pkl")) {
      EXPECT_NE(Find(r, "pickle.import", "posix.system"), nullptr) << Dump(r);
      continue;
    }
    const Finding* f = Find(r, "file.symlink");
    ASSERT_NE(f, nullptr) << Dump(r);
    bool alias = r.file.ends_with("alias.pkl");
    EXPECT_EQ(f->severity, alias ? Severity::kInfo : Severity::kHigh) << Dump(r);
    EXPECT_EQ(r.coverage, alias ? Coverage::kSkipped : Coverage::kNone);
  }
}

TEST(FailClosedTest, TextReportNeverSaysNoFindingsForAFileNotInspected) {
  std::vector<FileReport> reports = {ScanOf("\x01\x02 unknown"s), ScanOf("a text file\n"),
                                     ScanOf(kTruncatedExec)};
  ReportOptions only_critical;
  only_critical.min_severity = Severity::kCritical;
  for (const auto& r : reports) {
    SCOPED_TRACE(Dump(r));
    for (const auto& ro : {ReportOptions{}, only_critical}) {
      auto text = FormatText({r}, ro);
      EXPECT_EQ(text.find("no findings"), std::string::npos) << text;
    }
  }
  auto unknown = FormatText({reports[0]}, only_critical);
  EXPECT_NE(unknown.find("1 not inspected"), std::string::npos) << unknown;
  auto text = FormatText({reports[1]}, ReportOptions{});
  EXPECT_NE(text.find("1 skipped (not model formats)"), std::string::npos) << text;
  // Beside a clean pickle, "no findings" is qualified.
  auto both = FormatText({ScanOf("\x80\x02}."s), reports[1]}, ReportOptions{});
  EXPECT_NE(both.find("no findings in 1 fully inspected file(s); 1 skipped"), std::string::npos)
      << both;
  EXPECT_NE(FormatText({ScanOf("\x80\x02}."s)}, ReportOptions{}).find(": no findings\n"),
            std::string::npos);
}

// About one 7z archive in 256 has '{' at byte 8 (the low byte of its start
// header's CRC), which is what a safetensors header wants there: such an
// archive is still a 7z, and the payload in it is still found.
TEST(FailClosedTest, A7zWhoseStartHeaderCrcBeginsWithABraceIsStillA7z) {
  std::string archive;
  for (int pad = 0; pad < 4096; ++pad) {
    std::string a = MakeArchive("7zip", {{"upload/model.pkl", kPayload + std::string(pad, '\n')}});
    ASSERT_FALSE(a.empty());
    if (a.size() > 8 && a[8] == '{') {
      archive = std::move(a);
      break;
    }
  }
  ASSERT_FALSE(archive.empty()) << "no padding gave a start header CRC beginning with '{'";
  Scanner scanner(ScanOptions{});
  FileReport r = scanner.ScanBytes(archive, "release.7z");
  EXPECT_EQ(r.format, "7z") << Dump(r);
  bool found = false;
  for (const auto& f : r.findings) {
    found = found || (f.rule == "pickle.import" && f.symbol == "posix.system" &&
                      f.severity == Severity::kCritical);
  }
  EXPECT_TRUE(found) << Dump(r);
}

}  // namespace
}  // namespace rampart::artifacts
