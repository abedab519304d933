// The pickle-machine emulator on hand-written streams: resolution of imports
// through every operand source, calls, limits and anomalies.
#include "artifacts/pickle_machine.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::artifacts {
namespace {

using namespace std::string_literals;

PickleScanResult Scan(const std::string& s, PickleOptions o = {}) {
  BufferedReader r(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  return ScanPickle(r, Policy::Default(), o);
}

const PickleImport* Find(const PickleScanResult& r, const std::string& sym) {
  for (const auto& i : r.imports) {
    if (i.module + "." + i.name == sym) return &i;
  }
  return nullptr;
}

bool HasIssue(const PickleScanResult& r, const std::string& rule) {
  for (const auto& i : r.issues) {
    if (i.rule == rule) return true;
  }
  return false;
}

std::string Sbu(const std::string& s) {
  return std::string("\x8c") + static_cast<char>(s.size()) + s;
}

TEST(PickleMachineTest, GlobalAndReduceAreResolvedWithArguments) {
  auto r = Scan(std::string("\x80\x02") + "cos\nsystem\nX\x02\x00\x00\x00id\x85R."s, {});
  ASSERT_EQ(r.pickles, 1u);
  const auto* imp = Find(r, "os.system");
  ASSERT_NE(imp, nullptr);
  EXPECT_EQ(imp->opcode, "GLOBAL");
  EXPECT_EQ(imp->offset, 2u);
  EXPECT_EQ(imp->call, "REDUCE");
  EXPECT_EQ(imp->args, "('id',)");
  EXPECT_FALSE(r.stopped_on_error);
}

TEST(PickleMachineTest, StackGlobalFromMemoAndFromStrings) {
  std::string s =
      "\x80\x04" + Sbu("os") + "\x94" + Sbu("system") + "\x94" + "h\x00h\x01\x93"s + ")R.";
  auto r = Scan(s);
  ASSERT_NE(Find(r, "os.system"), nullptr);
  EXPECT_EQ(Find(r, "os.system")->opcode, "STACK_GLOBAL");
  auto r2 = Scan("\x80\x02S'builtins'\nS'eval'\n\x93)R.");
  EXPECT_NE(Find(r2, "builtins.eval"), nullptr);
  // STRING escapes are decoded before resolution.
  auto r3 = Scan("\x80\x02S'o\\x73'\nS'sys\\164em'\n\x93)R.");
  EXPECT_NE(Find(r3, "os.system"), nullptr);
  // UNICODE (raw-unicode-escape) operands too.
  auto r4 = Scan("\x80\x02Vos\nV\\u0073ystem\n\x93)R.");
  EXPECT_NE(Find(r4, "os.system"), nullptr);
}

TEST(PickleMachineTest, ComputedOperandsAreUnresolved) {
  std::string s =
      "\x80\x04"
      "cbuiltins\nstr\n" +
      Sbu("os") + "\x85R" + Sbu("system") + "\x93)R.";
  auto r = Scan(s);
  EXPECT_TRUE(HasIssue(r, "pickle.unresolved-import"));
}

TEST(PickleMachineTest, EveryCallKindIsRecorded) {
  EXPECT_EQ(Find(Scan("(S'x'\nios\nsystem\n."), "os.system")->call, "INST");
  EXPECT_EQ(Find(Scan("\x80\x02(cos\nsystem\nS'x'\no."), "os.system")->call, "OBJ");
  EXPECT_EQ(Find(Scan("\x80\x02"
                      "cos\nsystem\n)\x81."),
                 "os.system")
                ->call,
            "NEWOBJ");
  EXPECT_EQ(Find(Scan("\x80\x04"
                      "cos\nsystem\n)}\x92."),
                 "os.system")
                ->call,
            "NEWOBJ_EX");
  auto b = Scan(
      "\x80\x02"
      "cx\nY\n)\x81}b.");
  EXPECT_EQ(Find(b, "x.Y")->call, "NEWOBJ");
  EXPECT_EQ(Find(b, "x.Y")->calls, 2u);  // NEWOBJ and BUILD (__setstate__)
}

TEST(PickleMachineTest, CallingACallResultIsADynamicCall) {
  auto r = Scan(
      "\x80\x02"
      "cbuiltins\ngetattr\n"
      "cos\nsystem\nS'x'\n\x86R)R.");
  EXPECT_TRUE(HasIssue(r, "pickle.dynamic-call"));
}

TEST(PickleMachineTest, Python2NamesAreMapped) {
  auto r = Scan(
      "\x80\x02"
      "c__builtin__\neval\n)R.");
  const auto* imp = Find(r, "builtins.eval");
  ASSERT_NE(imp, nullptr);
  EXPECT_EQ(imp->written_as, "__builtin__.eval");
  // Protocol 3+ does not map.
  EXPECT_NE(Find(Scan("\x80\x03"
                      "c__builtin__\neval\n)R."),
                 "__builtin__.eval"),
            nullptr);
}

TEST(PickleMachineTest, ConcatenatedPicklesAreAllScanned) {
  auto r = Scan(
      "\x80\x02}q\x00.\x80\x02"s
      "cos\nsystem\n)R.\x80\x02N.");
  EXPECT_EQ(r.pickles, 3u);
  EXPECT_NE(Find(r, "os.system"), nullptr);
}

TEST(PickleMachineTest, MalformedAfterPayloadReportsBoth) {
  auto r = Scan(
      "\x80\x02"
      "cos\nsystem\n)R\xff");
  EXPECT_NE(Find(r, "os.system"), nullptr);
  EXPECT_TRUE(HasIssue(r, "pickle.malformed"));
  EXPECT_TRUE(r.stopped_on_error);
}

TEST(PickleMachineTest, PopMarkSemanticsFollowCPython) {
  // POP with a MARK on top pops the MARK; the following TUPLE then has no MARK.
  auto r = Scan("\x80\x02N(0t.");
  EXPECT_TRUE(HasIssue(r, "pickle.malformed"));
  auto ok = Scan("\x80\x02(N1N.");
  EXPECT_FALSE(ok.stopped_on_error);
}

TEST(PickleMachineTest, StackAndMemoGrowthHitLimits) {
  PickleOptions o;
  o.limits.max_stack = 1000;
  std::string s = "\x80\x02";
  for (int i = 0; i < 2000; ++i) s += "N";
  s += ".";
  EXPECT_TRUE(HasIssue(Scan(s, o), "pickle.limit"));
  PickleOptions m;
  m.limits.max_memo = 100;
  std::string t = "\x80\x04N";
  for (int i = 0; i < 200; ++i) t += "\x94";
  t += ".";
  EXPECT_TRUE(HasIssue(Scan(t, m), "pickle.limit"));
  // A sparse huge memo key does not allocate a huge table.
  auto big = Scan("\x80\x02Nr\xff\xff\xff\x7fj\xff\xff\xff\x7f.");
  EXPECT_FALSE(big.stopped_on_error);
}

TEST(PickleMachineTest, MemoryLimitStopsRunawayValues) {
  PickleOptions o;
  o.limits.max_live_bytes = 1 << 20;
  std::string s = "\x80\x04";
  std::string str(1000, 'x');
  for (int i = 0; i < 3000; ++i) s += "X" + "\xe8\x03\x00\x00"s + str + "\x94";
  s += ".";
  EXPECT_TRUE(HasIssue(Scan(s, o), "pickle.limit"));
}

// A dict that holds itself: put in the memo once it holds a global (so the
// memo keeps it whole), then set as one of its own items, with five more
// items so that its children move to the heap. Its node's references
// never drop to zero.
std::string SelfHoldingDict() {
  std::string s = "\x80\x02}X\x01\x00\x00\x00g"s + "ccollections\nOrderedDict\ns" + "q\x00("s;
  for (int i = 0; i < 5; ++i) s += "X\x02\x00\x00\x00k"s + std::to_string(i) + "K" + char(i);
  s += "X\x04\x00\x00\x00selfh\x00u."s;
  return s;
}

TEST(PickleMachineTest, ReferenceCyclesDoNotOutliveTheirScan) {
  auto r = Scan(SelfHoldingDict());
  EXPECT_EQ(r.pickles, 1u);
  EXPECT_FALSE(r.stopped_on_error);
  EXPECT_NE(Find(r, "collections.OrderedDict"), nullptr);
  EXPECT_EQ(internal::PickleNodesLive(), 0u);
  // Before, each such pickle kept its nodes for the thread's life, and
  // their bytes counted against later scans' memory limit: after 3,000 of
  // them a small list was refused as runaway memory.
  for (int i = 0; i < 3000; ++i) (void)Scan(SelfHoldingDict());
  EXPECT_EQ(internal::PickleNodesLive(), 0u);
  PickleOptions o;
  o.limits.max_live_bytes = 1 << 20;
  std::string list = "\x80\x04](";
  for (int i = 0; i < 600; ++i) list += "K\x01";
  list += "e.";
  auto small = Scan(list, o);
  EXPECT_FALSE(HasIssue(small, "pickle.limit"));
  EXPECT_EQ(small.pickles, 1u);
}

TEST(PickleMachineTest, LyingFrameIsReportedAndIgnored) {
  std::string s = "\x80\x04\x95\x04\x00\x00\x00\x00\x00\x00\x00"s + "N0cos\nsystem\n)R.";
  auto r = Scan(s);
  EXPECT_NE(Find(r, "os.system"), nullptr);
  EXPECT_TRUE(HasIssue(r, "pickle.frame-mismatch"));
  // An honest frame is not reported.
  std::string body = "cos\nsystem\n)R.";
  std::string honest =
      std::string("\x80\x04\x95", 3) + static_cast<char>(body.size()) + std::string(7, '\0') + body;
  auto h = Scan(honest);
  EXPECT_FALSE(HasIssue(h, "pickle.frame-mismatch"));
}

TEST(PickleMachineTest, LargeBinaryIsSkippedNotKept) {
  std::string blob(5 << 20, 'z');
  std::string s = "\x80\x04\x8e" + "\x00\x00\x50\x00\x00\x00\x00\x00"s + blob + "0N.";
  auto r = Scan(s);
  EXPECT_FALSE(r.stopped_on_error);
  EXPECT_EQ(r.pickles, 1u);
  // A length that lies past the end is a truncation.
  auto t = Scan("\x80\x04\x8e" + "\x00\x00\x00\x10\x00\x00\x00\x00"s + "abc");
  EXPECT_TRUE(HasIssue(t, "scan.truncated"));
  EXPECT_FALSE(HasIssue(t, "pickle.malformed"));
}

TEST(PickleMachineTest, ExtensionCodesAreReported) {
  auto r = Scan("\x80\x02\x83\x34\x12)R.");
  EXPECT_TRUE(HasIssue(r, "pickle.extension-code"));
  auto p = Policy::Parse("extensions: {\"4660\": \"os system\"}", "p.yaml", &Policy::Default());
  ASSERT_TRUE(p) << p.error().message();
  std::string s = "\x80\x02\x83\x34\x12)R.";
  BufferedReader br(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  auto r2 = ScanPickle(br, *p, {});
  EXPECT_NE(Find(r2, "os.system"), nullptr);
}

TEST(PickleMachineTest, StreamingReaderGivesTheSameAnswer) {
  std::string s =
      "\x80\x02}q\x00(X\x01\x00\x00\x00"s
      "aq\x01"
      "cos\nsystem\nq\x02u.";
  MemoryBlob blob(s);
  BlobStream st(&blob);
  BufferedReader br(&st, 16);  // a tiny buffer forces refills mid-opcode
  auto r = ScanPickle(br, Policy::Default(), {});
  EXPECT_NE(Find(r, "os.system"), nullptr);
  EXPECT_FALSE(r.stopped_on_error) << (r.issues.empty() ? "" : r.issues[0].message);
}

TEST(PolicyTest, AllowlistFirstAndSeverityTable) {
  const Policy& p = Policy::Default();
  EXPECT_FALSE(p.ImportSeverity("collections", "OrderedDict"));
  EXPECT_FALSE(p.ImportSeverity("torch._utils", "_rebuild_tensor_v2"));
  EXPECT_EQ(*p.ImportSeverity("collections", "OrderedDict.fromkeys"), Severity::kHigh);
  EXPECT_EQ(*p.ImportSeverity("os", "system"), Severity::kCritical);
  EXPECT_EQ(*p.ImportSeverity("os.path", "join"), Severity::kCritical);
  EXPECT_EQ(*p.ImportSeverity("subprocess", "Popen"), Severity::kCritical);
  EXPECT_EQ(*p.ImportSeverity("builtins", "getattr"), Severity::kCritical);
  EXPECT_EQ(*p.ImportSeverity("builtins", "getattr.__call__"), Severity::kCritical);
  EXPECT_EQ(*p.ImportSeverity("operator", "attrgetter"), Severity::kCritical);
  EXPECT_EQ(*p.ImportSeverity("torch", "load"), Severity::kCritical);
  EXPECT_EQ(*p.ImportSeverity("torch.nn.modules.linear", "Linear"), Severity::kMedium);
  EXPECT_EQ(*p.ImportSeverity("__main__", "Net"), Severity::kHigh);
  EXPECT_EQ(p.RuleSeverity("no.such.rule"), Severity::kHigh);
}

TEST(PolicyTest, UserPolicyExtendsTheDefault) {
  auto p = Policy::Parse(
      "allow:\n  mylab.layers: [SafeLayer]\nimports:\n  low:\n    modules: [mylab.tools]\n"
      "rules:\n  gguf.chat-template: low\n",
      "mine.yaml", &Policy::Default());
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->ImportSeverity("mylab.layers", "SafeLayer"));
  EXPECT_EQ(*p->ImportSeverity("mylab.tools.x", "f"), Severity::kLow);
  EXPECT_EQ(p->RuleSeverity("gguf.chat-template"), Severity::kLow);
  EXPECT_EQ(*p->ImportSeverity("os", "system"), Severity::kCritical);  // default kept
}

TEST(PolicyTest, ErrorsNameFileLineAndColumn) {
  auto p = Policy::Parse("version: 1\nimports:\n  severe:\n    modules: [x]\n", "bad.yaml",
                         &Policy::Default());
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("bad.yaml:3:"), std::string::npos) << p.error().message();
  auto q = Policy::Parse("alow: {}\n", "typo.yaml", nullptr);
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().message().find("did you mean 'allow'"), std::string::npos)
      << q.error().message();
}

TEST(PickleMachineTest, TruncatedProtocol0ReportsTheImportAndTheTruncation) {
  // No PROTO; the BINUNICODE after the import announces more bytes than exist.
  auto r = Scan("cbuiltins\nexec\n(X\x00\x10\x00\x00import os"s);
  const auto* imp = Find(r, "builtins.exec");
  ASSERT_NE(imp, nullptr);
  EXPECT_EQ(imp->opcode, "GLOBAL");
  EXPECT_EQ(imp->offset, 0u);
  EXPECT_TRUE(HasIssue(r, "scan.truncated"));
  EXPECT_TRUE(r.stopped_on_error);
  EXPECT_EQ(r.pickles, 0u);
  EXPECT_TRUE(IsPickleEvidence(r));
  // Cut inside the name line: the import never completes, nothing to report.
  auto cut = Scan("cbuiltins\nex"s);
  EXPECT_EQ(cut.imports.size(), 0u);
  EXPECT_TRUE(HasIssue(cut, "scan.truncated"));
  EXPECT_FALSE(IsPickleEvidence(cut));
}

TEST(PickleMachineTest, PicklesStartWithAnyOpcodeValidOnAnEmptyStack) {
  for (char op : std::string("(c]})NIJKMLFGSTUVXBCPi")) {
    EXPECT_TRUE(StartsLikePickle(static_cast<std::uint8_t>(op))) << op;
  }
  for (std::uint8_t op : {0x80, 0x95, 0x8c, 0x8d, 0x8e, 0x8f, 0x88, 0x89, 0x8a, 0x96, 0x82}) {
    EXPECT_TRUE(StartsLikePickle(op)) << int(op);
  }
  // Opcodes that need a stack, and bytes that are no opcode at all.
  for (char op : std::string(".0Rtbsuae{[#\n ")) {
    EXPECT_FALSE(StartsLikePickle(static_cast<std::uint8_t>(op))) << op;
  }
  // Each start carrying a payload, protocol 0 to 4 without PROTO.
  for (const std::string& s :
       {"(cos\nsystem\nS'id'\ntR."s, "]cos\nsystem\n"s, "}cposix\nsystem\nX\x02\x00\x00\x00"s,
        "I1\ncos\nsystem\n"s, "\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x06system\x93"s,
        "(S'id'\nios\nsystem\n."s}) {
    auto r = Scan(s);
    EXPECT_TRUE(IsPickleEvidence(r)) << s;
    EXPECT_TRUE(Find(r, "os.system") != nullptr || Find(r, "posix.system") != nullptr) << s;
  }
}

TEST(PickleMachineTest, ALimitHitBeforeAnImportIsEvidence) {
  // CPython has no MARK limit: the import after the marks would run.
  PickleOptions o;
  o.limits.max_marks = 1000;
  auto r = Scan(std::string(2000, '(') + "cos\nsystem\n", o);
  EXPECT_TRUE(HasIssue(r, "pickle.limit"));
  EXPECT_EQ(r.imports.size(), 0u);
  EXPECT_TRUE(IsPickleEvidence(r));
}

TEST(PickleMachineTest, TextThatStartsLikeAPickleIsNoEvidence) {
  // A licence, a YAML file, a CSV: opcodes at first, no importable name.
  for (const std::string& s :
       {"copyright (c) 2024 the authors\nall rights reserved\n"s, "lr: 0.1\nepochs: 3\n"s,
        "id,label\n1,cat\n2,dog\n"s, "Numbers: 1 2 3\n"s, "(draft) notes\n"s}) {
    auto r = Scan(s);
    EXPECT_FALSE(IsPickleEvidence(r)) << s;
  }
}

}  // namespace
}  // namespace rampart::artifacts
