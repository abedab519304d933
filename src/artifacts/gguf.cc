#include "artifacts/gguf.h"

#include <algorithm>
#include <array>

namespace rampart::artifacts {
namespace {

enum GType : std::uint32_t {
  kU8 = 0,
  kI8,
  kU16,
  kI16,
  kU32,
  kI32,
  kF32,
  kBool,
  kString,
  kArray,
  kU64,
  kI64,
  kF64,
};

std::uint64_t ScalarSize(std::uint32_t t) {
  switch (t) {
    case kU8:
    case kI8:
    case kBool:
      return 1;
    case kU16:
    case kI16:
      return 2;
    case kU32:
    case kI32:
    case kF32:
      return 4;
    case kU64:
    case kI64:
    case kF64:
      return 8;
    default:
      return 0;
  }
}

// ggml tensor types: {bytes per block, elements per block}; {0,0} unknown.
struct TypeSize {
  std::uint32_t bytes, block;
};
TypeSize GgmlType(std::uint32_t t) {
  static constexpr std::array<TypeSize, 40> k = {{
      {4, 1},    {2, 1},    {18, 32},  {20, 32},   {0, 0},     {0, 0},     {22, 32},   {24, 32},
      {34, 32},  {36, 32},  {84, 256}, {110, 256}, {144, 256}, {176, 256}, {210, 256}, {292, 256},
      {66, 256}, {74, 256}, {98, 256}, {50, 256},  {18, 32},   {110, 256}, {82, 256},  {136, 256},
      {1, 1},    {2, 1},    {4, 1},    {8, 1},     {8, 1},     {56, 256},  {2, 1},     {0, 0},
      {0, 0},    {0, 0},    {54, 256}, {66, 256},  {0, 0},     {0, 0},     {0, 0},     {17, 32},
  }};
  return t < k.size() ? k[t] : TypeSize{0, 0};
}

constexpr const char* kSuspicious[] = {
    "__class__",
    "__globals__",
    "__subclasses__",
    "__builtins__",
    "__import__",
    "__init__",
    "__mro__",
    "__base__",
    "__getattribute__",
    "popen",
    "subprocess",
    "os.system",
    "import os",
    "eval(",
    "exec(",
    "lipsum",
    "cycler",
    "joiner",
    "self._TemplateReference",
    "request.application",
};

class Reader {
 public:
  Reader(BufferedReader& r, std::uint64_t size) : r_(r), size_(size) {}
  bool U32(std::uint32_t* v) {
    if (!r_.Ensure(4)) return false;
    *v = Le32(r_.ptr());
    r_.Advance(4);
    return true;
  }
  bool U64(std::uint64_t* v) {
    if (!r_.Ensure(8)) return false;
    *v = Le64(r_.ptr());
    r_.Advance(8);
    return true;
  }
  std::uint64_t remaining() const { return r_.offset() >= size_ ? 0 : size_ - r_.offset(); }
  std::uint64_t offset() const { return r_.offset(); }
  // Reads (or skips past `keep`) `n` bytes.
  bool Bytes(std::uint64_t n, std::string* keep, std::size_t keep_max) {
    if (n > remaining()) return false;
    if (keep != nullptr && n <= keep_max) {
      keep->clear();
      keep->reserve(n);
      std::uint64_t left = n;
      while (left > 0) {
        std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, 64 * 1024));
        if (!r_.Ensure(chunk)) return false;
        keep->append(reinterpret_cast<const char*>(r_.ptr()), chunk);
        r_.Advance(chunk);
        left -= chunk;
      }
      return true;
    }
    return r_.Skip(n) == n;
  }

 private:
  BufferedReader& r_;
  std::uint64_t size_;
};

}  // namespace

std::vector<Issue> CheckGguf(BufferedReader& br, std::uint64_t size, const GgufLimits& lim) {
  std::vector<Issue> out;
  Reader r(br, size);
  auto bad = [&](std::string msg) {
    out.push_back({"gguf.malformed", std::move(msg), r.offset(), "", std::nullopt});
    return out;
  };
  std::uint32_t magic = 0, version = 0;
  if (!r.U32(&magic) || magic != 0x46554747u) return bad("not a GGUF file (magic)");
  if (!r.U32(&version)) return bad("truncated header");
  if (version < 1 || version > 3) return bad("unsupported GGUF version " + std::to_string(version));
  std::uint64_t n_tensors = 0, n_kv = 0;
  auto count = [&](std::uint64_t* v) {
    if (version == 1) {
      std::uint32_t x;
      if (!r.U32(&x)) return false;
      *v = x;
      return true;
    }
    return r.U64(v);
  };
  if (!count(&n_tensors) || !count(&n_kv)) return bad("truncated header");
  if (n_tensors > lim.max_tensors)
    return bad("tensor count " + std::to_string(n_tensors) + " is absurd");
  if (n_kv > lim.max_kv) return bad("metadata count " + std::to_string(n_kv) + " is absurd");
  // Each metadata pair needs at least 12 bytes, each tensor at least 24.
  if (n_kv > r.remaining() / 12 || n_tensors > r.remaining() / 24) {
    return bad("counts exceed what the file can hold");
  }
  auto gstring = [&](std::string* keep, std::size_t keep_max, std::uint64_t* len) {
    std::uint64_t n = 0;
    if (version == 1) {
      std::uint32_t x;
      if (!r.U32(&x)) return false;
      n = x;
    } else if (!r.U64(&n)) {
      return false;
    }
    if (len != nullptr) *len = n;
    if (n > lim.max_string || n > r.remaining()) return false;
    return r.Bytes(n, keep, keep_max);
  };
  std::uint64_t alignment = 32;
  for (std::uint64_t i = 0; i < n_kv; ++i) {
    std::string key;
    std::uint64_t kv_off = r.offset();
    if (!gstring(&key, 4096, nullptr))
      return bad("metadata key " + std::to_string(i) + " is truncated or too long");
    std::uint32_t type;
    if (!r.U32(&type)) return bad("metadata '" + key + "' has no type");
    if (type == kString) {
      std::string value;
      std::uint64_t len = 0;
      bool is_template =
          key == "tokenizer.chat_template" || key.starts_with("tokenizer.chat_template.");
      if (!gstring(is_template ? &value : nullptr, lim.max_template_kept, &len)) {
        return bad("metadata '" + key + "' string is truncated or too long");
      }
      if (is_template) {
        std::string hit;
        for (const char* pat : kSuspicious) {
          if (value.find(pat) != std::string::npos) {
            hit = pat;
            break;
          }
        }
        if (len > lim.max_template_kept) hit = "(template too long to inspect)";
        if (!hit.empty()) {
          out.push_back({"gguf.chat-template-suspicious",
                         "chat template '" + key + "' (" + std::to_string(len) +
                             " bytes of Jinja, rendered by inference servers) reaches for '" + hit +
                             "'",
                         kv_off, key, std::nullopt});
        } else {
          out.push_back({"gguf.chat-template",
                         "chat template '" + key + "' is " + std::to_string(len) +
                             " bytes of Jinja that inference servers execute; review it",
                         kv_off, key, std::nullopt});
        }
      }
    } else if (type == kArray) {
      std::uint32_t et;
      std::uint64_t n;
      if (!r.U32(&et) || !r.U64(&n)) return bad("metadata '" + key + "' array header is truncated");
      if (n > lim.max_array)
        return bad("metadata '" + key + "' array has " + std::to_string(n) + " elements");
      if (et == kString) {
        for (std::uint64_t k = 0; k < n; ++k) {
          if (!gstring(nullptr, 0, nullptr))
            return bad("metadata '" + key + "' array string is truncated");
        }
      } else if (et == kArray) {
        return bad("metadata '" + key + "' nests arrays, which GGUF readers reject");
      } else {
        std::uint64_t s = ScalarSize(et);
        if (s == 0)
          return bad("metadata '" + key + "' has array element type " + std::to_string(et));
        if (n > r.remaining() / s) return bad("metadata '" + key + "' array runs past the end");
        if (!r.Bytes(n * s, nullptr, 0)) return bad("metadata '" + key + "' array is truncated");
      }
    } else {
      std::uint64_t s = ScalarSize(type);
      if (s == 0) return bad("metadata '" + key + "' has unknown type " + std::to_string(type));
      if (key == "general.alignment" && type == kU32) {
        std::uint32_t a;
        if (!r.U32(&a)) return bad("truncated general.alignment");
        if (a == 0 || (a & (a - 1)) != 0)
          return bad("general.alignment " + std::to_string(a) + " is not a power of two");
        alignment = a;
      } else if (!r.Bytes(s, nullptr, 0)) {
        return bad("metadata '" + key + "' value is truncated");
      }
    }
  }
  struct T {
    std::string name;
    std::uint64_t offset, bytes;
    bool sized;
  };
  std::vector<T> tensors;
  for (std::uint64_t i = 0; i < n_tensors; ++i) {
    T t;
    if (!gstring(&t.name, 4096, nullptr))
      return bad("tensor " + std::to_string(i) + " name is truncated");
    std::uint32_t nd;
    if (!r.U32(&nd)) return bad("tensor '" + t.name + "' is truncated");
    if (nd == 0 || nd > 4)
      return bad("tensor '" + t.name + "' has " + std::to_string(nd) + " dimensions (1-4 allowed)");
    std::uint64_t elems = 1;
    bool overflow = false;
    for (std::uint32_t d = 0; d < nd; ++d) {
      std::uint64_t x;
      if (!r.U64(&x)) return bad("tensor '" + t.name + "' is truncated");
      if (x != 0 && elems > UINT64_MAX / x) overflow = true;
      elems *= x;
    }
    std::uint32_t type;
    if (!r.U32(&type) || !r.U64(&t.offset)) return bad("tensor '" + t.name + "' is truncated");
    if (overflow) return bad("tensor '" + t.name + "' dimensions overflow");
    TypeSize ts = GgmlType(type);
    t.sized = ts.block != 0;
    t.bytes = 0;
    if (t.sized) {
      if (elems % ts.block != 0)
        return bad("tensor '" + t.name + "' element count is not a multiple of its block size");
      std::uint64_t blocks = elems / ts.block;
      if (blocks > UINT64_MAX / ts.bytes) return bad("tensor '" + t.name + "' size overflows");
      t.bytes = blocks * ts.bytes;
    }
    if (t.offset % alignment != 0) {
      out.push_back({"gguf.tensor-bounds", "tensor '" + t.name + "' data offset is not aligned",
                     r.offset(), t.name, std::nullopt});
    }
    tensors.push_back(std::move(t));
  }
  std::uint64_t data_start = (r.offset() + alignment - 1) / alignment * alignment;
  std::uint64_t data_size = size > data_start ? size - data_start : 0;
  for (const auto& t : tensors) {
    if (t.offset > data_size || (t.sized && t.bytes > data_size - t.offset)) {
      out.push_back({"gguf.tensor-bounds", "tensor '" + t.name + "' data lies outside the file",
                     data_start + t.offset, t.name, std::nullopt});
    }
  }
  return out;
}

}  // namespace rampart::artifacts
