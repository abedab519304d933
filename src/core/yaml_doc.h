// A read-only YAML (and JSON) document tree built from libyaml's events, for
// input that is large and read once: Kubernetes manifests, cluster dumps.
//
// Every node carries its 1-based line and column. Scalars are string_views
// into an arena owned by the YamlStream; a YamlNode is a pointer-sized handle
// that stays valid while its YamlStream lives (moving the stream keeps it
// valid). Aliases share the anchored node (no copy); an alias that would make
// a document expand past YamlLimits::max_alias_nodes is refused, as are
// nesting deeper than max_depth and more than max_documents documents.
//
// Parse errors are values: "file:line:col: what libyaml found". Nothing here
// throws on input or asserts on it. A YamlStream is immutable once built and
// may be read from several threads.
//
// yaml-cpp (core/yaml.h) stays for the estate and other small files, whose
// readers use YamlFields; this tree is for the hot path of `zones analyze`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"

namespace rampart {

namespace yaml_internal {
struct NodeData;
}

class YamlNode;

// One key/value pair of a mapping.
struct YamlEntry;

class YamlNode {
 public:
  enum class Kind : std::uint8_t { kUndefined, kNull, kScalar, kSequence, kMap };

  // An undefined node: what a lookup of a missing key returns.
  YamlNode() = default;
  explicit YamlNode(const yaml_internal::NodeData* d) : d_(d) {}

  Kind kind() const;
  bool IsDefined() const { return d_ != nullptr; }
  // `~`, `null`, `Null`, `NULL`, an empty plain scalar, or `!!null`.
  bool IsNull() const { return kind() == Kind::kNull; }
  bool IsScalar() const { return kind() == Kind::kScalar; }
  bool IsSequence() const { return kind() == Kind::kSequence; }
  bool IsMap() const { return kind() == Kind::kMap; }

  // The scalar's text ("" for anything but a scalar or null).
  std::string_view Scalar() const;
  // True for a plain (unquoted, untagged) scalar: `80` is a number, `"80"` a
  // string.
  bool IsPlain() const;

  // 1-based; 0 for an undefined node.
  int line() const;
  int column() const;

  // Elements of a sequence, entries of a mapping; 0 otherwise.
  std::size_t size() const;

  // The i-th element of a sequence. REQUIRES: IsSequence() and i < size().
  YamlNode operator[](std::size_t i) const;
  // The value of the first entry whose key is the scalar `key`; undefined
  // when absent or when this is not a mapping. Linear in the entries.
  YamlNode Get(std::string_view key) const;

  class ElementIterator;
  class EntryIterator;
  template <typename It>
  struct Range {
    It b, e;
    It begin() const { return b; }
    It end() const { return e; }
  };
  // Elements of a sequence (empty for anything else).
  Range<ElementIterator> Elements() const;
  // Entries of a mapping in document order (empty for anything else).
  Range<EntryIterator> Entries() const;

  friend bool operator==(YamlNode a, YamlNode b) { return a.d_ == b.d_; }

 private:
  const yaml_internal::NodeData* d_ = nullptr;
};

struct YamlEntry {
  YamlNode key;
  YamlNode value;
};

namespace yaml_internal {
// 24 bytes: a manifest of a few MB has a few hundred thousand of these.
struct NodeData {
  union {
    const char* text;              // scalar, null
    const NodeData* const* items;  // sequence: size; mapping: 2*size (key, value, ...)
  };
  std::uint32_t size;      // sequence: elements; mapping: entries; scalar: bytes
  std::uint32_t line;      // 1-based
  std::uint32_t column;    // 1-based
  std::uint32_t kind : 3;  // YamlNode::Kind
  std::uint32_t plain : 1;
  // Nodes this one expands to, aliases counted in full (1 for a scalar),
  // saturating at kMaxWeight.
  std::uint32_t weight : 28;
  static constexpr std::uint32_t kMaxWeight = (1u << 28) - 1;
};
}  // namespace yaml_internal

class YamlNode::ElementIterator {
 public:
  explicit ElementIterator(const yaml_internal::NodeData* const* p) : p_(p) {}
  YamlNode operator*() const { return YamlNode(*p_); }
  ElementIterator& operator++() {
    ++p_;
    return *this;
  }
  bool operator!=(const ElementIterator& o) const { return p_ != o.p_; }

 private:
  const yaml_internal::NodeData* const* p_;
};

class YamlNode::EntryIterator {
 public:
  explicit EntryIterator(const yaml_internal::NodeData* const* p) : p_(p) {}
  YamlEntry operator*() const { return {YamlNode(p_[0]), YamlNode(p_[1])}; }
  EntryIterator& operator++() {
    p_ += 2;
    return *this;
  }
  bool operator!=(const EntryIterator& o) const { return p_ != o.p_; }

 private:
  const yaml_internal::NodeData* const* p_;
};

inline YamlNode::Kind YamlNode::kind() const {
  return d_ ? static_cast<Kind>(d_->kind) : Kind::kUndefined;
}
inline std::string_view YamlNode::Scalar() const {
  return d_ && (kind() == Kind::kScalar || kind() == Kind::kNull)
             ? std::string_view(d_->text, d_->size)
             : std::string_view();
}
inline bool YamlNode::IsPlain() const { return d_ && d_->plain; }
inline int YamlNode::line() const { return d_ ? static_cast<int>(d_->line) : 0; }
inline int YamlNode::column() const { return d_ ? static_cast<int>(d_->column) : 0; }
inline std::size_t YamlNode::size() const {
  return d_ && (kind() == Kind::kSequence || kind() == Kind::kMap) ? d_->size : 0;
}
inline YamlNode YamlNode::operator[](std::size_t i) const { return YamlNode(d_->items[i]); }
inline YamlNode::Range<YamlNode::ElementIterator> YamlNode::Elements() const {
  if (!IsSequence()) return {ElementIterator(nullptr), ElementIterator(nullptr)};
  return {ElementIterator(d_->items), ElementIterator(d_->items + d_->size)};
}
inline YamlNode::Range<YamlNode::EntryIterator> YamlNode::Entries() const {
  if (!IsMap()) return {EntryIterator(nullptr), EntryIterator(nullptr)};
  return {EntryIterator(d_->items), EntryIterator(d_->items + 2 * std::size_t{d_->size})};
}

struct YamlLimits {
  // Nested collections; deeper input is refused rather than walked.
  int max_depth = 256;
  // Nodes that aliases may add to one document, counted expanded: refuses
  // "billion laughs" alias bombs long before they cost memory or time.
  std::uint64_t max_alias_nodes = 1'000'000;
  std::size_t max_documents = 1'000'000;
};

// The documents of one YAML stream ("---" separated) or JSON text, and the
// arena that holds their nodes and scalars.
class YamlStream {
 public:
  YamlStream();
  ~YamlStream();
  YamlStream(YamlStream&&) noexcept;
  YamlStream& operator=(YamlStream&&) noexcept;

  const std::vector<YamlNode>& documents() const { return documents_; }

 private:
  friend class YamlBuilder;
  struct Arena;
  std::unique_ptr<Arena> arena_;
  std::vector<YamlNode> documents_;
};

// Parses `text` (YAML 1.1 as libyaml reads it, so JSON too). An empty text is
// a stream of no documents. Errors: InvalidArgument "file:line:col: what".
Result<YamlStream> ParseYamlStream(std::string_view text, std::string_view file,
                                   const YamlLimits& limits = {});

// Where a node starts in its file (line and column 0 when undefined).
SourceLocation LocationOf(YamlNode node, std::string_view file);

// The type of a node in words, as core/yaml.h says it ("a mapping", "a list",
// "a scalar", "null", "nothing").
std::string_view YamlTypeName(YamlNode node);

}  // namespace rampart
