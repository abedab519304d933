#include "core/yaml_doc.h"

#include <sys/mman.h>
#include <yaml.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <unordered_map>

namespace rampart {

using yaml_internal::NodeData;

// Bump allocator: nodes, item arrays and scalar bytes of one stream. Blocks
// are never moved, so pointers into them stay valid when the stream moves.
// Blocks double from 16 KiB to 4 MiB; those of 2 MiB and more ask for
// transparent huge pages, since first-touch page faults otherwise cost as much
// as the parse on a large dump.
struct YamlStream::Arena {
  static constexpr std::size_t kFirstBlock = 16 * 1024;
  static constexpr std::size_t kMaxBlock = 4 * 1024 * 1024;
  static constexpr std::size_t kHugePage = 2 * 1024 * 1024;

  struct Free {
    void operator()(void* p) const { std::free(p); }
  };

  void* Allocate(std::size_t n, std::size_t align) {
    std::size_t at = (used + align - 1) & ~(align - 1);
    if (blocks.empty() || at + n > cap) {
      NewBlock(n + align);
      at = 0;
    }
    used = at + n;
    return static_cast<char*>(blocks.back().get()) + at;
  }

  void NewBlock(std::size_t min) {
    std::size_t size = std::max(std::min(std::max(cap * 2, kFirstBlock), kMaxBlock), min);
    std::size_t align = size >= kHugePage ? kHugePage : alignof(std::max_align_t);
    size = (size + align - 1) & ~(align - 1);
    void* p = std::aligned_alloc(align, size);
    if (!p) throw std::bad_alloc();
    if (align == kHugePage) (void)madvise(p, size, MADV_HUGEPAGE);
    blocks.emplace_back(p);
    cap = size;
    used = 0;
  }

  std::vector<std::unique_ptr<void, Free>> blocks;
  std::size_t used = 0, cap = 0;
};

YamlStream::YamlStream() : arena_(std::make_unique<Arena>()) {}
YamlStream::~YamlStream() = default;
YamlStream::YamlStream(YamlStream&&) noexcept = default;
YamlStream& YamlStream::operator=(YamlStream&&) noexcept = default;

// Turns libyaml's event stream into nodes: an explicit stack of open
// collections whose children wait in `pending_` until their end event.
class YamlBuilder {
 public:
  YamlBuilder(std::string_view text, std::string_view file, const YamlLimits& limits)
      : text_(text), file_(file), limits_(limits) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~YamlBuilder() { yaml_parser_delete(&parser_); }
  YamlBuilder(const YamlBuilder&) = delete;
  YamlBuilder& operator=(const YamlBuilder&) = delete;

  Result<YamlStream> Build() {
    for (;;) {
      yaml_event_t ev;
      if (!yaml_parser_parse(&parser_, &ev)) return ParserError();
      Status st = Handle(ev);
      bool done = ev.type == YAML_STREAM_END_EVENT;
      yaml_event_delete(&ev);
      if (!st.ok()) return st;
      if (done) break;
    }
    return std::move(out_);
  }

 private:
  struct Open {
    NodeData* node;
    std::size_t first;  // index of its first child in pending_
    std::string anchor;
    yaml_mark_t mark;
  };

  Status Handle(const yaml_event_t& ev) {
    switch (ev.type) {
      case YAML_DOCUMENT_START_EVENT:
        if (out_.documents_.size() >= limits_.max_documents) {
          return Error(ev.start_mark, "more than " + std::to_string(limits_.max_documents) +
                                          " documents; split the file");
        }
        anchors_.clear();
        alias_nodes_ = 0;
        return OkStatus();
      case YAML_DOCUMENT_END_EVENT:
        // The parser guarantees exactly one root node per document.
        out_.documents_.emplace_back(pending_.empty() ? nullptr : pending_.back());
        pending_.clear();
        return OkStatus();
      case YAML_SCALAR_EVENT:
        return Scalar(ev);
      case YAML_SEQUENCE_START_EVENT:
        return Start(ev, YamlNode::Kind::kSequence, ev.data.sequence_start.anchor);
      case YAML_MAPPING_START_EVENT:
        return Start(ev, YamlNode::Kind::kMap, ev.data.mapping_start.anchor);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        return End();
      case YAML_ALIAS_EVENT:
        return Alias(ev);
      default:
        return OkStatus();
    }
  }

  NodeData* NewNode(YamlNode::Kind kind, const yaml_mark_t& m) {
    auto* n = static_cast<NodeData*>(out_.arena_->Allocate(sizeof(NodeData), alignof(NodeData)));
    n->kind = static_cast<std::uint32_t>(kind);
    n->plain = 0;
    n->line = static_cast<std::uint32_t>(std::min<std::size_t>(m.line + 1, UINT32_MAX));
    n->column = static_cast<std::uint32_t>(std::min<std::size_t>(m.column + 1, UINT32_MAX));
    n->size = 0;
    n->weight = 1;
    n->items = nullptr;
    return n;
  }

  static bool IsNullText(std::string_view s) {
    return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
  }

  Status Scalar(const yaml_event_t& ev) {
    const auto& s = ev.data.scalar;
    std::string_view value(reinterpret_cast<const char*>(s.value), s.length);
    std::string_view tag = s.tag ? reinterpret_cast<const char*>(s.tag) : "";
    bool plain = s.style == YAML_PLAIN_SCALAR_STYLE && tag.empty();
    bool null = (plain && IsNullText(value)) || tag == YAML_NULL_TAG;
    NodeData* n = NewNode(null ? YamlNode::Kind::kNull : YamlNode::Kind::kScalar, ev.start_mark);
    n->plain = plain ? 1 : 0;
    if (value.size() > UINT32_MAX) return Error(ev.start_mark, "scalar longer than 4 GiB");
    if (value.empty()) {
      n->text = "";
    } else {
      char* text = static_cast<char*>(out_.arena_->Allocate(value.size(), 1));
      std::memcpy(text, value.data(), value.size());
      n->text = text;
    }
    n->size = static_cast<std::uint32_t>(value.size());
    if (s.anchor) anchors_[reinterpret_cast<const char*>(s.anchor)] = n;
    pending_.push_back(n);
    return OkStatus();
  }

  Status Start(const yaml_event_t& ev, YamlNode::Kind kind, const yaml_char_t* anchor) {
    if (static_cast<int>(open_.size()) >= limits_.max_depth) {
      return Error(ev.start_mark, "nesting deeper than " + std::to_string(limits_.max_depth) +
                                      " levels; flatten the document");
    }
    open_.push_back({NewNode(kind, ev.start_mark), pending_.size(),
                     anchor ? reinterpret_cast<const char*>(anchor) : "", ev.start_mark});
    return OkStatus();
  }

  Status End() {
    Open o = std::move(open_.back());
    open_.pop_back();
    std::size_t count = pending_.size() - o.first;
    auto** items = static_cast<const NodeData**>(
        out_.arena_->Allocate(count * sizeof(NodeData*), alignof(NodeData*)));
    std::uint64_t weight = 1;
    for (std::size_t i = 0; i < count; ++i) {
      items[i] = pending_[o.first + i];
      weight += items[i]->weight;
    }
    weight = std::min<std::uint64_t>(weight, NodeData::kMaxWeight);
    pending_.resize(o.first);
    o.node->items = items;
    if (count > UINT32_MAX) return Error(o.mark, "a collection of more than 2^32 entries");
    o.node->size = static_cast<std::uint32_t>(
        o.node->kind == static_cast<std::uint32_t>(YamlNode::Kind::kMap) ? count / 2 : count);
    o.node->weight = weight;
    // An anchor names its node once the node is complete, so an alias inside
    // its own anchored node is unknown: no cycles.
    if (!o.anchor.empty()) anchors_[o.anchor] = o.node;
    pending_.push_back(o.node);
    return OkStatus();
  }

  Status Alias(const yaml_event_t& ev) {
    std::string name = reinterpret_cast<const char*>(ev.data.alias.anchor);
    auto it = anchors_.find(name);
    if (it == anchors_.end()) {
      return Error(ev.start_mark, "alias *" + name +
                                      " refers to no complete anchor before it; define &" + name +
                                      " first (an alias cannot refer to its own node)");
    }
    alias_nodes_ += it->second->weight;
    if (alias_nodes_ > limits_.max_alias_nodes) {
      return Error(ev.start_mark, "aliases expand this document to more than " +
                                      std::to_string(limits_.max_alias_nodes) +
                                      " nodes (an alias bomb?); refused");
    }
    pending_.push_back(it->second);
    return OkStatus();
  }

  Status Error(const yaml_mark_t& m, const std::string& what) const {
    return InvalidArgumentError(std::string(file_) + ":" + std::to_string(m.line + 1) + ":" +
                                std::to_string(m.column + 1) + ": " + what);
  }

  Status ParserError() const {
    std::string what = parser_.problem ? parser_.problem : "malformed YAML";
    if (parser_.error == YAML_MEMORY_ERROR)
      return ResourceExhaustedError(file_ + ": out of memory");
    if (parser_.error == YAML_READER_ERROR) {
      // Bad encoding: libyaml gives a byte offset, not a mark.
      std::size_t off = std::min(parser_.problem_offset, text_.size());
      yaml_mark_t m{};
      for (std::size_t i = 0; i < off; ++i) {
        if (text_[i] == '\n') {
          ++m.line;
          m.column = 0;
        } else {
          ++m.column;
        }
      }
      return Error(m, what + " (the file must be UTF-8 or UTF-16)");
    }
    if (parser_.context) {
      what += " " + std::string(parser_.context) + " that starts at " +
              std::to_string(parser_.context_mark.line + 1) + ":" +
              std::to_string(parser_.context_mark.column + 1);
    }
    return Error(parser_.problem_mark, what);
  }

  std::string_view text_;
  std::string file_;
  YamlLimits limits_;
  yaml_parser_t parser_;
  YamlStream out_;
  std::vector<Open> open_;
  std::vector<const NodeData*> pending_;
  std::unordered_map<std::string, const NodeData*> anchors_;
  std::uint64_t alias_nodes_ = 0;
};

YamlNode YamlNode::Get(std::string_view key) const {
  if (!IsMap()) return YamlNode();
  const NodeData* const* p = d_->items;
  for (std::uint32_t i = 0; i < d_->size; ++i, p += 2) {
    const NodeData* k = p[0];
    if (k->kind == static_cast<std::uint32_t>(Kind::kScalar) &&
        std::string_view(k->text, k->size) == key) {
      return YamlNode(p[1]);
    }
  }
  return YamlNode();
}

Result<YamlStream> ParseYamlStream(std::string_view text, std::string_view file,
                                   const YamlLimits& limits) {
  YamlBuilder b(text, file, limits);
  return b.Build();
}

SourceLocation LocationOf(YamlNode node, std::string_view file) {
  return {std::string(file), node.line(), node.column()};
}

std::string_view YamlTypeName(YamlNode node) {
  switch (node.kind()) {
    case YamlNode::Kind::kUndefined:
      return "nothing";
    case YamlNode::Kind::kNull:
      return "null";
    case YamlNode::Kind::kScalar:
      return "a scalar";
    case YamlNode::Kind::kSequence:
      return "a list";
    case YamlNode::Kind::kMap:
      return "a mapping";
  }
  return "unknown";
}

}  // namespace rampart
