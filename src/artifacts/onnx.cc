#include "artifacts/onnx.h"

#include <functional>
#include <set>

namespace rampart::artifacts {
namespace {

// Field numbers (onnx.proto).
namespace model {
constexpr int kGraph = 7, kOpsetImport = 8, kFunctions = 25;
}
namespace graph {
constexpr int kNode = 1, kInitializer = 5, kSparseInitializer = 15;
}
namespace node {
constexpr int kAttribute = 5, kOpType = 4, kDomain = 7;
}
namespace attr {
constexpr int kT = 5, kG = 6, kTensors = 10, kGraphs = 11, kSparseTensor = 22, kSparseTensors = 23;
}
namespace tensor {
constexpr int kName = 8, kExternalData = 13, kDataLocation = 14;
}
namespace sparse {
constexpr int kValues = 1, kIndices = 2;
}
namespace opset {
constexpr int kDomain = 1;
}
namespace function {
constexpr int kNode = 7, kOpsetImport = 9, kDomain = 10;
}

constexpr int kMaxDepth = 32;

struct Stop {};

class Parser {
 public:
  Parser(BufferedReader& r, std::uint64_t size, const Policy& policy,
         const std::optional<std::filesystem::path>& dir, std::vector<Issue>& out)
      : r_(r), size_(size), policy_(policy), dir_(dir), out_(out) {}

  void Run() {
    try {
      Message(size_, 0, [&](int field, int wire, std::uint64_t len) {
        if (wire != 2) return false;
        if (field == model::kGraph) {
          Message(End(len), 1, [&](int f, int w, std::uint64_t l) { return Graph(f, w, l, 1); });
          return true;
        }
        if (field == model::kOpsetImport) {
          OpsetImport(len, "model opset import");
          return true;
        }
        if (field == model::kFunctions) {
          Message(End(len), 1, [&](int f, int w, std::uint64_t l) { return Function(f, w, l); });
          return true;
        }
        return false;
      });
    } catch (const Stop&) {
    }
  }

 private:
  [[noreturn]] void Bad(const std::string& msg) {
    out_.push_back({"onnx.malformed", msg, r_.offset(), "", std::nullopt});
    throw Stop{};
  }
  std::uint64_t Varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!r_.Ensure(1)) Bad("truncated varint");
      std::uint8_t b = *r_.ptr();
      r_.Advance(1);
      v |= std::uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    Bad("varint longer than 10 bytes");
  }
  std::uint64_t End(std::uint64_t len) { return r_.offset() + len; }
  void Skip(std::uint64_t n) {
    if (r_.Skip(n) != n) Bad("truncated field");
  }
  std::string String(std::uint64_t len, std::size_t keep = 4096) {
    if (len > keep) {
      Skip(len);
      return "<" + std::to_string(len) + " bytes>";
    }
    if (!r_.Ensure(len)) Bad("truncated string");
    std::string s(reinterpret_cast<const char*>(r_.ptr()), len);
    r_.Advance(len);
    return s;
  }

  // Reads fields until `end`; `fn(field, wire, len)` handles length-delimited
  // fields it cares about (returning true) and everything else is skipped.
  template <typename Fn>
  void Message(std::uint64_t end, int depth, Fn&& fn) {
    if (depth > kMaxDepth) Bad("messages nested more than " + std::to_string(kMaxDepth) + " deep");
    if (end > size_) Bad("a field runs past the end of the model");
    while (r_.offset() < end) {
      std::uint64_t key = Varint();
      int field = static_cast<int>(key >> 3);
      int wire = static_cast<int>(key & 7);
      if (field == 0) Bad("field number 0");
      std::uint64_t len = 0;
      switch (wire) {
        case 0: {
          std::uint64_t v = Varint();
          if (fn_varint_) fn_varint_(field, v);
          continue;
        }
        case 1:
          Skip(8);
          continue;
        case 5:
          Skip(4);
          continue;
        case 2:
          len = Varint();
          if (len > end - r_.offset()) Bad("length-delimited field overruns its message");
          {
            std::uint64_t start = r_.offset();
            if (!fn(field, wire, len)) {
              Skip(len);
            } else if (r_.offset() != start + len) {
              // The handler must consume exactly its field.
              if (r_.offset() > start + len) Bad("submessage overran its length");
              Skip(start + len - r_.offset());
            }
          }
          continue;
        default:
          Bad("unsupported wire type " + std::to_string(wire));
      }
    }
    if (r_.offset() != end) Bad("message overran its length");
  }

  void OpsetImport(std::uint64_t len, const char* where) {
    std::string domain;
    Message(End(len), 8, [&](int f, int w, std::uint64_t l) {
      if (f == opset::kDomain) {
        domain = String(l);
        return true;
      }
      return false;
    });
    CheckDomain(domain, where);
  }

  void CheckDomain(const std::string& domain, const std::string& where) {
    if (policy_.IsStandardOnnxDomain(domain) || !reported_domains_.insert(domain).second) return;
    out_.push_back({"onnx.custom-domain",
                    where + " uses operator domain '" + domain +
                        "', which needs a custom-op library loaded as native code",
                    r_.offset(), domain, std::nullopt});
  }

  bool Graph(int field, int wire, std::uint64_t len, int depth) {
    if (field == graph::kNode) {
      Node(len, depth + 1);
      return true;
    }
    if (field == graph::kInitializer) {
      Tensor(len, depth + 1);
      return true;
    }
    if (field == graph::kSparseInitializer) {
      SparseTensor(len, depth + 1);
      return true;
    }
    return false;
  }

  bool Function(int field, int wire, std::uint64_t len) {
    if (field == function::kNode) {
      Node(len, 2);
      return true;
    }
    if (field == function::kOpsetImport) {
      OpsetImport(len, "function opset import");
      return true;
    }
    return false;
  }

  void Node(std::uint64_t len, int depth) {
    std::string op_type, domain;
    Message(End(len), depth, [&](int f, int w, std::uint64_t l) {
      if (f == node::kOpType) {
        op_type = String(l);
        return true;
      }
      if (f == node::kDomain) {
        domain = String(l);
        return true;
      }
      if (f == node::kAttribute) {
        Attribute(l, depth + 1);
        return true;
      }
      return false;
    });
    if (!domain.empty()) CheckDomain(domain, "node '" + op_type + "'");
  }

  void Attribute(std::uint64_t len, int depth) {
    Message(End(len), depth, [&](int f, int w, std::uint64_t l) {
      if (f == attr::kT || f == attr::kTensors) {
        Tensor(l, depth + 1);
        return true;
      }
      if (f == attr::kG || f == attr::kGraphs) {
        Message(End(l), depth + 1,
                [&](int f2, int w2, std::uint64_t l2) { return Graph(f2, w2, l2, depth + 1); });
        return true;
      }
      if (f == attr::kSparseTensor || f == attr::kSparseTensors) {
        SparseTensor(l, depth + 1);
        return true;
      }
      return false;
    });
  }

  void SparseTensor(std::uint64_t len, int depth) {
    Message(End(len), depth, [&](int f, int w, std::uint64_t l) {
      if (f == sparse::kValues || f == sparse::kIndices) {
        Tensor(l, depth + 1);
        return true;
      }
      return false;
    });
  }

  void Tensor(std::uint64_t len, int depth) {
    std::string name, location;
    std::uint64_t at = r_.offset();
    Message(End(len), depth, [&](int f, int w, std::uint64_t l) {
      if (f == tensor::kName) {
        name = String(l);
        return true;
      }
      if (f == tensor::kExternalData) {
        std::string k, v;
        Message(End(l), depth + 1, [&](int f2, int w2, std::uint64_t l2) {
          if (f2 == 1) {
            k = String(l2);
            return true;
          }
          if (f2 == 2) {
            v = String(l2, 1 << 16);
            return true;
          }
          return false;
        });
        if (k == "location") location = v;
        return true;
      }
      return false;
    });
    if (!location.empty()) ExternalData(name, location, at);
  }

  void ExternalData(const std::string& tensor_name, const std::string& location, std::uint64_t at) {
    std::filesystem::path p(location);
    std::string why;
    bool backslash_abs =
        location.size() >= 2 && (location[1] == ':' || location.starts_with("\\\\"));
    if (p.is_absolute() || backslash_abs) {
      why = "is an absolute path";
    } else {
      for (const auto& part : p) {
        if (part == "..") why = "climbs out with '..'";
      }
      if (why.empty() && location.find('\\') != std::string::npos &&
          location.find("..") != std::string::npos) {
        why = "climbs out with '..' (Windows separators)";
      }
      if (why.empty() && dir_) {
        // Symlinks inside the directory may still point outside it.
        std::error_code ec;
        auto base = std::filesystem::weakly_canonical(*dir_, ec);
        auto target = std::filesystem::weakly_canonical(*dir_ / p, ec);
        if (!ec) {
          auto rel = target.lexically_relative(base);
          if (rel.empty() || *rel.begin() == "..") why = "resolves outside the model directory";
        }
      }
    }
    if (!why.empty()) {
      out_.push_back(
          {"onnx.external-data-escape",
           "tensor '" + tensor_name + "' loads external data from '" + location + "', which " + why,
           at, location, std::nullopt});
    } else if (reported_external_.insert(location).second) {
      out_.push_back({"onnx.external-data",
                      "tensors load external data from '" + location + "' (beside the model)", at,
                      location, std::nullopt});
    }
  }

  BufferedReader& r_;
  std::uint64_t size_;
  const Policy& policy_;
  const std::optional<std::filesystem::path>& dir_;
  std::vector<Issue>& out_;
  std::set<std::string> reported_domains_, reported_external_;
  std::function<void(int, std::uint64_t)> fn_varint_;
};

}  // namespace

bool LooksLikeOnnx(std::span<const std::uint8_t> head) {
  // ir_version (field 1, varint) first, a plausible version, then another
  // ModelProto field.
  if (head.size() < 4 || head[0] != 0x08 || head[1] == 0 || head[1] > 20) return false;
  std::uint8_t next = head[2];
  return next == 0x12 || next == 0x1a || next == 0x22 || next == 0x28 || next == 0x32 ||
         next == 0x3a || next == 0x42 || next == 0x72;
}

std::vector<Issue> CheckOnnx(BufferedReader& r, std::uint64_t size, const Policy& policy,
                             const std::optional<std::filesystem::path>& model_dir) {
  std::vector<Issue> out;
  Parser p(r, size, policy, model_dir, out);
  p.Run();
  return out;
}

}  // namespace rampart::artifacts
