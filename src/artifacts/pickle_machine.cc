#include "artifacts/pickle_machine.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <deque>
#include <memory>
#include <span>
#include <unordered_map>

#include "core/ascii.h"

namespace rampart::artifacts {
namespace {

// ---- Values ----------------------------------------------------------------
//
// Values are 32 bytes. Short strings live inline; long strings, container
// children and call arguments live in pooled nodes (no malloc per value on
// the hot path), reference-counted because the memo and the stack share them.
// Containers keep at most kKeep children; nesting is bounded by kMaxDepth so
// releasing a value cannot recurse deeply.

enum class K : std::uint8_t {
  kOther,  // something we do not model (float, big int, buffer...)
  kNone,
  kBool,
  kInt,
  kStr,    // a Python str
  kBytes,  // bytes / bytearray
  kTuple,
  kList,
  kDict,
  kSet,
  kGlobal,  // an imported global; `global` indexes the import table (-1: unresolved)
  kObject,  // the result of a call; `global` is the callable's import if known
  kPid,     // a persistent-load result
  kUnset,   // a memo slot never stored
};

constexpr std::uint32_t kNoNode = 0xFFFFFFFFu;
constexpr std::size_t kInline = 16;
constexpr std::uint32_t kKeep = 16;
constexpr std::uint32_t kMaxDepth = 48;

// 24 bytes. kGlobal and kObject keep their import index in `i`.
struct Value {
  K kind = K::kOther;
  bool truncated = false;  // text or children not all kept
  std::uint8_t slen = 0;   // inline text length
  std::uint32_t node = kNoNode;
  union {
    std::int64_t i;
    char s[kInline];
  };

  Value() : i(0) {}
  Value(const Value& o);
  Value(Value&& o) noexcept : kind(o.kind), truncated(o.truncated), slen(o.slen), node(o.node) {
    std::memcpy(s, o.s, kInline);
    o.node = kNoNode;
  }
  std::int32_t glob() const { return static_cast<std::int32_t>(i); }
  void set_glob(std::int32_t g) { i = g; }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      Reset();
      kind = o.kind;
      truncated = o.truncated;
      slen = o.slen;
      node = o.node;
      std::memcpy(s, o.s, kInline);
      o.node = kNoNode;
    }
    return *this;
  }
  Value& operator=(const Value& o) {
    if (this != &o) {
      Value tmp(o);
      *this = std::move(tmp);
    }
    return *this;
  }
  ~Value() { Reset(); }
  inline void Reset();
};

static_assert(sizeof(Value) == 24);

// Small on purpose (2-3 cache lines): most containers hold at most kSmall
// children; larger ones move their children to a heap array of kKeep.
constexpr std::uint32_t kSmall = 4;

struct Node {
  std::uint32_t refs = 0;
  std::uint32_t kept = 0;
  std::uint32_t depth = 0;
  std::uint32_t next_free = kNoNode;
  std::uint64_t count = 0;      // children added (kept or not)
  std::uint32_t charged = 0;    // heap bytes counted in live_bytes_
  bool interesting = false;     // holds a global, call result or persistent id
  std::string* text = nullptr;  // a long string
  Value* big = nullptr;         // kKeep children once more than kSmall
  Value items[kSmall];
  Value* children() { return big != nullptr ? big : items; }
};

// One pool per thread: a machine and its nested machines run on one thread.
class NodePool {
 public:
  static constexpr std::uint32_t kChunk = 1024;
  Node& Get(std::uint32_t i) { return chunks_[i / kChunk][i % kChunk]; }
  std::uint32_t Alloc() {
    if (free_ == kNoNode) {
      auto base = static_cast<std::uint32_t>(chunks_.size() * kChunk);
      chunks_.push_back(std::make_unique<Node[]>(kChunk));
      for (std::uint32_t k = kChunk; k-- > 0;) {
        chunks_.back()[k].next_free = free_;
        free_ = base + k;
      }
    }
    std::uint32_t i = free_;
    Node& n = Get(i);
    free_ = n.next_free;
    n.refs = 1;
    n.kept = 0;
    n.depth = 0;
    n.count = 0;
    live_++;
    return i;
  }
  void Release(std::uint32_t i) {
    Node& n = Get(i);
    if (--n.refs != 0) return;
    live_bytes_ -= n.charged;
    n.charged = 0;
    delete n.text;
    n.text = nullptr;
    Value* c = n.children();
    for (std::uint32_t k = 0; k < n.kept; ++k) c[k].Reset();  // releases children
    delete[] n.big;
    n.big = nullptr;
    n.kept = 0;
    n.interesting = false;
    n.next_free = free_;
    free_ = i;
    live_--;
  }
  std::size_t live_bytes() const { return live_ * sizeof(Node) + live_bytes_; }
  std::size_t live() const { return live_; }
  // Frees every node still live. After a scan only reference cycles are: a
  // container that holds itself (a dict put in the memo, then set as one of
  // its own items) never drops to zero references. No Value outlives the
  // scan that made it, so the cycles are dropped without walking them:
  // children are cleared, not released. Without this each such pickle kept
  // its nodes for the life of the thread, and their bytes counted against
  // every later scan's memory limit.
  void ReclaimAll() {
    if (live_ == 0) return;
    free_ = kNoNode;
    for (std::size_t c = chunks_.size(); c-- > 0;) {
      for (std::uint32_t k = kChunk; k-- > 0;) {
        Node& n = chunks_[c][k];
        for (Value& v : n.items) v.node = kNoNode;
        if (n.big != nullptr) {
          for (std::uint32_t j = 0; j < kKeep; ++j) n.big[j].node = kNoNode;
          delete[] n.big;
          n.big = nullptr;
        }
        delete n.text;
        n.text = nullptr;
        n.refs = 0;
        n.kept = 0;
        n.charged = 0;
        n.interesting = false;
        n.next_free = free_;
        free_ = static_cast<std::uint32_t>(c * kChunk + k);
      }
    }
    live_ = 0;
    live_bytes_ = 0;
  }
  NodePool() = default;
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;
  ~NodePool() { ReclaimAll(); }
  void Charge(Node& node, std::size_t bytes) {
    node.charged += static_cast<std::uint32_t>(bytes);
    live_bytes_ += bytes;
  }

 private:
  std::vector<std::unique_ptr<Node[]>> chunks_;
  std::uint32_t free_ = kNoNode;
  std::size_t live_ = 0;
  std::size_t live_bytes_ = 0;
};

// A trivially-initialised thread_local pointer: no TLS init guard on the hot
// path. ScanPickle points it at the thread's pool before running.
thread_local NodePool* g_pool_ptr = nullptr;
inline NodePool& Pool() { return *g_pool_ptr; }

Value::Value(const Value& o) : kind(o.kind), truncated(o.truncated), slen(o.slen), node(o.node) {
  std::memcpy(s, o.s, kInline);
  if (node != kNoNode) Pool().Get(node).refs++;
}

inline void Value::Reset() {
  if (node != kNoNode) {
    Pool().Release(node);
    node = kNoNode;
  }
}

Value Of(K kind) {
  Value v;
  v.kind = kind;
  return v;
}

Value MakeStr(K kind, std::string_view text, bool truncated) {
  Value v;
  v.kind = kind;
  v.truncated = truncated;
  if (text.size() <= kInline) {
    if (!text.empty()) std::memcpy(v.s, text.data(), text.size());
    v.slen = static_cast<std::uint8_t>(text.size());
  } else {
    v.node = Pool().Alloc();
    Node& n = Pool().Get(v.node);
    n.text = new std::string(text);
    Pool().Charge(n, n.text->capacity());
  }
  return v;
}

Value MakeContainer(K kind) { return Of(kind); }

std::string_view Text(const Value& v) {
  if (v.kind != K::kStr && v.kind != K::kBytes) return {};
  if (v.node != kNoNode) return *Pool().Get(v.node).text;
  return {v.s, v.slen};
}

std::uint64_t Count(const Value& v) { return v.node != kNoNode ? Pool().Get(v.node).count : 0; }

std::span<const Value> Items(const Value& v) {
  if (v.node == kNoNode || v.kind == K::kStr || v.kind == K::kBytes) return {};
  Node& n = Pool().Get(v.node);
  return {n.children(), n.kept};
}

// Adds a child to a container (or call-result) value. Lists and sets keep
// nothing: no decision reads their contents (calls take tuples, joblib
// state is a dict), and dense data is mostly lists.
void AddChild(Value& c, Value&& child, std::uint32_t keep = kKeep) {
  if (c.kind == K::kList || c.kind == K::kSet) {
    c.truncated = true;
    return;
  }
  if (c.node == kNoNode) c.node = Pool().Alloc();
  {
    Node& n = Pool().Get(c.node);
    if (n.kept >= std::min(keep, kKeep)) {
      n.count++;
      c.truncated = true;
      return;
    }
  }
  std::uint32_t child_depth =
      child.node != kNoNode && child.kind != K::kStr && child.kind != K::kBytes
          ? Pool().Get(child.node).depth + 1
          : 1;
  Node& n = Pool().Get(c.node);
  n.count++;
  if (child_depth > kMaxDepth || n.kept >= std::min(keep, kKeep)) {
    c.truncated = true;
    return;
  }
  if (child.kind == K::kGlobal || child.kind == K::kObject || child.kind == K::kPid ||
      (child.node != kNoNode && child.kind != K::kStr && child.kind != K::kBytes &&
       Pool().Get(child.node).interesting)) {
    n.interesting = true;
  }
  if (n.kept == kSmall && n.big == nullptr) {
    n.big = new Value[kKeep];
    for (std::uint32_t k = 0; k < kSmall; ++k) n.big[k] = std::move(n.items[k]);
    Pool().Charge(n, kKeep * sizeof(Value));
  }
  n.children()[n.kept++] = std::move(child);
  n.depth = std::max(n.depth, child_depth);
}

// What the memo keeps: plain-data containers lose their children (the stack
// copy keeps them); strings, globals and call results are kept whole.
Value ForMemo(const Value& v) {
  if (v.node == kNoNode) return v;
  switch (v.kind) {
    case K::kTuple:
    case K::kList:
    case K::kDict:
    case K::kSet: {
      if (Pool().Get(v.node).interesting) return v;
      Value out;
      out.kind = v.kind;
      out.truncated = true;
      return out;
    }
    default:
      return v;
  }
}

// ---- Python 2 name mapping (Lib/_compat_pickle.py, the parts that matter) --

struct Rename {
  const char* from;
  const char* to;
};
constexpr Rename kModuleRenames[] = {
    {"__builtin__", "builtins"},
    {"copy_reg", "copyreg"},
    {"Queue", "queue"},
    {"SocketServer", "socketserver"},
    {"ConfigParser", "configparser"},
    {"repr", "reprlib"},
    {"tkFileDialog", "tkinter.filedialog"},
    {"Tkinter", "tkinter"},
    {"markupbase", "_markupbase"},
    {"_winreg", "winreg"},
    {"thread", "_thread"},
    {"dummy_thread", "_dummy_thread"},
    {"dbhash", "dbm.bsd"},
    {"dumbdbm", "dbm.dumb"},
    {"dbm", "dbm.ndbm"},
    {"gdbm", "dbm.gnu"},
    {"xmlrpclib", "xmlrpc.client"},
    {"SimpleXMLRPCServer", "xmlrpc.server"},
    {"httplib", "http.client"},
    {"htmlentitydefs", "html.entities"},
    {"HTMLParser", "html.parser"},
    {"Cookie", "http.cookies"},
    {"cookielib", "http.cookiejar"},
    {"BaseHTTPServer", "http.server"},
    {"SimpleHTTPServer", "http.server"},
    {"CGIHTTPServer", "http.server"},
    {"urlparse", "urllib.parse"},
    {"robotparser", "urllib.robotparser"},
    {"urllib2", "urllib.request"},
    {"anydbm", "dbm"},
    {"_abcoll", "collections.abc"},
    {"cPickle", "pickle"},
    {"_elementtree", "xml.etree.ElementTree"},
    {"FileDialog", "tkinter.filedialog"},
    {"cStringIO", "io"},
    {"StringIO", "io"},
    {"UserDict", "collections"},
    {"UserList", "collections"},
    {"UserString", "collections"},
    {"whichdb", "dbm"},
    {"commands", "subprocess"},
    {"exceptions", "builtins"},
    {"sets", "builtins"},
};
struct NameRename {
  const char* mod;
  const char* name;
  const char* to_mod;
  const char* to_name;
};
constexpr NameRename kNameRenames[] = {
    {"__builtin__", "xrange", "builtins", "range"},
    {"__builtin__", "reduce", "functools", "reduce"},
    {"__builtin__", "intern", "sys", "intern"},
    {"__builtin__", "unichr", "builtins", "chr"},
    {"__builtin__", "unicode", "builtins", "str"},
    {"__builtin__", "long", "builtins", "int"},
    {"__builtin__", "basestring", "builtins", "str"},
    {"__builtin__", "raw_input", "builtins", "input"},
    {"itertools", "izip", "builtins", "zip"},
    {"itertools", "imap", "builtins", "map"},
    {"itertools", "ifilter", "builtins", "filter"},
    {"UserDict", "IterableUserDict", "collections", "UserDict"},
    {"urllib", "urlopen", "urllib.request", "urlopen"},
    {"urllib", "urlretrieve", "urllib.request", "urlretrieve"},
    {"urllib", "quote", "urllib.parse", "quote"},
    {"urllib", "unquote", "urllib.parse", "unquote"},
    {"urllib", "urlencode", "urllib.parse", "urlencode"},
    {"sets", "Set", "builtins", "set"},
    {"sets", "ImmutableSet", "builtins", "frozenset"},
};

void MapPython2(std::string& module, std::string& name) {
  for (const auto& r : kNameRenames) {
    if (module == r.mod && name == r.name) {
      module = r.to_mod;
      name = r.to_name;
      return;
    }
  }
  for (const auto& r : kModuleRenames) {
    if (module == r.from) {
      module = r.to;
      return;
    }
  }
}

// ---- Opcodes ----------------------------------------------------------------

enum Op : std::uint8_t {
  MARK = '(',
  STOP = '.',
  POP = '0',
  POP_MARK = '1',
  DUP = '2',
  FLOAT = 'F',
  INT = 'I',
  BININT = 'J',
  BININT1 = 'K',
  LONG = 'L',
  BININT2 = 'M',
  NONE = 'N',
  PERSID = 'P',
  BINPERSID = 'Q',
  REDUCE = 'R',
  STRING = 'S',
  BINSTRING = 'T',
  SHORT_BINSTRING = 'U',
  UNICODE = 'V',
  BINUNICODE = 'X',
  APPEND = 'a',
  BUILD = 'b',
  GLOBAL = 'c',
  DICT = 'd',
  EMPTY_DICT = '}',
  APPENDS = 'e',
  GET = 'g',
  BINGET = 'h',
  INST = 'i',
  LONG_BINGET = 'j',
  LIST = 'l',
  EMPTY_LIST = ']',
  OBJ = 'o',
  PUT = 'p',
  BINPUT = 'q',
  LONG_BINPUT = 'r',
  SETITEM = 's',
  TUPLE = 't',
  EMPTY_TUPLE = ')',
  SETITEMS = 'u',
  BINFLOAT = 'G',
  PROTO = 0x80,
  NEWOBJ = 0x81,
  EXT1 = 0x82,
  EXT2 = 0x83,
  EXT4 = 0x84,
  TUPLE1 = 0x85,
  TUPLE2 = 0x86,
  TUPLE3 = 0x87,
  NEWTRUE = 0x88,
  NEWFALSE = 0x89,
  LONG1 = 0x8a,
  LONG4 = 0x8b,
  BINBYTES = 'B',
  SHORT_BINBYTES = 'C',
  SHORT_BINUNICODE = 0x8c,
  BINUNICODE8 = 0x8d,
  BINBYTES8 = 0x8e,
  EMPTY_SET = 0x8f,
  ADDITEMS = 0x90,
  FROZENSET = 0x91,
  NEWOBJ_EX = 0x92,
  STACK_GLOBAL = 0x93,
  MEMOIZE = 0x94,
  FRAME = 0x95,
  BYTEARRAY8 = 0x96,
  NEXT_BUFFER = 0x97,
  READONLY_BUFFER = 0x98,
};

bool IsKnownOpcode(std::uint8_t c) {
  switch (c) {
    case MARK:
    case STOP:
    case POP:
    case POP_MARK:
    case DUP:
    case FLOAT:
    case INT:
    case BININT:
    case BININT1:
    case LONG:
    case BININT2:
    case NONE:
    case PERSID:
    case BINPERSID:
    case REDUCE:
    case STRING:
    case BINSTRING:
    case SHORT_BINSTRING:
    case UNICODE:
    case BINUNICODE:
    case APPEND:
    case BUILD:
    case GLOBAL:
    case DICT:
    case EMPTY_DICT:
    case APPENDS:
    case GET:
    case BINGET:
    case INST:
    case LONG_BINGET:
    case LIST:
    case EMPTY_LIST:
    case OBJ:
    case PUT:
    case BINPUT:
    case LONG_BINPUT:
    case SETITEM:
    case TUPLE:
    case EMPTY_TUPLE:
    case SETITEMS:
    case BINFLOAT:
    case PROTO:
    case NEWOBJ:
    case EXT1:
    case EXT2:
    case EXT4:
    case TUPLE1:
    case TUPLE2:
    case TUPLE3:
    case NEWTRUE:
    case NEWFALSE:
    case LONG1:
    case LONG4:
    case BINBYTES:
    case SHORT_BINBYTES:
    case SHORT_BINUNICODE:
    case BINUNICODE8:
    case BINBYTES8:
    case EMPTY_SET:
    case ADDITEMS:
    case FROZENSET:
    case NEWOBJ_EX:
    case STACK_GLOBAL:
    case MEMOIZE:
    case FRAME:
    case BYTEARRAY8:
    case NEXT_BUFFER:
    case READONLY_BUFFER:
      return true;
    default:
      return false;
  }
}

const char* OpName(std::uint8_t c) {
  switch (c) {
    case GLOBAL:
      return "GLOBAL";
    case STACK_GLOBAL:
      return "STACK_GLOBAL";
    case INST:
      return "INST";
    case EXT1:
      return "EXT1";
    case EXT2:
      return "EXT2";
    case EXT4:
      return "EXT4";
    case REDUCE:
      return "REDUCE";
    case OBJ:
      return "OBJ";
    case NEWOBJ:
      return "NEWOBJ";
    case NEWOBJ_EX:
      return "NEWOBJ_EX";
    case BUILD:
      return "BUILD";
    default:
      return "?";
  }
}

// Signals the end of scanning (after the issue has been recorded).
struct Stop {};

// ---- The machine -------------------------------------------------------------

class Machine {
 public:
  Machine(BufferedReader& r, const Policy& policy, const PickleOptions& opt, PickleScanResult& out,
          int nesting)
      : r_(r),
        policy_(policy),
        opt_(opt),
        lim_(Effective(opt.limits, r)),
        out_(out),
        nesting_(nesting) {}

  // Strings and lines must fit the reader's buffer.
  static PickleLimits Effective(PickleLimits l, const BufferedReader& r) {
    l.max_kept_string = std::min(l.max_kept_string, std::max<std::size_t>(1, r.capacity() / 2));
    l.max_line = std::min(l.max_line, std::max<std::size_t>(1, r.capacity() - 1));
    return l;
  }

  // Runs pickles until the end of the stream (or opt_.stop_after pickles, or
  // `single` = one pickle for nested joblib arrays).
  void Run(bool single) {
    try {
      while (true) {
        if (!r_.Ensure(1)) {
          CheckStreamError();
          break;
        }
        if (out_.pickles > 0 && !single) {
          // Data after a STOP: another pickle if it starts like one.
          std::uint8_t c = *r_.ptr();
          if (!IsKnownOpcode(c)) {
            Issue("pickle.trailing-data",
                  "data after the last STOP does not start with a pickle opcode; not loaded",
                  r_.offset());
            break;
          }
          if (out_.pickles >= lim_.max_pickles) {
            Issue("pickle.limit",
                  "more than " + std::to_string(lim_.max_pickles) +
                      " concatenated pickles; the rest was not scanned",
                  r_.offset());
            break;
          }
        }
        RunOne();
        out_.pickles++;
        if (single) break;
        if (opt_.stop_after != 0 && out_.pickles >= opt_.stop_after) break;
      }
    } catch (const Stop&) {
      out_.stopped_on_error = true;
    }
    out_.end_offset = r_.offset();
  }

 private:
  // ---- reporting ----
  void Issue(std::string rule, std::string message, std::uint64_t offset) {
    if (out_.issues.size() >= 200) return;
    out_.issues.push_back({std::move(rule), std::move(message), offset});
  }
  [[noreturn]] void Fail(std::string message) {
    Issue("pickle.malformed", std::move(message), op_offset_);
    throw Stop{};
  }
  // The bytes ran out inside an opcode or before STOP: everything before
  // was reported; what the rest would have done is unknown.
  [[noreturn]] void Truncated(std::string message) {
    Issue("scan.truncated", std::move(message), op_offset_);
    throw Stop{};
  }
  [[noreturn]] void Limit(std::string message) {
    Issue("pickle.limit", std::move(message), op_offset_);
    throw Stop{};
  }
  void CheckStreamError() {
    if (!r_.error().ok()) {
      const Status& e = r_.error();
      Issue(std::string(ReadErrorRule(e)), "cannot read the stream: " + e.message(), r_.offset());
      throw Stop{};
    }
  }

  // ---- reading ----
  const std::uint8_t* Need(std::size_t n, const char* what) {
    if (!r_.Ensure(n)) {
      CheckStreamError();
      Truncated(std::string("truncated in ") + what);
    }
    const std::uint8_t* p = r_.ptr();
    r_.Advance(n);
    return p;
  }
  // A protocol-0 text line without its '\n'.
  std::string_view Line(const char* what) {
    std::size_t want = 64;
    while (true) {
      bool ok = r_.Ensure(1);
      if (!ok) {
        CheckStreamError();
        Truncated(std::string("truncated in ") + what);
      }
      std::size_t avail = std::min(r_.available(), lim_.max_line + 1);
      const void* nl = std::memchr(r_.ptr(), '\n', avail);
      if (nl != nullptr) {
        std::size_t len = static_cast<const std::uint8_t*>(nl) - r_.ptr();
        std::string_view s(reinterpret_cast<const char*>(r_.ptr()), len);
        r_.Advance(len + 1);
        return s;
      }
      if (avail > lim_.max_line) {
        Limit(std::string("text line longer than ") + std::to_string(lim_.max_line) + " in " +
              what);
      }
      want = std::min(std::max(want * 2, r_.available() + 1), lim_.max_line + 1);
      if (!r_.Ensure(want)) {
        CheckStreamError();
        // Less than `want` bytes left and no newline in them.
        if (std::memchr(r_.ptr(), '\n', r_.available()) == nullptr) {
          Truncated(std::string("truncated in ") + what + " (no newline)");
        }
      }
    }
  }

  // A length-prefixed string: kept as text if short, else skipped.
  Value Counted(K kind, std::uint64_t n, const char* what) {
    if (n <= lim_.max_kept_string) {
      const std::uint8_t* p = Need(static_cast<std::size_t>(n), what);
      return MakeStr(kind, std::string_view(reinterpret_cast<const char*>(p), n), false);
    }
    std::uint64_t skipped = r_.Skip(n);
    if (skipped != n) {
      CheckStreamError();
      Truncated(std::string("truncated in ") + what + ": " + std::to_string(n) +
                " bytes announced, " + std::to_string(skipped) + " present");
    }
    return MakeStr(kind, {}, true);
  }

  // ---- stack ----
  void Push(Value&& v) {
    if (stack_.size() >= lim_.max_stack) [[unlikely]] {
      Limit("pickle stack grew beyond " + std::to_string(lim_.max_stack) + " values");
    }
    stack_.emplace_back(std::move(v));
    if ((++pushes_ & 255) == 0) CheckMemory();
  }
  void CheckMemory() {
    if (Pool().live_bytes() + (stack_.capacity() + memo_.size()) * sizeof(Value) >
        lim_.max_live_bytes) {
      Limit("values held by the pickle exceed " + std::to_string(lim_.max_live_bytes >> 20) +
            " MiB");
    }
  }
  std::size_t Floor() const { return marks_.empty() ? 0 : marks_.back(); }
  Value Pop(const char* what) {
    if (stack_.size() <= Floor()) Fail(std::string("stack underflow in ") + what);
    Value v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  Value& Top(const char* what) {
    if (stack_.size() <= Floor()) Fail(std::string("stack underflow in ") + what);
    return stack_.back();
  }
  // Pops the last MARK; the items above it are stack_[m, size()).
  std::size_t PopMark(const char* what) {
    if (marks_.empty()) Fail(std::string("no MARK for ") + what);
    std::size_t m = marks_.back();
    marks_.pop_back();
    return m;
  }
  // The value just below a MARK at m (the list/dict/set APPENDS & co. fill).
  Value& BelowMark(std::size_t m, const char* what) {
    if (m == 0 || m - 1 < Floor()) Fail(std::string("stack underflow in ") + what);
    return stack_[m - 1];
  }

  // ---- memo ----
  void MemoPut(std::uint64_t key, const Value& v) {
    if (key < memo_.size()) {
      if (memo_[key].kind == K::kUnset) memo_count_++;
      memo_[key] = ForMemo(v);
      return;
    }
    if (key == memo_.size() && key < (1u << 26)) {
      memo_.push_back(ForMemo(v));
      memo_count_++;
    } else if (key < (1u << 26) && key <= memo_.size() + 65536) {
      memo_.resize(key + 1, Of(K::kUnset));
      memo_[key] = ForMemo(v);
      memo_count_++;
    } else {
      auto [it, inserted] = sparse_.insert_or_assign(key, ForMemo(v));
      if (inserted) memo_count_++;
    }
    if (memo_count_ > lim_.max_memo) {
      Limit("pickle memo grew beyond " + std::to_string(lim_.max_memo) + " entries");
    }
    if ((memo_count_ & 255) == 0) CheckMemory();
  }
  Value MemoGet(std::uint64_t key) {
    if (key < memo_.size() && memo_[key].kind != K::kUnset) return memo_[key];
    auto it = sparse_.find(key);
    if (it != sparse_.end()) return it->second;
    Fail("memo key " + std::to_string(key) + " was never stored");
  }

  // ---- imports and calls ----
  std::int32_t RecordImport(std::string module, std::string name, std::uint8_t op) {
    std::string written;
    if (opt_.fix_imports && protocol_ < 3) {
      std::string m0 = module, n0 = name;
      MapPython2(module, name);
      if (m0 != module || n0 != name) written = m0 + "." + n0;
    }
    std::string key = module + '\n' + name;
    auto it = import_index_.find(key);
    if (it != import_index_.end()) {
      out_.imports[it->second].count++;
      return it->second;
    }
    PickleImport imp;
    imp.module = std::move(module);
    imp.name = std::move(name);
    imp.written_as = std::move(written);
    imp.opcode = OpName(op);
    imp.offset = op_offset_;
    imp.count = 1;
    out_.imports.push_back(std::move(imp));
    auto idx = static_cast<std::int32_t>(out_.imports.size() - 1);
    import_index_.emplace(std::move(key), idx);
    return idx;
  }

  static void Render(const Value& v, std::string& out, int depth) {
    if (out.size() > 200) return;
    switch (v.kind) {
      case K::kNone:
        out += "None";
        return;
      case K::kBool:
        out += v.i ? "True" : "False";
        return;
      case K::kInt:
        out += std::to_string(v.i);
        return;
      case K::kStr:
      case K::kBytes: {
        if (v.kind == K::kBytes) out += 'b';
        out += '\'';
        std::string_view t = Text(v);
        for (char c : t.substr(0, 120)) {
          if (c == '\'' || c == '\\') out += '\\';
          out += (static_cast<unsigned char>(c) < 0x20 ? '?' : c);
        }
        if (v.truncated || t.size() > 120) out += "...";
        out += '\'';
        return;
      }
      case K::kTuple:
      case K::kList: {
        out += v.kind == K::kTuple ? '(' : '[';
        if (auto items = Items(v); depth < 3) {
          for (std::size_t i = 0; i < items.size() && i < 8; ++i) {
            if (i) out += ", ";
            Render(items[i], out, depth + 1);
          }
          if (v.kind == K::kTuple && items.size() == 1) out += ',';
        }
        if (v.truncated || Count(v) > 8) out += ", ...";
        out += v.kind == K::kTuple ? ')' : ']';
        return;
      }
      case K::kDict:
        out += "{...}";
        return;
      case K::kGlobal:
        out += "<global>";
        return;
      case K::kObject:
        out += "<object>";
        return;
      default:
        out += "...";
        return;
    }
  }

  void RecordCall(const Value& callable, const char* how, const Value* args) {
    if (callable.kind == K::kGlobal && callable.glob() >= 0) {
      PickleImport& imp = out_.imports[callable.glob()];
      if (imp.calls++ == 0) {
        imp.call = how;
        imp.call_offset = op_offset_;
        if (args != nullptr) Render(*args, imp.args, 0);
      }
      return;
    }
    if (callable.kind == K::kGlobal) return;  // unresolved import: already reported
    // Calling something that is not an imported global: the result of an
    // earlier call (getattr(...)(...)) or a value that cannot be called.
    std::string what = callable.kind == K::kObject ? "the result of an earlier call"
                       : callable.kind == K::kPid  ? "a persistent-load result"
                                                   : "a non-callable value";
    if (callable.kind == K::kObject && callable.glob() >= 0) {
      const auto& imp = out_.imports[callable.glob()];
      what = "the result of calling " + imp.module + "." + imp.name;
    }
    Issue("pickle.dynamic-call", std::string(how) + " calls " + what, op_offset_);
  }

  Value CallResult(const Value& callable) {
    Value v;
    v.kind = K::kObject;
    v.set_glob(callable.kind == K::kGlobal ? callable.glob() : -1);
    return v;
  }

  // ---- joblib ----
  bool IsJoblibWrapper(std::int32_t g) const {
    if (g < 0) return false;
    const auto& imp = out_.imports[g];
    return imp.name == "NumpyArrayWrapper" &&
           (imp.module == "joblib.numpy_pickle" ||
            imp.module == "sklearn.externals.joblib.numpy_pickle");
  }
  static const Value* DictGet(const Value& dict, std::string_view key) {
    auto items = Items(dict);
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
      if (items[i].kind == K::kStr && Text(items[i]) == key) return &items[i + 1];
    }
    return nullptr;
  }
  // Item size of a numpy dtype string such as "f8", "<U10", "|S5", "V16";
  // 0 with *object = true for object dtypes; -1 if unknown.
  static std::int64_t ItemSize(std::string_view d, bool* object) {
    *object = false;
    if (!d.empty() && (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '='))
      d.remove_prefix(1);
    if (d.empty()) return -1;
    char kind = d[0];
    std::string_view digits = d.substr(1);
    auto br = digits.find('[');
    if (br != std::string_view::npos) digits = digits.substr(0, br);
    std::int64_t n = 0;
    if (!digits.empty()) {
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (ec != std::errc() || ptr != digits.data() + digits.size()) return -1;
    }
    switch (kind) {
      case 'O':
        *object = true;
        return 0;
      case 'U':
        return digits.empty() ? -1 : n * 4;
      case 'b':
      case 'i':
      case 'u':
      case 'f':
      case 'c':
      case 'S':
      case 'a':
      case 'V':
      case 'M':
      case 'm':
      case 'e':
      case 'd':
      case 'g':
      case 'h':
      case 'l':
      case 'q':
        if (digits.empty()) {
          // Single-character codes.
          switch (kind) {
            case 'b':
              return 1;
            case 'e':
              return 2;
            case 'h':
              return 2;
            case 'i':
            case 'f':
              return 4;
            case 'l':
            case 'q':
            case 'd':
              return 8;
            case 'g':
              return 16;
            default:
              return -1;
          }
        }
        return n;
      case '?':
        return 1;
      default:
        return -1;
    }
  }
  void JoblibArray(const Value& state) {
    auto unsized = [&](const std::string& why) {
      Issue("joblib.unsized-array",
            "joblib array data follows but its size cannot be determined (" + why +
                "); the rest of the stream was not scanned",
            op_offset_);
      throw Stop{};
    };
    if (state.kind != K::kDict) unsized("state is not a dict");
    const Value* shape = DictGet(state, "shape");
    const Value* dtype = DictGet(state, "dtype");
    if (shape == nullptr || dtype == nullptr) unsized("shape or dtype missing");
    std::uint64_t count = 1;
    if (shape->kind == K::kInt) {
      count = static_cast<std::uint64_t>(std::max<std::int64_t>(0, shape->i));
    } else if (shape->kind == K::kTuple || shape->kind == K::kList) {
      auto dims = Items(*shape);
      if (shape->truncated) unsized("shape has too many dimensions");
      {
        for (const Value& d : dims) {
          if (d.kind != K::kInt || d.i < 0) unsized("shape is not a tuple of integers");
          if (d.i != 0 && count > (std::uint64_t{1} << 62) / static_cast<std::uint64_t>(d.i)) {
            unsized("shape overflows");
          }
          count *= static_cast<std::uint64_t>(d.i);
        }
      }
    } else {
      unsized("shape is not a tuple");
    }
    // dtype: the result of numpy.dtype('f8', False, True) with a BUILD state.
    std::string_view descr;
    if (dtype->kind == K::kObject) {
      auto args = Items(*dtype);
      if (!args.empty() && args[0].kind == K::kTuple) {
        auto a = Items(args[0]);
        if (!a.empty() && a[0].kind == K::kStr) descr = Text(a[0]);
      }
    } else if (dtype->kind == K::kStr) {
      descr = Text(*dtype);
    }
    if (descr.empty()) unsized("dtype is not a plain numpy dtype");
    bool object = false;
    std::int64_t item = ItemSize(descr, &object);
    if (!object && item < 0) unsized("dtype '" + std::string(descr) + "' is not understood");
    if (!object && descr[0] == 'V') {
      // Structured dtypes may hold objects in their fields; we do not track them.
      unsized("structured dtype");
    }
    // joblib pads only raw array bytes: an object array's pickle follows the
    // wrapper directly, whatever the alignment says.
    const Value* align = DictGet(state, "numpy_array_alignment_bytes");
    if (!object && align != nullptr && align->kind == K::kInt) {
      const std::uint8_t* pad = Need(1, "joblib array padding length");
      std::uint64_t skipped = r_.Skip(*pad);
      if (skipped != *pad) {
        CheckStreamError();
        Truncated("truncated in joblib array padding");
      }
    }
    if (object) {
      // Object arrays are pickled after the wrapper, as a pickle of their own.
      if (nesting_ >= lim_.max_nested) Limit("joblib object arrays nested too deeply");
      PickleScanResult inner;
      Machine m(r_, policy_, opt_, inner, nesting_ + 1);
      m.Run(/*single=*/true);
      Merge(inner);
      if (inner.stopped_on_error) throw Stop{};
      return;
    }
    if (item != 0 && count > (std::uint64_t{1} << 62) / static_cast<std::uint64_t>(item)) {
      unsized("array size overflows");
    }
    std::uint64_t bytes = count * static_cast<std::uint64_t>(item);
    std::uint64_t skipped = r_.Skip(bytes);
    if (skipped != bytes) {
      CheckStreamError();
      Truncated("truncated in joblib array data: " + std::to_string(bytes) + " bytes expected, " +
                std::to_string(skipped) + " present");
    }
  }
  void Merge(const PickleScanResult& inner) {
    for (const auto& imp : inner.imports) {
      std::string key = imp.module + '\n' + imp.name;
      auto it = import_index_.find(key);
      if (it == import_index_.end()) {
        out_.imports.push_back(imp);
        import_index_.emplace(key, static_cast<std::int32_t>(out_.imports.size() - 1));
      } else {
        auto& mine = out_.imports[it->second];
        mine.count += imp.count;
        if (mine.calls == 0 && imp.calls > 0) {
          mine.call = imp.call;
          mine.call_offset = imp.call_offset;
          mine.args = imp.args;
        }
        mine.calls += imp.calls;
      }
    }
    for (const auto& is : inner.issues) Issue(is.rule, is.message, is.offset);
    out_.persistent_ids += inner.persistent_ids;
    out_.ops += inner.ops;
    out_.max_protocol = std::max(out_.max_protocol, inner.max_protocol);
  }

  // ---- parsing helpers ----
  static bool ParseDecimal(std::string_view s, std::int64_t* out) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == 'L'))
      s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    if (ec == std::errc::result_out_of_range) {
      // A big integer: valid, just not representable.
      for (char c : s) {
        if (!(c == '-' || (c >= '0' && c <= '9'))) return false;
      }
      *out = INT64_MAX;
      return true;
    }
    return ec == std::errc() && p == s.data() + s.size();
  }

  // Decodes a STRING operand: a Python 2 repr in quotes, with escapes.
  Value ParseQuoted(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
    if (s.size() < 2 || (s.front() != '\'' && s.front() != '"') || s.back() != s.front()) {
      Fail("STRING operand is not quoted");
    }
    s = s.substr(1, s.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c != '\\' || i + 1 == s.size()) {
        out += c;
        continue;
      }
      char e = s[++i];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
          int v = e - '0';
          for (int k = 0; k < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++k) {
            v = v * 8 + (s[++i] - '0');
          }
          out += static_cast<char>(v);
          break;
        }
        case 'x':
          if (i + 2 < s.size() + 0 && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
              std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
          } else {
            Fail("bad \\x escape in STRING operand");
          }
          break;
        default:
          out += e;
          break;  // \\ \' \" and unknown escapes keep the char
      }
    }
    bool trunc = out.size() > lim_.max_kept_string;
    if (trunc) out.resize(lim_.max_kept_string);
    return MakeStr(K::kStr, out, trunc);
  }

  // Decodes raw-unicode-escape (UNICODE operand): only \uXXXX / \UXXXXXXXX.
  Value ParseRawUnicode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
        std::size_t n = s[i + 1] == 'u' ? 4 : 8;
        if (i + 2 + n > s.size()) Fail("truncated \\u escape in UNICODE operand");
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < n; ++k) {
          int d = HexDigitValue(s[i + 2 + k]);
          if (d < 0) Fail("bad \\u escape in UNICODE");
          cp = cp * 16 + static_cast<std::uint32_t>(d);
        }
        i += 1 + n;
        // UTF-8 encode.
        if (cp < 0x80) {
          out += static_cast<char>(cp);
        } else if (cp < 0x800) {
          out += static_cast<char>(0xC0 | (cp >> 6));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          out += static_cast<char>(0xE0 | (cp >> 12));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          out += static_cast<char>(0xF0 | (cp >> 18));
          out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        }
      } else {
        // Latin-1 byte to UTF-8.
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
          out += static_cast<char>(c);
        } else {
          out += static_cast<char>(0xC0 | (c >> 6));
          out += static_cast<char>(0x80 | (c & 0x3F));
        }
      }
    }
    bool trunc = out.size() > lim_.max_kept_string;
    if (trunc) out.resize(lim_.max_kept_string);
    return MakeStr(K::kStr, out, trunc);
  }

  void ImportByName(std::string module, std::string name, std::uint8_t op) {
    Value g;
    g.kind = K::kGlobal;
    g.set_glob(RecordImport(std::move(module), std::move(name), op));
    Push(std::move(g));
  }

  void Unresolved(std::string why) {
    Issue("pickle.unresolved-import", why, op_offset_);
    Value g;
    g.kind = K::kGlobal;
    g.set_glob(-1);
    Push(std::move(g));
  }

  // ---- frames ----
  void CheckFrameAtOp() {
    if (!in_frame_) return;
    if (op_offset_ == frame_end_) {
      in_frame_ = false;
    } else if (op_offset_ > frame_end_) {
      in_frame_ = false;
      Issue("pickle.frame-mismatch",
            "an opcode crosses the end of its FRAME (frame ends at " + std::to_string(frame_end_) +
                "); loaders that trust frame lengths see different data",
            op_offset_);
    }
  }

  // ---- one pickle ----
  void RunOne() {
    stack_.clear();
    marks_.clear();
    memo_.clear();
    sparse_.clear();
    memo_count_ = 0;
    protocol_ = 0;
    in_frame_ = false;
    while (true) {
      if (!r_.Ensure(1)) {
        CheckStreamError();
        op_offset_ = r_.offset();
        if (in_frame_ && frame_end_ > op_offset_) {
          Issue("pickle.frame-mismatch",
                "FRAME claims " + std::to_string(frame_end_ - frame_start_) +
                    " bytes but the stream ends first",
                frame_start_);
        }
        Truncated("the stream ends without STOP");
      }
      op_offset_ = r_.offset();
      CheckFrameAtOp();
      std::uint8_t op = *r_.ptr();
      r_.Advance(1);
      out_.ops++;
      if (Step(op)) return;  // STOP
    }
  }

  // Executes one opcode; true on STOP.
  bool Step(std::uint8_t op) {
    switch (op) {
      case PROTO: {
        std::uint8_t v = *Need(1, "PROTO");
        if (v > 5) Fail("unsupported pickle protocol " + std::to_string(v));
        protocol_ = v;
        out_.max_protocol = std::max<int>(out_.max_protocol, v);
        return false;
      }
      case FRAME: {
        std::uint64_t n = Le64(Need(8, "FRAME"));
        if (in_frame_ && r_.offset() - 9 < frame_end_) {
          Issue("pickle.frame-mismatch",
                "a FRAME starts before the previous frame ends (at " + std::to_string(frame_end_) +
                    ")",
                op_offset_);
        }
        in_frame_ = true;
        frame_start_ = r_.offset();
        frame_end_ = r_.offset() + n;
        if (frame_end_ < frame_start_) frame_end_ = UINT64_MAX;
        return false;
      }
      case STOP:
        if (stack_.empty()) Fail("STOP with an empty stack");
        if (in_frame_ && r_.offset() != frame_end_) {
          Issue("pickle.frame-mismatch",
                "the pickle stops at " + std::to_string(r_.offset()) +
                    " inside a FRAME ending at " + std::to_string(frame_end_),
                op_offset_);
        }
        stack_.clear();
        return true;
      case MARK:
        if (marks_.size() >= lim_.max_marks) Limit("too many nested MARKs");
        marks_.push_back(stack_.size());
        return false;
      case POP:
        // CPython pops the MARK if it sits on top of the stack.
        if (!marks_.empty() && marks_.back() == stack_.size()) {
          marks_.pop_back();
        } else {
          Pop("POP");
        }
        return false;
      case POP_MARK:
        stack_.resize(PopMark("POP_MARK"));
        return false;
      case DUP: {
        Value v = Top("DUP");
        Push(std::move(v));
        return false;
      }
      // ---- scalars ----
      case NONE:
        Push(Of(K::kNone));
        return false;
      case NEWTRUE:
      case NEWFALSE: {
        Value v;
        v.kind = K::kBool;
        v.i = op == NEWTRUE;
        Push(std::move(v));
        return false;
      }
      case INT: {
        std::string_view l = Line("INT");
        Value v;
        if (l == "00" || l == "01") {
          v.kind = K::kBool;
          v.i = l == "01";
        } else if (!ParseDecimal(l, &v.i)) {
          Fail("INT operand is not an integer");
        } else {
          v.kind = K::kInt;
        }
        Push(std::move(v));
        return false;
      }
      case LONG: {
        std::string_view l = Line("LONG");
        Value v;
        if (!ParseDecimal(l, &v.i)) Fail("LONG operand is not an integer");
        v.kind = K::kInt;
        Push(std::move(v));
        return false;
      }
      case BININT: {
        Value v;
        v.kind = K::kInt;
        v.i = static_cast<std::int32_t>(Le32(Need(4, "BININT")));
        Push(std::move(v));
        return false;
      }
      case BININT1: {
        Value v;
        v.kind = K::kInt;
        v.i = *Need(1, "BININT1");
        Push(std::move(v));
        return false;
      }
      case BININT2: {
        Value v;
        v.kind = K::kInt;
        v.i = Le16(Need(2, "BININT2"));
        Push(std::move(v));
        return false;
      }
      case LONG1:
      case LONG4: {
        std::uint64_t n = op == LONG1 ? *Need(1, "LONG1") : Le32(Need(4, "LONG4"));
        if (op == LONG4 && static_cast<std::int32_t>(n) < 0) Fail("LONG4 with a negative length");
        Value v;
        if (n <= 8) {
          const std::uint8_t* p = Need(static_cast<std::size_t>(n), "LONG1");
          std::uint64_t x = 0;
          for (std::size_t k = 0; k < n; ++k) x |= std::uint64_t(p[k]) << (8 * k);
          if (n > 0 && n < 8 && (p[n - 1] & 0x80)) x |= ~std::uint64_t(0) << (8 * n);
          v.kind = K::kInt;
          v.i = static_cast<std::int64_t>(x);
        } else {
          if (r_.Skip(n) != n) {
            CheckStreamError();
            Truncated("truncated in LONG4");
          }
          v.kind = K::kOther;
        }
        Push(std::move(v));
        return false;
      }
      case FLOAT:
        Line("FLOAT");
        Push(Value{});
        return false;
      case BINFLOAT:
        Need(8, "BINFLOAT");
        Push(Value{});
        return false;
      // ---- strings ----
      case STRING:
        Push(ParseQuoted(Line("STRING")));
        return false;
      case UNICODE:
        Push(ParseRawUnicode(Line("UNICODE")));
        return false;
      case BINSTRING:
        Push(Counted(K::kStr, Le32(Need(4, "BINSTRING")), "BINSTRING"));
        return false;
      case SHORT_BINSTRING:
        Push(Counted(K::kStr, *Need(1, "SHORT_BINSTRING"), "SHORT_BINSTRING"));
        return false;
      case BINUNICODE:
        Push(Counted(K::kStr, Le32(Need(4, "BINUNICODE")), "BINUNICODE"));
        return false;
      case SHORT_BINUNICODE:
        Push(Counted(K::kStr, *Need(1, "SHORT_BINUNICODE"), "SHORT_BINUNICODE"));
        return false;
      case BINUNICODE8:
        Push(Counted(K::kStr, Le64(Need(8, "BINUNICODE8")), "BINUNICODE8"));
        return false;
      case BINBYTES:
        Push(Counted(K::kBytes, Le32(Need(4, "BINBYTES")), "BINBYTES"));
        return false;
      case SHORT_BINBYTES:
        Push(Counted(K::kBytes, *Need(1, "SHORT_BINBYTES"), "SHORT_BINBYTES"));
        return false;
      case BINBYTES8:
        Push(Counted(K::kBytes, Le64(Need(8, "BINBYTES8")), "BINBYTES8"));
        return false;
      case BYTEARRAY8:
        Push(Counted(K::kBytes, Le64(Need(8, "BYTEARRAY8")), "BYTEARRAY8"));
        return false;
      case NEXT_BUFFER:
        Push(Of(K::kBytes));
        return false;
      case READONLY_BUFFER:
        Top("READONLY_BUFFER");
        return false;
      // ---- containers ----
      case EMPTY_TUPLE:
        Push(MakeContainer(K::kTuple));
        return false;
      case EMPTY_LIST:
        Push(MakeContainer(K::kList));
        return false;
      case EMPTY_DICT:
        Push(MakeContainer(K::kDict));
        return false;
      case EMPTY_SET:
        Push(MakeContainer(K::kSet));
        return false;
      case TUPLE1:
      case TUPLE2:
      case TUPLE3: {
        std::size_t n = op - TUPLE1 + 1;
        if (stack_.size() < Floor() + n) Fail("stack underflow in TUPLE" + std::to_string(n));
        Value t = MakeContainer(K::kTuple);
        for (std::size_t k = stack_.size() - n; k < stack_.size(); ++k) {
          AddChild(t, std::move(stack_[k]));
        }
        stack_.resize(stack_.size() - n);
        Push(std::move(t));
        return false;
      }
      case TUPLE:
      case LIST:
      case FROZENSET: {
        std::size_t m = PopMark(op == TUPLE ? "TUPLE" : op == LIST ? "LIST" : "FROZENSET");
        Value t = MakeContainer(op == TUPLE ? K::kTuple : op == LIST ? K::kList : K::kSet);
        for (std::size_t k = m; k < stack_.size(); ++k) AddChild(t, std::move(stack_[k]));
        stack_.resize(m);
        Push(std::move(t));
        return false;
      }
      case DICT: {
        std::size_t m = PopMark("DICT");
        if ((stack_.size() - m) % 2 != 0) Fail("DICT with an odd number of items");
        Value d = MakeContainer(K::kDict);
        for (std::size_t k = m; k < stack_.size(); ++k) AddChild(d, std::move(stack_[k]));
        stack_.resize(m);
        Push(std::move(d));
        return false;
      }
      case APPEND: {
        Value v = Pop("APPEND");
        Value& list = Top("APPEND");
        AppendTo(list, std::move(v), "APPEND");
        return false;
      }
      case APPENDS: {
        std::size_t m = PopMark("APPENDS");
        Value& list = BelowMark(m, "APPENDS");
        for (std::size_t k = m; k < stack_.size(); ++k)
          AppendTo(list, std::move(stack_[k]), "APPENDS");
        stack_.resize(m);
        return false;
      }
      case SETITEM: {
        Value v = Pop("SETITEM");
        Value k = Pop("SETITEM");
        Value& d = Top("SETITEM");
        SetItem(d, std::move(k), std::move(v), "SETITEM");
        return false;
      }
      case SETITEMS: {
        std::size_t m = PopMark("SETITEMS");
        if ((stack_.size() - m) % 2 != 0) Fail("SETITEMS with an odd number of items");
        Value& d = BelowMark(m, "SETITEMS");
        for (std::size_t k = m; k + 1 < stack_.size(); k += 2) {
          SetItem(d, std::move(stack_[k]), std::move(stack_[k + 1]), "SETITEMS");
        }
        stack_.resize(m);
        return false;
      }
      case ADDITEMS: {
        std::size_t m = PopMark("ADDITEMS");
        Value& s = BelowMark(m, "ADDITEMS");
        if (s.kind != K::kSet) {
          NonContainerMutation(s, "ADDITEMS", "add");
        } else {
          for (std::size_t k = m; k < stack_.size(); ++k) AddChild(s, std::move(stack_[k]));
        }
        stack_.resize(m);
        return false;
      }
      // ---- memo ----
      case PUT: {
        std::int64_t k;
        if (!ParseDecimal(Line("PUT"), &k) || k < 0) Fail("PUT key is not a non-negative integer");
        MemoPut(static_cast<std::uint64_t>(k), Top("PUT"));
        return false;
      }
      case BINPUT:
        MemoPut(*Need(1, "BINPUT"), Top("BINPUT"));
        return false;
      case LONG_BINPUT:
        MemoPut(Le32(Need(4, "LONG_BINPUT")), Top("LONG_BINPUT"));
        return false;
      case MEMOIZE:
        MemoPut(memo_count_, Top("MEMOIZE"));
        return false;
      case GET: {
        std::int64_t k;
        if (!ParseDecimal(Line("GET"), &k) || k < 0) Fail("GET key is not a non-negative integer");
        Push(MemoGet(static_cast<std::uint64_t>(k)));
        return false;
      }
      case BINGET:
        Push(MemoGet(*Need(1, "BINGET")));
        return false;
      case LONG_BINGET:
        Push(MemoGet(Le32(Need(4, "LONG_BINGET"))));
        return false;
      // ---- imports ----
      case GLOBAL: {
        std::string module(Line("GLOBAL module"));
        std::string name(Line("GLOBAL name"));
        ImportByName(StripCr(module), StripCr(name), op);
        return false;
      }
      case STACK_GLOBAL: {
        Value name = Pop("STACK_GLOBAL");
        Value module = Pop("STACK_GLOBAL");
        if (module.kind == K::kStr && name.kind == K::kStr && !module.truncated &&
            !name.truncated) {
          ImportByName(std::string(Text(module)), std::string(Text(name)), op);
        } else {
          std::string why = "STACK_GLOBAL operands are not both strings we can read";
          if (module.kind == K::kStr && name.kind == K::kStr) {
            why = "STACK_GLOBAL operands are too long to resolve";
          } else if (module.kind == K::kBytes || name.kind == K::kBytes) {
            why = "STACK_GLOBAL operands are bytes (a stock loader refuses them)";
          } else if (module.kind == K::kObject || name.kind == K::kObject) {
            why = "STACK_GLOBAL operands are computed by a call at load time";
          }
          Unresolved(why);
        }
        return false;
      }
      case EXT1:
      case EXT2:
      case EXT4: {
        std::int64_t code = op == EXT1   ? *Need(1, "EXT1")
                            : op == EXT2 ? Le16(Need(2, "EXT2"))
                                         : static_cast<std::int32_t>(Le32(Need(4, "EXT4")));
        if (auto ext = policy_.Extension(code)) {
          ImportByName(ext->first, ext->second, op);
        } else {
          Issue("pickle.extension-code",
                std::string(OpName(op)) + " imports extension code " + std::to_string(code) +
                    " from copyreg's registry, which this policy does not map to a global",
                op_offset_);
          Value g;
          g.kind = K::kGlobal;
          g.set_glob(-1);
          Push(std::move(g));
        }
        return false;
      }
      // ---- calls ----
      case REDUCE: {
        Value args = Pop("REDUCE");
        Value callable = Pop("REDUCE");
        RecordCall(callable, "REDUCE", &args);
        Value r = CallResult(callable);
        // Keep the arguments (numpy.dtype('f8', ...) feeds joblib sizing).
        AddChild(r, std::move(args));
        Push(std::move(r));
        return false;
      }
      case NEWOBJ: {
        Value args = Pop("NEWOBJ");
        Value cls = Pop("NEWOBJ");
        RecordCall(cls, "NEWOBJ", &args);
        Push(CallResult(cls));
        return false;
      }
      case NEWOBJ_EX: {
        Value kwargs = Pop("NEWOBJ_EX");
        Value args = Pop("NEWOBJ_EX");
        Value cls = Pop("NEWOBJ_EX");
        RecordCall(cls, "NEWOBJ_EX", &args);
        Push(CallResult(cls));
        return false;
      }
      case OBJ: {
        std::size_t m = PopMark("OBJ");
        if (m == stack_.size()) Fail("OBJ without a class");
        Value cls = std::move(stack_[m]);
        Value args = MakeContainer(K::kTuple);
        for (std::size_t k = m + 1; k < stack_.size(); ++k) AddChild(args, std::move(stack_[k]));
        stack_.resize(m);
        RecordCall(cls, "OBJ", &args);
        Push(CallResult(cls));
        return false;
      }
      case INST: {
        std::string module(Line("INST module"));
        std::string name(Line("INST name"));
        Value cls;
        cls.kind = K::kGlobal;
        cls.set_glob(RecordImport(StripCr(module), StripCr(name), op));
        std::size_t m = PopMark("INST");
        Value args = MakeContainer(K::kTuple);
        for (std::size_t k = m; k < stack_.size(); ++k) AddChild(args, std::move(stack_[k]));
        stack_.resize(m);
        RecordCall(cls, "INST", &args);
        Push(CallResult(cls));
        return false;
      }
      case BUILD: {
        Value state = Pop("BUILD");
        Value& inst = Top("BUILD");
        if (inst.kind == K::kObject && inst.glob() >= 0) {
          Value cls;
          cls.kind = K::kGlobal;
          cls.set_glob(inst.glob());
          RecordCall(cls, "BUILD (__setstate__)", nullptr);
          if (IsJoblibWrapper(inst.glob())) {
            JoblibArray(state);
            if (in_frame_ && r_.offset() > frame_end_) in_frame_ = false;
          }
        } else if (inst.kind == K::kGlobal || inst.kind == K::kPid) {
          // BUILD on a class or persistent object sets attributes or calls
          // its __setstate__; the import itself is reported.
        }
        return false;
      }
      case PERSID: {
        Line("PERSID");
        out_.persistent_ids++;
        Push(Of(K::kPid));
        return false;
      }
      case BINPERSID: {
        Pop("BINPERSID");
        out_.persistent_ids++;
        Push(Of(K::kPid));
        return false;
      }
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02x", op);
        Fail(std::string("unknown opcode ") + buf);
      }
    }
  }

  static std::string StripCr(std::string s) {
    while (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
  }

  void AppendTo(Value& target, Value&& v, const char* how) {
    if (target.kind == K::kList) {
      AddChild(target, std::move(v));
    } else {
      NonContainerMutation(target, how, "append/extend");
    }
  }
  void SetItem(Value& target, Value&& k, Value&& v, const char* how) {
    if (target.kind == K::kDict) {
      AddChild(target, std::move(k));
      AddChild(target, std::move(v));
    } else {
      NonContainerMutation(target, how, "__setitem__");
    }
  }
  // APPEND/SETITEM on an object calls its method: code if the class is hostile.
  void NonContainerMutation(const Value& target, const char* how, const char* method) {
    if (target.kind == K::kObject && target.glob() >= 0) {
      Value cls;
      cls.kind = K::kGlobal;
      cls.set_glob(target.glob());
      RecordCall(cls, how, nullptr);
      return;
    }
    if (target.kind == K::kObject || target.kind == K::kGlobal || target.kind == K::kPid) return;
    Fail(std::string(how) + " on a value that has no " + method);
  }

  BufferedReader& r_;
  const Policy& policy_;
  const PickleOptions& opt_;
  const PickleLimits lim_;
  PickleScanResult& out_;
  int nesting_;

  std::vector<Value> stack_;
  std::vector<std::size_t> marks_;
  std::deque<Value> memo_;  // chunked: growth never moves values
  std::unordered_map<std::uint64_t, Value> sparse_;
  std::size_t memo_count_ = 0;
  std::uint64_t pushes_ = 0;
  std::unordered_map<std::string, std::int32_t> import_index_;
  int protocol_ = 0;
  std::uint64_t op_offset_ = 0;
  bool in_frame_ = false;
  std::uint64_t frame_start_ = 0, frame_end_ = 0;
};

}  // namespace

PickleScanResult ScanPickle(BufferedReader& reader, const Policy& policy,
                            const PickleOptions& options) {
  static thread_local NodePool pool;
  static thread_local int active = 0;  // ScanPickle calls running on this thread
  g_pool_ptr = &pool;
  PickleScanResult out;
  struct Scope {
    NodePool& pool;
    int& active;
    ~Scope() {
      if (--active == 0) pool.ReclaimAll();
    }
  } scope{pool, ++active};
  {
    Machine m(reader, policy, options, out, 0);
    m.Run(/*single=*/false);
  }
  return out;
}

namespace internal {
std::size_t PickleNodesLive() { return g_pool_ptr != nullptr ? g_pool_ptr->live() : 0; }
}  // namespace internal

bool LooksLikeBinaryPickle(std::span<const std::uint8_t> head) {
  return head.size() >= 2 && head[0] == PROTO && head[1] <= 5;
}

bool StartsLikePickle(std::uint8_t op) {
  switch (op) {
    // Opcodes CPython's unpickler accepts on an empty stack: they push a
    // value, open a MARK, or (GLOBAL, INST) import before anything else.
    case PROTO:
    case FRAME:
    case MARK:
    case EMPTY_TUPLE:
    case EMPTY_LIST:
    case EMPTY_DICT:
    case EMPTY_SET:
    case GLOBAL:
    case INST:
    case INT:
    case BININT:
    case BININT1:
    case BININT2:
    case LONG:
    case LONG1:
    case LONG4:
    case NONE:
    case NEWTRUE:
    case NEWFALSE:
    case FLOAT:
    case BINFLOAT:
    case STRING:
    case BINSTRING:
    case SHORT_BINSTRING:
    case UNICODE:
    case BINUNICODE:
    case SHORT_BINUNICODE:
    case BINUNICODE8:
    case BINBYTES:
    case SHORT_BINBYTES:
    case BINBYTES8:
    case BYTEARRAY8:
    case PERSID:
    case EXT1:
    case EXT2:
    case EXT4:
      return true;
    default:
      return false;
  }
}

namespace {
// A dotted Python name: identifiers (ASCII or not) separated by dots.
bool DottedName(std::string_view s) {
  if (s.empty()) return false;
  bool start = true;
  for (unsigned char c : s) {
    if (c == '.') {
      if (start) return false;
      start = true;
      continue;
    }
    bool ident = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    if (!ident && !(c >= '0' && c <= '9' && !start)) return false;
    start = false;
  }
  return !start;
}
}  // namespace

bool IsPickleEvidence(const PickleScanResult& r) {
  if (r.pickles > 0) return true;
  // A limit stopped the machine before it could tell: what follows might
  // import (70000 MARKs, then GLOBAL os system). Fail closed.
  for (const auto& is : r.issues) {
    if (is.rule == "pickle.limit") return true;
  }
  for (const auto& imp : r.imports) {
    if (imp.calls > 0 || (DottedName(imp.module) && DottedName(imp.name))) return true;
  }
  return false;
}

}  // namespace rampart::artifacts
