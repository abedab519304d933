#include "artifacts/scanner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "artifacts/archive_reader.h"
#include "artifacts/byte_io.h"
#include "artifacts/keras.h"
#include "artifacts/npy.h"
#include "artifacts/onnx.h"
#include "artifacts/safetensors.h"

namespace rampart::artifacts {
namespace {

enum class Fmt {
  kUnknown,
  kZip,
  kPickle,
  kTorchLegacy,
  kNpy,
  kSafetensors,
  kGguf,
  kOnnx,
  kGzip,
  kBzip2,
  kXz,
  kZstd,
  kLz4,
  kLzma,
  k7z,
  kTar,
  kZlib,
  kHdf5,
};

constexpr std::uint8_t kTorchLegacyMagic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c,
                                              0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

bool StartsWith(std::span<const std::uint8_t> h, std::string_view m, std::size_t at = 0) {
  return h.size() >= at + m.size() && std::memcmp(h.data() + at, m.data(), m.size()) == 0;
}

Fmt Detect(std::span<const std::uint8_t> h, std::uint64_t size) {
  if (StartsWith(h, "PK\x03\x04") || StartsWith(h, "PK\x05\x06")) return Fmt::kZip;
  if (h.size() >= sizeof kTorchLegacyMagic &&
      std::memcmp(h.data(), kTorchLegacyMagic, sizeof kTorchLegacyMagic) == 0) {
    return Fmt::kTorchLegacy;
  }
  // A safetensors header length can start with 0x80 0x0N; the '{' at byte 8
  // (not an opcode) decides. The first 8 bytes are also scanned as a pickle.
  if (LooksLikeSafetensors(h, size)) return Fmt::kSafetensors;
  if (LooksLikeBinaryPickle(h)) return Fmt::kPickle;
  if (LooksLikeNpy(h)) return Fmt::kNpy;
  if (StartsWith(h, "GGUF")) return Fmt::kGguf;
  if (StartsWith(h, "\x1f\x8b")) return Fmt::kGzip;
  if (StartsWith(h, "BZh") && h.size() > 3 && h[3] >= '1' && h[3] <= '9') return Fmt::kBzip2;
  if (StartsWith(h, std::string_view("\xfd"
                                     "7zXZ\x00",
                                     6)))
    return Fmt::kXz;
  if (StartsWith(h, "\x28\xb5\x2f\xfd")) return Fmt::kZstd;
  if (StartsWith(h, "\x04\x22\x4d\x18")) return Fmt::kLz4;
  if (StartsWith(h, "7z\xbc\xaf\x27\x1c")) return Fmt::k7z;
  if (StartsWith(h, "ustar", 257)) return Fmt::kTar;
  if (StartsWith(h, "\x89HDF\r\n\x1a\n")) return Fmt::kHdf5;
  if (h.size() >= 2 && h[0] == 0x78 &&
      (h[1] == 0x01 || h[1] == 0x5e || h[1] == 0x9c || h[1] == 0xda) &&
      ((h[0] << 8) | h[1]) % 31 == 0) {
    return Fmt::kZlib;
  }
  if (h.size() >= 13 && h[0] == 0x5d && h[1] == 0x00 && h[2] == 0x00) return Fmt::kLzma;
  if (LooksLikeSafetensors(h, size)) return Fmt::kSafetensors;
  if (LooksLikeOnnx(h)) return Fmt::kOnnx;
  return Fmt::kUnknown;
}

const char* FmtName(Fmt f) {
  switch (f) {
    case Fmt::kZip:
      return "zip";
    case Fmt::kPickle:
      return "pickle";
    case Fmt::kTorchLegacy:
      return "pytorch-legacy";
    case Fmt::kNpy:
      return "npy";
    case Fmt::kSafetensors:
      return "safetensors";
    case Fmt::kGguf:
      return "gguf";
    case Fmt::kOnnx:
      return "onnx";
    case Fmt::kGzip:
      return "gzip";
    case Fmt::kBzip2:
      return "bzip2";
    case Fmt::kXz:
      return "xz";
    case Fmt::kZstd:
      return "zstd";
    case Fmt::kLz4:
      return "lz4";
    case Fmt::kLzma:
      return "lzma";
    case Fmt::k7z:
      return "7z";
    case Fmt::kTar:
      return "tar";
    case Fmt::kZlib:
      return "zlib";
    case Fmt::kHdf5:
      return "hdf5";
    default:
      return "unknown";
  }
}

// How much of an HDF5 file is searched for a legacy Keras model config.
constexpr std::size_t kHdf5ConfigWindow = 16u << 20;

// Opcodes a protocol 0/1 pickle plausibly starts with.
bool PlausibleTextPickleStart(std::uint8_t c) {
  return std::strchr("(c]}).lNIKJSVUXFLgPd", c) != nullptr && c != 0;
}

// Per top-level file state.
struct FileJob {
  FileReport* report;
  std::optional<std::filesystem::path> dir;  // for ONNX external data
  std::uint64_t budget;                      // decompressed bytes left
  std::uint64_t members = 0;
  bool stopped = false;  // a global limit was hit
};

struct Ctx {
  FileJob* job;
  std::vector<std::string> inner;
  int depth = 0;
  std::string container;  // "pytorch-zip", "keras", ... of the enclosing zip
};

class Worker {
 public:
  Worker(const ScanOptions& opt, const Policy& policy) : opt_(opt), policy_(policy) {}

  void Add(const Ctx& c, std::string_view format, const Issue& is) {
    Finding f;
    f.file = c.job->report->file;
    f.inner = c.inner;
    f.format = std::string(format);
    f.rule = is.rule;
    f.severity = is.severity ? *is.severity : policy_.RuleSeverity(is.rule);
    f.message = is.message;
    f.symbol = is.symbol;
    f.offset = is.offset;
    c.job->report->findings.push_back(std::move(f));
  }
  void Add(const Ctx& c, std::string_view format, std::string rule, std::string message,
           std::optional<std::uint64_t> offset = std::nullopt) {
    Add(c, format, Issue{std::move(rule), std::move(message), offset, "", std::nullopt});
  }
  void SetFormat(const Ctx& c, std::string_view f) {
    if (c.depth == 0 && c.inner.empty()) c.job->report->format = std::string(f);
  }

  // ---- blobs (random access) ----
  void ScanBlob(const RandomAccess& blob, Ctx& c, std::optional<std::uint32_t> crc = {}) {
    std::uint8_t head[512];
    std::size_t hn = 0;
    auto got = blob.ReadAt(0, head, sizeof head);
    if (!got) {
      Add(c, "unknown", "archive.malformed", "cannot read: " + got.error().message());
      return;
    }
    hn = *got;
    Fmt f = Detect({head, hn}, blob.size());
    if (f == Fmt::kZip) {
      SetFormat(c, "zip");
      ScanZip(blob, c);
      return;
    }
    if (f == Fmt::k7z) {
      SetFormat(c, "7z");
      BlobStream s(&blob);
      ScanArchive(s, &blob, c, "7z");
      return;
    }
    BlobStream s(&blob);
    if (crc) {
      CrcCheckingStream cs(std::make_unique<BlobStream>(&blob));
      ScanStream(cs, blob.size(), c);
      CheckCrc(cs, *crc, c);
    } else {
      ScanStream(s, blob.size(), c);
    }
  }

  void CheckCrc(const CrcCheckingStream& cs, std::uint32_t want, const Ctx& c) {
    if (cs.at_end() && cs.crc() != want) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "CRC-32 is %08x but the header says %08x", cs.crc(), want);
      Add(c, "zip", "zip.crc-mismatch", buf);
    }
  }

  // ---- streams ----
  void ScanStream(InputStream& in, std::optional<std::uint64_t> size, Ctx& c) {
    BufferedReader br(&in);
    br.Ensure(512);
    std::size_t hn = std::min<std::size_t>(br.available(), 512);
    std::vector<std::uint8_t> head(br.ptr(), br.ptr() + hn);
    std::uint64_t known = size.value_or(UINT64_MAX);
    Fmt f = Detect(head, size.value_or(hn < 512 ? hn : UINT64_MAX));
    if (!br.error().ok() && hn == 0) {
      Add(c, "unknown",
          br.error().code() == StatusCode::kResourceExhausted ? "archive.bomb"
                                                              : "archive.malformed",
          "cannot read: " + br.error().message());
      return;
    }
    switch (f) {
      case Fmt::kZip:
      case Fmt::k7z: {
        // Both need to seek: copy to a temporary file first.
        auto tmp = Spill(br, c);
        if (!tmp) return;
        ScanBlob(**tmp, c);
        return;
      }
      case Fmt::kPickle:
      case Fmt::kTorchLegacy:
        SetFormat(c, FmtName(f));
        ScanPickleStream(br, c, f == Fmt::kTorchLegacy, /*speculative=*/false);
        return;
      case Fmt::kNpy: {
        SetFormat(c, "npy");
        std::vector<Issue> issues;
        auto h = ReadNpyHeader(br, issues);
        for (const auto& is : issues) Add(c, "npy", is);
        if (h && h->object) {
          Add(c, "npy", "npy.object-dtype",
              "array of dtype " + h->descr +
                  " holds Python objects: its data is a pickle, loaded with allow_pickle=True",
              h->data_offset);
          ScanPickleStream(br, c, false, false);
        }
        return;
      }
      case Fmt::kSafetensors:
      case Fmt::kGguf:
      case Fmt::kOnnx: {
        if (!size) {
          auto tmp = Spill(br, c);
          if (!tmp) return;
          ScanBlob(**tmp, c);
          return;
        }
        SetFormat(c, FmtName(f));
        std::vector<Issue> issues =
            f == Fmt::kSafetensors ? CheckSafetensors(br, known)
            : f == Fmt::kGguf
                ? CheckGguf(br, known, opt_.gguf)
                : CheckOnnx(br, known, policy_,
                            c.depth == 0 && c.inner.empty() ? c.job->dir : std::nullopt);
        for (const auto& is : issues) Add(c, FmtName(f), is);
        if (!br.error().ok()) ReadError(br, c, FmtName(f));
        if (f == Fmt::kSafetensors && LooksLikeBinaryPickle(head)) {
          // Polyglot check: what a pickle loader would make of the length bytes.
          BufferedReader pr(std::span<const std::uint8_t>(head.data(), 8));
          ScanPickleReader(pr, c, false, /*speculative=*/true);
        }
        return;
      }
      case Fmt::kGzip:
      case Fmt::kBzip2:
      case Fmt::kXz:
      case Fmt::kZstd:
      case Fmt::kLz4:
      case Fmt::kLzma:
      case Fmt::kTar: {
        SetFormat(c, FmtName(f));
        ReaderStream rs(&br);
        ScanArchive(rs, nullptr, c, FmtName(f));
        return;
      }
      case Fmt::kZlib: {
        SetFormat(c, "zlib");
        if (!Enter(c, "zlib")) return;
        ReaderStream rs(&br);
        InflateStream inf(&rs, c.job->budget, /*zlib_header=*/true);
        Ctx inner = c;
        inner.inner.push_back("<zlib>");
        inner.depth++;
        ScanStream(inf, std::nullopt, inner);
        Charge(inf.total_out(), inf.total_in(), c, "zlib");
        return;
      }
      case Fmt::kHdf5: {
        // Legacy Keras .h5 models keep their JSON config in a root-group
        // attribute near the start of the file; look for Lambda layers there.
        SetFormat(c, "hdf5");
        std::string window;
        while (window.size() < kHdf5ConfigWindow && br.Ensure(1)) {
          std::size_t n = std::min(br.available(), kHdf5ConfigWindow - window.size());
          window.append(reinterpret_cast<const char*>(br.ptr()), n);
          br.Advance(n);
        }
        if (window.find("model_config") == std::string::npos) return;
        for (const char* pat : {"\"class_name\": \"Lambda\"", "\"class_name\":\"Lambda\""}) {
          if (auto at = window.find(pat); at != std::string::npos) {
            Add(c, "keras-h5", "keras.lambda",
                "legacy Keras HDF5 model config has a Lambda layer; it runs Python when the model "
                "loads",
                at);
            break;
          }
        }
        return;
      }
      case Fmt::kUnknown:
        if (hn > 0 && PlausibleTextPickleStart(head[0])) {
          ScanPickleStream(br, c, false, /*speculative=*/true);
        }
        return;
    }
  }

  void ReadError(const BufferedReader& br, const Ctx& c, std::string_view fmt) {
    const Status& e = br.error();
    Add(c, fmt, e.code() == StatusCode::kResourceExhausted ? "archive.bomb" : "archive.malformed",
        "reading stopped: " + e.message());
  }

  // Copies the rest of `br` into an unlinked temporary file.
  std::optional<std::unique_ptr<FileBlob>> Spill(BufferedReader& br, const Ctx& c) {
    int fd = ::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
      char tmpl[] = "/tmp/rampart-scan-XXXXXX";
      fd = ::mkstemp(tmpl);
      if (fd >= 0) ::unlink(tmpl);
    }
    if (fd < 0) {
      Add(c, "unknown", "archive.malformed",
          "cannot create a temporary file to open a nested archive");
      return std::nullopt;
    }
    std::uint64_t total = 0;
    while (br.Ensure(1)) {
      std::size_t n = br.available();
      if (total + n > opt_.max_spill) {
        ::close(fd);
        Add(c, "zip", "archive.bomb",
            "nested archive larger than the " + std::to_string(opt_.max_spill >> 20) +
                " MiB limit for archives that must be copied to be opened");
        return std::nullopt;
      }
      const std::uint8_t* p = br.ptr();
      std::size_t left = n;
      while (left > 0) {
        ssize_t w = ::write(fd, p, left);
        if (w < 0) {
          if (errno == EINTR) continue;
          ::close(fd);
          Add(c, "zip", "archive.malformed", "cannot write a temporary file");
          return std::nullopt;
        }
        p += w;
        left -= static_cast<std::size_t>(w);
      }
      total += n;
      br.Advance(n);
    }
    if (!br.error().ok()) {
      ReadError(br, c, "zip");
      ::close(fd);
      return std::nullopt;
    }
    auto blob = FileBlob::Adopt(fd, "(temporary copy)");
    if (!blob) return std::nullopt;
    return std::move(*blob);
  }

  // ---- depth and budgets ----
  bool Enter(const Ctx& c, std::string_view what) {
    if (c.depth >= opt_.max_depth) {
      Add(c, what, "archive.nesting",
          std::string(what) + " nested deeper than " + std::to_string(opt_.max_depth) +
              " containers; not opened");
      return false;
    }
    return !c.job->stopped;
  }
  bool CountMember(const Ctx& c, std::string_view fmt) {
    if (++c.job->members > opt_.max_members) {
      if (!c.job->stopped) {
        Add(c, fmt, "archive.entry-limit",
            "more than " + std::to_string(opt_.max_members) +
                " container members; the rest was not inspected");
      }
      c.job->stopped = true;
      return false;
    }
    return true;
  }
  void Charge(std::uint64_t out, std::uint64_t in, const Ctx& c, std::string_view fmt) {
    c.job->budget = out >= c.job->budget ? 0 : c.job->budget - out;
    if (out > opt_.ratio_floor &&
        static_cast<double>(out) > opt_.max_ratio * std::max<double>(1, in)) {
      Add(c, fmt, "archive.bomb",
          "decompressed " + std::to_string(out) + " bytes from " + std::to_string(in) +
              " (ratio above " + std::to_string(static_cast<int>(opt_.max_ratio)) + ":1)");
    }
  }

  // ---- pickles ----
  void ScanPickleStream(BufferedReader& br, Ctx& c, bool legacy, bool speculative) {
    ScanPickleReader(br, c, legacy, speculative);
  }
  void ScanPickleReader(BufferedReader& br, Ctx& c, bool legacy, bool speculative) {
    PickleOptions po;
    po.limits = opt_.pickle;
    if (legacy) po.stop_after = 5;  // magic, protocol, sys info, object, storage keys
    PickleScanResult r = ScanPickle(br, policy_, po);
    if (speculative) {
      bool called = std::any_of(r.imports.begin(), r.imports.end(),
                                [](const PickleImport& i) { return i.calls > 0; });
      if (r.pickles == 0 && !called) return;  // not a pickle after all
      SetFormat(c, "pickle");
    }
    std::string fmt = legacy ? "pytorch-legacy" : "pickle";
    bool joblib = false;
    for (const auto& imp : r.imports) {
      if (imp.name == "NumpyArrayWrapper") joblib = true;
      auto sev = policy_.ImportSeverity(imp.module, imp.name);
      if (!sev) continue;
      Finding f;
      f.file = c.job->report->file;
      f.inner = c.inner;
      f.format = fmt;
      f.rule = "pickle.import";
      f.severity = *sev;
      f.symbol = imp.module + "." + imp.name;
      f.call = imp.call;
      f.offset = imp.offset;
      f.message = "imports " + f.symbol;
      if (!imp.written_as.empty()) f.message += " (written as " + imp.written_as + ")";
      if (imp.calls > 0) {
        f.message += " and calls it (" + imp.call + " at offset " + std::to_string(imp.call_offset);
        if (!imp.args.empty()) f.message += ", arguments " + imp.args;
        f.message += ")";
      }
      c.job->report->findings.push_back(std::move(f));
    }
    if (joblib && c.depth == 0 && c.inner.empty()) c.job->report->format = "joblib";
    for (const auto& is : r.issues) {
      Add(c, fmt, Issue{is.rule, is.message, is.offset, "", std::nullopt});
    }
    if (r.persistent_ids > 0 && c.container != "pytorch-zip" && !legacy) {
      Add(c, fmt, "pickle.persistent-id",
          std::to_string(r.persistent_ids) +
              " persistent ids: the loader's persistent_load decides what they become");
    }
    if (legacy && r.pickles == 5) {
      Add(c, fmt, "pytorch.legacy",
          "legacy PyTorch serialization: 5 pickles scanned, the remaining " +
              std::string("bytes are raw tensor storage"),
          r.end_offset);
    }
  }

  // ---- zip ----
  void ScanZip(const RandomAccess& blob, Ctx& c) {
    if (!Enter(c, "zip")) return;
    ZipLimits zl;
    zl.max_entries = opt_.max_members;
    zl.max_ratio = opt_.max_ratio;
    zl.ratio_floor = opt_.ratio_floor;
    auto zr = ZipReader::Open(&blob, zl);
    if (!zr) {
      Add(c, "zip", "zip.malformed", zr.error().message());
      return;
    }
    const auto& entries = zr->entries();
    // Layout: PyTorch (<prefix>/data.pkl with tensors under <prefix>/data/),
    // Keras v3 (config.json + metadata.json), npz (only .npy members).
    std::string torch_prefix;
    bool torch = false, keras = false, npz = !entries.empty();
    bool has_config = false, has_meta = false;
    for (const auto& e : entries) {
      if (e.name == "data.pkl" || e.name.ends_with("/data.pkl")) {
        torch = true;
        torch_prefix = e.name.substr(0, e.name.size() - 8);
      }
      if (e.name == "config.json") has_config = true;
      if (e.name == "metadata.json" || e.name == "model.weights.h5") has_meta = true;
      if (!e.name.ends_with(".npy")) npz = false;
    }
    keras = !torch && has_config && has_meta;
    std::string layout = torch ? "pytorch-zip" : keras ? "keras" : npz ? "npz" : "zip";
    SetFormat(c, layout);
    Ctx zc = c;
    zc.depth++;
    zc.container = layout;
    for (const auto& is : zr->issues()) {
      Ctx ec = zc;
      if (!is.entry.empty()) ec.inner.push_back(is.entry);
      Add(ec, layout, Issue{is.rule, is.message, is.offset, "", std::nullopt});
    }
    for (const auto& e : entries) {
      if (c.job->stopped) return;
      if (e.name.ends_with("/")) continue;                                 // directory
      if (e.flags & 0x0001 || (e.method != 0 && e.method != 8)) continue;  // reported above
      // Tensor storage in a PyTorch archive is raw bytes that PyTorch never
      // parses: skipped by length.
      if (torch && e.name.starts_with(torch_prefix + "data/")) continue;
      if (!CountMember(c, layout)) return;
      Ctx ec = zc;
      ec.inner.push_back(e.name);
      if (keras && e.name == "config.json") {
        ScanKerasConfig(*zr, e, ec);
        continue;
      }
      if (e.method == 0) {
        SubBlob sub(&blob, e.data_offset, e.compressed_size);
        ScanBlob(sub, ec, e.crc);
        continue;
      }
      std::uint64_t cap = std::min<std::uint64_t>(
          c.job->budget, std::max<std::uint64_t>(e.uncompressed_size, 1) + (1ull << 20));
      if (e.uncompressed_size > c.job->budget) {
        Add(ec, layout, "archive.bomb",
            "member would exceed the decompression budget; not inspected");
        continue;
      }
      auto st = zr->OpenEntry(e, cap);
      if (!st) {
        Add(ec, layout, "zip.malformed", st.error().message());
        continue;
      }
      CrcCheckingStream cs(std::move(*st));
      ScanStream(cs, e.uncompressed_size, ec);
      Charge(cs.bytes(), e.compressed_size, ec, layout);
      if (cs.at_end()) {
        CheckCrc(cs, e.crc, ec);
        if (cs.bytes() != e.uncompressed_size) {
          Add(ec, layout, "zip.header-mismatch",
              "member inflates to " + std::to_string(cs.bytes()) + " bytes but the header says " +
                  std::to_string(e.uncompressed_size));
        }
      }
    }
  }

  void ScanKerasConfig(const ZipReader& zr, const ZipEntry& e, Ctx& c) {
    if (e.uncompressed_size > opt_.max_text_member) {
      Add(c, "keras", "keras.malformed", "config.json larger than the text limit; not inspected");
      return;
    }
    auto st = zr.OpenEntry(e, opt_.max_text_member);
    if (!st) {
      Add(c, "keras", "keras.malformed", st.error().message());
      return;
    }
    std::string text;
    std::uint8_t buf[64 * 1024];
    while (true) {
      auto got = (*st)->Read(buf, sizeof buf);
      if (!got) {
        Add(c, "keras", "keras.malformed", "config.json is unreadable: " + got.error().message());
        return;
      }
      if (*got == 0) break;
      text.append(reinterpret_cast<const char*>(buf), *got);
    }
    for (const auto& is : CheckKerasConfig(text, policy_)) Add(c, "keras", is);
  }

  // ---- libarchive ----
  void ScanArchive(InputStream& in, const RandomAccess* seekable, Ctx& c, std::string_view kind) {
    if (!Enter(c, kind)) return;
    auto ar = ArchiveReader::Open(&in, seekable);
    if (!ar) {
      Add(c, kind, "archive.malformed", ar.error().message());
      return;
    }
    Ctx ac = c;
    ac.depth++;
    std::uint64_t decompressed = 0;
    while (!c.job->stopped) {
      auto next = (*ar)->Next();
      if (!next) {
        Add(ac, kind, "archive.malformed", next.error().message());
        return;
      }
      if (!next->has_value()) break;
      const ArchiveEntryInfo& info = **next;
      if (!CountMember(c, kind)) return;
      Ctx ec = ac;
      std::string fmt = (*ar)->format_name();
      bool raw = fmt == "raw";
      ec.inner.push_back(raw ? "<decompressed>" : info.path);
      if (info.encrypted) {
        Add(ec, kind, "archive.encrypted", "member is encrypted and cannot be inspected");
        continue;
      }
      if (info.type == ArchiveEntryInfo::Type::kSymlink) {
        Add(ec, kind, "file.symlink", "archive member is a link to '" + info.link_target + "'");
        continue;
      }
      if (info.type != ArchiveEntryInfo::Type::kFile) continue;
      LimitedStream lim(&(*ar)->data(), c.job->budget);
      ScanStream(lim, raw ? std::nullopt : info.size, ec);
      // Uncompressed archives skip unread data by seeking (libarchive does it
      // at the next header). Compressed ones must inflate it anyway: drain it
      // here so that it counts against the budget and the ratio limit.
      bool compressed = !(*ar)->filter_names().empty();
      std::uint8_t sink[64 * 1024];
      while (compressed) {
        auto got = lim.Read(sink, sizeof sink);
        if (!got) {
          Add(ec, kind,
              got.error().code() == StatusCode::kResourceExhausted ? "archive.bomb"
                                                                   : "archive.malformed",
              got.error().message());
          c.job->stopped = got.error().code() == StatusCode::kResourceExhausted;
          return;
        }
        if (*got == 0) break;
      }
      decompressed += lim.consumed();
      Charge(lim.consumed(), 0, c, kind);
      std::uint64_t in_bytes = (*ar)->compressed_bytes();
      if (decompressed > opt_.ratio_floor &&
          static_cast<double>(decompressed) > opt_.max_ratio * std::max<double>(1, in_bytes)) {
        Add(ec, kind, "archive.bomb",
            "decompressed " + std::to_string(decompressed) + " bytes from " +
                std::to_string(in_bytes) + "; stopped");
        c.job->stopped = true;
        return;
      }
      if (c.job->budget == 0) {
        Add(ec, kind, "archive.bomb", "decompression budget exhausted; stopped");
        c.job->stopped = true;
        return;
      }
    }
  }

 private:
  const ScanOptions& opt_;
  const Policy& policy_;
};

}  // namespace

Scanner::Scanner(ScanOptions options) : opt_(std::move(options)) {
  if (opt_.policy == nullptr) opt_.policy = &Policy::Default();
}

FileReport Scanner::ScanFile(const std::filesystem::path& path) {
  FileReport rep;
  rep.file = path.string();
  rep.format = "unknown";
  auto blob = FileBlob::Open(path, opt_.follow_symlinks);
  if (!blob) {
    rep.error = blob.error();
    return rep;
  }
  rep.bytes = (*blob)->size();
  FileJob job{&rep, path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path(),
              opt_.max_uncompressed};
  Ctx c{&job, {}, 0, ""};
  Worker w(opt_, *opt_.policy);
  w.ScanBlob(**blob, c);
  return rep;
}

FileReport Scanner::ScanBytes(std::string_view data, std::string name) {
  FileReport rep;
  rep.file = std::move(name);
  rep.format = "unknown";
  rep.bytes = data.size();
  auto blob = MemoryBlob::View(data);
  FileJob job{&rep, std::nullopt, opt_.max_uncompressed};
  Ctx c{&job, {}, 0, ""};
  Worker w(opt_, *opt_.policy);
  w.ScanBlob(*blob, c);
  return rep;
}

std::vector<FileReport> Scanner::Scan(
    const std::vector<std::filesystem::path>& paths,
    const std::function<void(std::size_t, std::size_t)>& progress) {
  namespace fs = std::filesystem;
  // Collect work: regular files to scan and reports that need no scan.
  struct Item {
    fs::path path;
    std::optional<FileReport> ready;
  };
  std::vector<Item> items;
  auto link_report = [&](const fs::path& p) {
    FileReport r;
    r.file = p.string();
    r.format = "symlink";
    Finding f;
    f.file = r.file;
    f.format = "symlink";
    f.rule = "file.symlink";
    f.severity = opt_.policy->RuleSeverity("file.symlink");
    std::error_code ec;
    auto target = fs::read_symlink(p, ec);
    f.message = "symbolic link to '" + (ec ? std::string("?") : target.string()) +
                "' not followed (use --follow-symlinks to scan targets)";
    r.findings.push_back(std::move(f));
    return r;
  };
  auto special_report = [&](const fs::path& p) {
    FileReport r;
    r.file = p.string();
    r.format = "special";
    Finding f;
    f.file = r.file;
    f.format = "special";
    f.rule = "file.special";
    f.severity = opt_.policy->RuleSeverity("file.special");
    f.message = "not a regular file (device, socket or pipe); not read";
    r.findings.push_back(std::move(f));
    return r;
  };
  for (const auto& p : paths) {
    std::error_code ec;
    auto st = fs::symlink_status(p, ec);
    if (ec || !fs::exists(st)) {
      FileReport r;
      r.file = p.string();
      r.error = NotFoundError(p.string() + ": no such file or directory");
      items.push_back({p, std::move(r)});
      continue;
    }
    if (fs::is_symlink(st) && !opt_.follow_symlinks) {
      items.push_back({p, link_report(p)});
      continue;
    }
    if (fs::is_directory(fs::status(p, ec))) {
      auto opts = opt_.follow_symlinks ? fs::directory_options::follow_directory_symlink
                                       : fs::directory_options::none;
      std::vector<fs::path> found;
      std::vector<fs::path> links, specials;
      for (auto it = fs::recursive_directory_iterator(p, opts, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        auto s = it->symlink_status(ec);
        if (ec) break;
        if (fs::is_symlink(s)) {
          if (!opt_.follow_symlinks) {
            links.push_back(it->path());
            continue;
          }
          s = it->status(ec);
          if (ec) continue;
        }
        if (fs::is_regular_file(s)) {
          found.push_back(it->path());
        } else if (!fs::is_directory(s)) {
          specials.push_back(it->path());
        }
      }
      if (ec) {
        FileReport r;
        r.file = p.string();
        r.error = InvalidArgumentError(p.string() + ": cannot walk: " + ec.message());
        items.push_back({p, std::move(r)});
      }
      for (const auto& l : links) found.push_back(l);
      for (const auto& s : specials) found.push_back(s);
      std::sort(found.begin(), found.end());
      for (const auto& f : found) {
        auto s = fs::symlink_status(f, ec);
        if (fs::is_symlink(s) && !opt_.follow_symlinks) {
          items.push_back({f, link_report(f)});
        } else if (!fs::is_regular_file(fs::status(f, ec))) {
          items.push_back({f, special_report(f)});
        } else {
          items.push_back({f, std::nullopt});
        }
      }
      continue;
    }
    if (!fs::is_regular_file(fs::status(p, ec))) {
      items.push_back({p, special_report(p)});
      continue;
    }
    items.push_back({p, std::nullopt});
  }
  std::vector<FileReport> reports(items.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress_mu;
  auto worker = [&] {
    while (true) {
      std::size_t i = next.fetch_add(1);
      if (i >= items.size()) return;
      reports[i] = items[i].ready ? std::move(*items[i].ready) : ScanFile(items[i].path);
      std::size_t d = ++done;
      if (progress) {
        std::lock_guard<std::mutex> lock(progress_mu);
        progress(d, items.size());
      }
    }
  };
  unsigned jobs = opt_.jobs != 0 ? opt_.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, std::max<std::size_t>(1, items.size())));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  return reports;
}

}  // namespace rampart::artifacts
