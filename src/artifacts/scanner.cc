#include "artifacts/scanner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
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
  kRar,
  kTar,
  kCpio,
  kAr,
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
  // Containers whose magic is 6 bytes or more come before safetensors: read
  // as a header length, their first 8 bytes are above 2^40, which no
  // safetensors file has, while the '{' that safetensors wants at byte 8 is
  // for them an ordinary byte (in a 7z file the start header's CRC, so about
  // one archive in 256 has it; those were taken for a broken safetensors
  // file and their members never scanned).
  if (StartsWith(h, "7z\xbc\xaf\x27\x1c")) return Fmt::k7z;
  if (StartsWith(h, std::string_view("\xfd"
                                     "7zXZ\x00",
                                     6)))
    return Fmt::kXz;
  if (StartsWith(h, std::string_view("Rar!\x1a\x07\x00", 7)) ||
      StartsWith(h, std::string_view("Rar!\x1a\x07\x01\x00", 8))) {
    return Fmt::kRar;
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
  if (StartsWith(h, std::string_view("Rar!\x1a\x07\x00", 7)) ||
      StartsWith(h, std::string_view("Rar!\x1a\x07\x01\x00", 8))) {
    return Fmt::kRar;
  }
  if (StartsWith(h, "ustar", 257)) return Fmt::kTar;
  if (StartsWith(h, "070707") || StartsWith(h, "070701") || StartsWith(h, "070702") ||
      (h.size() >= 2 && ((h[0] == 0xc7 && h[1] == 0x71) || (h[0] == 0x71 && h[1] == 0xc7)))) {
    return Fmt::kCpio;
  }
  if (StartsWith(h, "!<arch>\n")) return Fmt::kAr;
  if (StartsWith(h, "\x89HDF\r\n\x1a\n")) return Fmt::kHdf5;
  if (h.size() >= 2 && h[0] == 0x78 &&
      (h[1] == 0x01 || h[1] == 0x5e || h[1] == 0x9c || h[1] == 0xda) &&
      ((h[0] << 8) | h[1]) % 31 == 0) {
    return Fmt::kZlib;
  }
  if (h.size() >= 13 && h[0] == 0x5d && h[1] == 0x00 && h[2] == 0x00) return Fmt::kLzma;
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
    case Fmt::kRar:
      return "rar";
    case Fmt::kTar:
      return "tar";
    case Fmt::kCpio:
      return "cpio";
    case Fmt::kAr:
      return "ar";
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
// How much of an unrecognized object is looked at to classify it.
constexpr std::size_t kSniff = 64u << 10;
// Where a zip's end-of-central-directory record can be: the last 22 bytes
// plus a comment of up to 65535.
constexpr std::size_t kEocdWindow = 22 + 65535;

// True if `h` (the first bytes of an object; `complete` if that is all of
// it) is text: UTF-8 without NUL and with no control characters other than
// whitespace and ESC.
bool LooksLikeText(std::span<const std::uint8_t> h, bool complete) {
  std::size_t i = 0;
  if (StartsWith(h, "\xef\xbb\xbf")) i = 3;
  while (i < h.size()) {
    std::uint8_t c = h[i];
    if (c < 0x80) {
      if ((c < 0x20 && !(c >= 0x08 && c <= 0x0d) && c != 0x1b) || c == 0x7f) return false;
      ++i;
      continue;
    }
    std::size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || c == 0xc0 || c == 0xc1 || c > 0xf4) return false;
    if (i + n > h.size()) return !complete;  // a character cut by the window
    for (std::size_t k = 1; k < n; ++k) {
      if ((h[i + k] & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// A known inert format: bytes no model loader executes. "" if none.
std::string_view InertKind(std::span<const std::uint8_t> h, bool complete) {
  if (h.empty() && complete) return "empty";
  if (StartsWith(h, "\x89PNG\r\n\x1a\n")) return "png";
  if (StartsWith(h, "\xff\xd8\xff")) return "jpeg";
  if (StartsWith(h, "GIF87a") || StartsWith(h, "GIF89a")) return "gif";
  if (StartsWith(h, "RIFF") && StartsWith(h, "WEBP", 8)) return "webp";
  if (StartsWith(h, "RIFF") && StartsWith(h, "WAVE", 8)) return "wav";
  if (StartsWith(h, std::string_view("II*\0", 4)) || StartsWith(h, std::string_view("MM\0*", 4))) {
    return "tiff";
  }
  if (StartsWith(h, "fLaC")) return "flac";
  if (StartsWith(h, "OggS")) return "ogg";
  if (StartsWith(h, "ID3")) return "mp3";
  if (!h.empty() && LooksLikeText(h, complete)) return "text";
  return {};
}

// Offset of a zip end-of-central-directory record that ends `tail` exactly
// (its comment length reaching the end), or npos.
std::size_t FindEocd(std::span<const std::uint8_t> tail) {
  if (tail.size() < 22) return std::string::npos;
  for (std::size_t i = tail.size() - 22 + 1; i-- > 0;) {
    if (tail[i] == 'P' && tail[i + 1] == 'K' && tail[i + 2] == 5 && tail[i + 3] == 6 &&
        i + 22 + Le16(&tail[i + 20]) == tail.size()) {
      return i;
    }
  }
  return std::string::npos;
}

std::string HexPrefix(std::span<const std::uint8_t> h) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < h.size() && i < 8; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", h[i]);
    out += buf;
  }
  return out;
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
  Worker(const ScanOptions& opt, const Policy& policy)
      : opt_(opt), lim_(opt.limits), policy_(policy) {}

  void Add(const Ctx& c, std::string_view format, const Issue& is) {
    Finding f;
    f.file = c.job->report->file;
    f.inner = c.inner;
    f.format = std::string(format);
    // One rule for unreadable bytes, named for where they sit.
    f.rule = is.rule == "scan.unreadable" && !c.inner.empty() ? "scan.member-unreadable" : is.rule;
    f.severity = is.severity ? *is.severity : policy_.RuleSeverity(f.rule);
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
  // A read error of a stream or member: bomb, encryption, truncation or
  // unreadable (Add names it scan.member-unreadable inside containers).
  void StreamError(const Ctx& c, std::string_view fmt, const Status& e, std::string_view what) {
    Add(c, fmt, std::string(ReadErrorRule(e)), std::string(what) + ": " + e.message());
    if (e.code() == StatusCode::kResourceExhausted) c.job->stopped = true;
  }

  // ---- blobs (random access) ----
  void ScanBlob(const RandomAccess& blob, Ctx& c, std::optional<std::uint32_t> crc = {}) {
    std::uint8_t head[512];
    std::size_t hn = 0;
    auto got = blob.ReadAt(0, head, sizeof head);
    if (!got) {
      StreamError(c, "unknown", got.error(), "cannot read");
      return;
    }
    hn = *got;
    Fmt f = Detect({head, hn}, blob.size());
    if (f == Fmt::kZip) {
      SetFormat(c, "zip");
      ScanZip(blob, c);
      return;
    }
    if (f == Fmt::k7z || f == Fmt::kRar) {
      SetFormat(c, FmtName(f));
      BlobStream s(&blob);
      ScanArchive(s, &blob, c, FmtName(f));
      return;
    }
    if (crc) {
      CrcCheckingStream cs(std::make_unique<BlobStream>(&blob));
      ScanStream(cs, blob.size(), c, &blob);
      CheckCrc(cs, *crc, c);
    } else {
      BlobStream s(&blob);
      ScanStream(s, blob.size(), c, &blob);
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
  // `blob`, when given, is the same bytes with random access (for the tail).
  void ScanStream(InputStream& in, std::optional<std::uint64_t> size, Ctx& c,
                  const RandomAccess* blob = nullptr) {
    BufferedReader br(&in);
    br.Ensure(512);
    std::size_t hn = std::min<std::size_t>(br.available(), 512);
    std::vector<std::uint8_t> head(br.ptr(), br.ptr() + hn);
    std::uint64_t known = size.value_or(UINT64_MAX);
    Fmt f = Detect(head, size.value_or(hn < 512 ? hn : UINT64_MAX));
    if (!br.error().ok() && hn == 0) {
      StreamError(c, "unknown", br.error(), "cannot read");
      return;
    }
    switch (f) {
      case Fmt::kZip:
      case Fmt::k7z:
      case Fmt::kRar: {
        // They need to seek: copy to a temporary file first.
        auto tmp = Spill(br, c, FmtName(f));
        if (!tmp) return;
        ScanBlob(**tmp, c);
        return;
      }
      case Fmt::kPickle:
      case Fmt::kTorchLegacy:
        SetFormat(c, FmtName(f));
        ScanPickleReader(br, c, f == Fmt::kTorchLegacy, /*speculative=*/false);
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
          ScanPickleReader(br, c, false, false);
        }
        return;
      }
      case Fmt::kSafetensors:
      case Fmt::kGguf:
      case Fmt::kOnnx: {
        if (!size) {
          auto tmp = Spill(br, c, FmtName(f));
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
        if (!br.error().ok()) StreamError(c, FmtName(f), br.error(), "reading stopped");
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
      case Fmt::kTar:
      case Fmt::kCpio:
      case Fmt::kAr: {
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
        if (!br.error().ok()) StreamError(c, "hdf5", br.error(), "reading stopped");
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
        ScanUnrecognized(br, size, blob, c);
        return;
    }
  }

  // Bytes no magic matched. In order: a pickle without PROTO (protocols 0
  // and 1 never write one), a zip read from its end with other data before
  // it, a known inert format, and otherwise a high finding: never silence.
  void ScanUnrecognized(BufferedReader& br, std::optional<std::uint64_t> size,
                        const RandomAccess* blob, Ctx& c) {
    br.Ensure(kSniff);
    std::size_t hn = std::min(br.available(), kSniff);
    std::vector<std::uint8_t> head(br.ptr(), br.ptr() + hn);
    bool complete = size ? *size <= hn : (hn < kSniff && br.error().ok());
    if (hn > 0 && StartsLikePickle(head[0])) {
      PickleScanResult r = RunPickle(br, /*legacy=*/false);
      if (IsPickleEvidence(r)) {
        SetFormat(c, "pickle");
        ReportPickle(r, c, /*legacy=*/false);
        return;
      }
    }
    if (!br.error().ok() && !complete) {
      StreamError(c, "unknown", br.error(), "cannot read");
      return;
    }
    std::string_view kind = InertKind(head, complete);
    // What a loader that finds zips by their end (Python's zipfile, numpy,
    // Keras) would open.
    if (blob != nullptr && !complete) {
      std::uint64_t n = std::min<std::uint64_t>(blob->size(), kEocdWindow);
      std::vector<std::uint8_t> tail(n);
      if (blob->ReadExactAt(blob->size() - n, tail.data(), n).ok() &&
          FindEocd(tail) != std::string::npos) {
        SetFormat(c, "zip");
        Add(c, "zip", "zip.prepended-data",
            "a zip archive follows " +
                std::string(kind.empty() ? "unrecognized data" : std::string(kind) + " data") +
                " (a polyglot): loaders that find zips from their end open it");
        ScanZip(*blob, c);
        return;
      }
    } else if (blob == nullptr && !complete && !kind.empty()) {
      // A stream: read to its end, keeping the tail.
      std::vector<std::uint8_t> tail;
      while (br.Ensure(1)) {
        std::size_t n = br.available();
        tail.insert(tail.end(), br.ptr(), br.ptr() + n);
        if (tail.size() > 2 * kEocdWindow) tail.erase(tail.begin(), tail.end() - kEocdWindow);
        br.Advance(n);
      }
      if (!br.error().ok()) {
        StreamError(c, kind, br.error(), "cannot read");
        return;
      }
      if (FindEocd(tail) != std::string::npos) {
        SetFormat(c, "unknown");
        Add(c, "unknown", "scan.unrecognized",
            std::string(kind) +
                " data that ends with a zip central directory (a polyglot that zip loaders open); "
                "not inspected");
        return;
      }
    } else if (complete && FindEocd(head) != std::string::npos && hn > 22) {
      auto mem = MemoryBlob::View(
          std::string_view(reinterpret_cast<const char*>(head.data()), head.size()));
      SetFormat(c, "zip");
      Add(c, "zip", "zip.prepended-data",
          "a zip archive follows other data (a polyglot): loaders that find zips from their end "
          "open it");
      ScanZip(*mem, c);
      return;
    }
    if (!kind.empty()) {
      SetFormat(c, kind);
      bool script = c.container == "torchscript" && !c.inner.empty() &&
                    c.inner.back().find("/code/") != std::string::npos;
      Add(c, kind, "scan.skipped",
          kind == "empty" ? std::string("empty; nothing to load")
          : script ? std::string("TorchScript source (see pytorch.torchscript); not inspected")
                   : std::string(kind) + " (not a model format); skipped");
      return;
    }
    SetFormat(c, "unknown");
    Add(c, "unknown", "scan.unrecognized",
        "content matches no format the scanner knows (first bytes " + HexPrefix(head) +
            "); not inspected");
  }

  // Copies the rest of `br` into an unlinked temporary file.
  std::optional<std::unique_ptr<FileBlob>> Spill(BufferedReader& br, const Ctx& c,
                                                 std::string_view fmt) {
    int fd = ::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
      char tmpl[] = "/tmp/rampart-scan-XXXXXX";
      fd = ::mkstemp(tmpl);
      if (fd >= 0) ::unlink(tmpl);
    }
    if (fd < 0) {
      Add(c, fmt, "scan.unreadable",
          "cannot create a temporary file to open a nested " + std::string(fmt) +
              "; not inspected");
      return std::nullopt;
    }
    std::uint64_t total = 0;
    while (br.Ensure(1)) {
      std::size_t n = br.available();
      if (total + n > lim_.max_spill) {
        ::close(fd);
        Add(c, fmt, "archive.bomb",
            "nested " + std::string(fmt) + " larger than the " +
                std::to_string(lim_.max_spill >> 20) +
                " MiB limit for archives that must be copied to be opened "
                "(limits.max_spill_bytes)");
        return std::nullopt;
      }
      const std::uint8_t* p = br.ptr();
      std::size_t left = n;
      while (left > 0) {
        ssize_t w = ::write(fd, p, left);
        if (w < 0) {
          if (errno == EINTR) continue;
          ::close(fd);
          Add(c, fmt, "scan.unreadable",
              "cannot write a temporary copy of a nested " + std::string(fmt) + "; not inspected");
          return std::nullopt;
        }
        p += w;
        left -= static_cast<std::size_t>(w);
      }
      total += n;
      br.Advance(n);
    }
    if (!br.error().ok()) {
      StreamError(c, fmt, br.error(), "cannot read");
      ::close(fd);
      return std::nullopt;
    }
    auto blob = FileBlob::Adopt(fd, "(temporary copy)");
    if (!blob) {
      Add(c, fmt, "scan.unreadable", blob.error().message());
      return std::nullopt;
    }
    return std::move(*blob);
  }

  // ---- depth and budgets ----
  bool Enter(const Ctx& c, std::string_view what) {
    if (c.depth >= lim_.max_depth) {
      Add(c, what, "archive.nesting",
          std::string(what) + " nested deeper than " + std::to_string(lim_.max_depth) +
              " containers (limits.max_depth); not opened");
      return false;
    }
    return !c.job->stopped;
  }
  bool CountMember(const Ctx& c, std::string_view fmt) {
    if (++c.job->members > lim_.max_members) {
      if (!c.job->stopped) {
        Add(c, fmt, "archive.entry-limit",
            "more than " + std::to_string(lim_.max_members) +
                " container members (limits.max_members); the rest was not inspected");
      }
      c.job->stopped = true;
      return false;
    }
    return true;
  }
  void Spend(std::uint64_t out, const Ctx& c) {
    c.job->budget = out >= c.job->budget ? 0 : c.job->budget - out;
  }
  void Charge(std::uint64_t out, std::uint64_t in, const Ctx& c, std::string_view fmt) {
    Spend(out, c);
    if (out > lim_.ratio_floor &&
        static_cast<double>(out) > lim_.max_ratio * std::max<double>(1, in)) {
      Add(c, fmt, "archive.bomb",
          "decompressed " + std::to_string(out) + " bytes from " + std::to_string(in) +
              " (ratio above " + std::to_string(static_cast<int>(lim_.max_ratio)) +
              ":1, limits.max_ratio)");
    }
  }

  // ---- pickles ----
  PickleScanResult RunPickle(BufferedReader& br, bool legacy) {
    PickleOptions po;
    po.limits = opt_.pickle;
    if (legacy) po.stop_after = 5;  // magic, protocol, sys info, object, storage keys
    return ScanPickle(br, policy_, po);
  }
  void ScanPickleReader(BufferedReader& br, Ctx& c, bool legacy, bool speculative) {
    PickleScanResult r = RunPickle(br, legacy);
    if (speculative && !IsPickleEvidence(r)) return;  // not a pickle after all
    ReportPickle(r, c, legacy);
  }
  void ReportPickle(const PickleScanResult& r, Ctx& c, bool legacy) {
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
      std::string msg = is.message;
      if (is.rule == "scan.truncated") {
        msg += "; every import before this point is reported, what the rest would load is unknown";
      }
      Add(c, fmt, Issue{is.rule, msg, is.offset, "", std::nullopt});
    }
    if (r.persistent_ids > 0 && c.container != "pytorch-zip" && c.container != "torchscript" &&
        !legacy) {
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
    zl.max_entries = lim_.max_members;
    zl.max_entry_size = lim_.max_member_size;
    zl.max_ratio = lim_.max_ratio;
    zl.ratio_floor = lim_.ratio_floor;
    auto zr = ZipReader::Open(&blob, zl);
    if (!zr) {
      Add(c, "zip", "zip.malformed", zr.error().message() + "; no member could be inspected");
      return;
    }
    const auto& entries = zr->entries();
    // Layout: PyTorch (<prefix>/data.pkl with tensors under <prefix>/data/;
    // TorchScript adds code/, constants.pkl and tensors under constants/),
    // Keras v3 (config.json + metadata.json), npz (only .npy members).
    std::string torch_prefix;
    bool torch = false, keras = false, npz = !entries.empty(), script = false;
    bool has_config = false, has_meta = false;
    std::size_t code_files = 0;
    for (const auto& e : entries) {
      if (e.name == "data.pkl" || e.name.ends_with("/data.pkl")) {
        torch = true;
        torch_prefix = e.name.substr(0, e.name.size() - 8);
      }
      if (e.name == "config.json") has_config = true;
      if (e.name == "metadata.json" || e.name == "model.weights.h5") has_meta = true;
      if (!e.name.ends_with(".npy")) npz = false;
    }
    if (torch) {
      for (const auto& e : entries) {
        if (e.name == torch_prefix + "constants.pkl") script = true;
        if (e.name.starts_with(torch_prefix + "code/") && e.name.ends_with(".py")) ++code_files;
      }
      script = script || code_files > 0;
    }
    keras = !torch && has_config && has_meta;
    std::string layout = script  ? "torchscript"
                         : torch ? "pytorch-zip"
                         : keras ? "keras"
                         : npz   ? "npz"
                                 : "zip";
    SetFormat(c, layout);
    Ctx zc = c;
    zc.depth++;
    zc.container = layout;
    for (const auto& is : zr->issues()) {
      Ctx ec = zc;
      if (!is.entry.empty()) ec.inner.push_back(is.entry);
      Add(ec, layout, Issue{is.rule, is.message, is.offset, "", std::nullopt});
    }
    if (script) {
      Add(c, layout, "pytorch.torchscript",
          "TorchScript archive: " + std::to_string(code_files) + " source files under " +
              torch_prefix +
              "code/ are compiled and run by torch.jit.load (torch.load hands such archives to "
              "it); TorchScript code is not inspected, its pickles are");
    }
    const std::size_t first = c.job->report->findings.size();
    for (const auto& e : entries) {
      if (c.job->stopped) return;
      if (e.name.ends_with("/")) continue;                                 // directory
      if (e.flags & 0x0001 || (e.method != 0 && e.method != 8)) continue;  // reported above
      // Tensor storage in a PyTorch archive is raw bytes that PyTorch never
      // parses: skipped by length.
      if (torch && (e.name.starts_with(torch_prefix + "data/") ||
                    (script && e.name.starts_with(torch_prefix + "constants/")))) {
        continue;
      }
      // Claims beyond the per-member limit were reported by the reader.
      if (e.uncompressed_size > lim_.max_member_size) continue;
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
            "member would exceed the decompression budget (limits.max_decompressed_bytes); not "
            "inspected");
        continue;
      }
      auto st = zr->OpenEntry(e, cap);
      if (!st) {
        Add(ec, layout, "scan.unreadable", st.error().message() + "; not inspected");
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
    ResolveExternalData(c, first);
  }

  void ScanKerasConfig(const ZipReader& zr, const ZipEntry& e, Ctx& c) {
    if (e.uncompressed_size > lim_.max_config) {
      Add(c, "keras", "keras.malformed",
          "config.json larger than the limit (limits.max_config_bytes); not inspected");
      return;
    }
    auto st = zr.OpenEntry(e, lim_.max_config);
    if (!st) {
      Add(c, "keras", "scan.unreadable", st.error().message() + "; not inspected");
      return;
    }
    std::string text;
    std::uint8_t buf[64 * 1024];
    while (true) {
      auto got = (*st)->Read(buf, sizeof buf);
      if (!got) {
        StreamError(c, "keras", got.error(), "config.json is unreadable");
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
      std::string rule(ReadErrorRule(ar.error()));
      if (rule == "scan.unreadable") rule = "archive.malformed";
      Add(c, kind, rule, ar.error().message() + "; no member could be inspected");
      return;
    }
    Ctx ac = c;
    ac.depth++;
    std::uint64_t decompressed = 0;
    std::string last;  // the last member read, for errors between members
    // Links are judged at the end, when every member name is known.
    std::vector<std::pair<Ctx, std::string>> links;
    std::set<std::string> files;
    const std::size_t first = c.job->report->findings.size();
    while (!c.job->stopped) {
      auto next = (*ar)->Next();
      if (!next) {
        std::string rule(ReadErrorRule(next.error()));
        if (rule == "scan.unreadable") rule = "archive.malformed";
        Add(ac, kind, rule,
            next.error().message() + (last.empty()
                                          ? std::string("; no member could be inspected")
                                          : "; members after '" + last + "' were not inspected"));
        break;
      }
      if (!next->has_value()) break;
      const ArchiveEntryInfo& info = **next;
      if (!CountMember(c, kind)) return;
      Ctx ec = ac;
      std::string fmt = (*ar)->format_name();
      bool raw = fmt == "raw";
      ec.inner.push_back(raw ? "<decompressed>" : info.path);
      last = info.path;
      if (info.encrypted) {
        Add(ec, kind, "archive.encrypted",
            "member is encrypted (password-protected) and cannot be inspected");
        continue;
      }
      if (info.type == ArchiveEntryInfo::Type::kSymlink) {
        links.emplace_back(ec, info.link_target);
        continue;
      }
      if (info.type == ArchiveEntryInfo::Type::kDirectory) continue;
      if (info.type == ArchiveEntryInfo::Type::kOther) {
        Add(ec, kind, "file.special",
            "archive member is a device, pipe or socket; extracting it creates one");
        continue;
      }
      files.insert(NormalMember(info.path));
      LimitedStream lim(&(*ar)->data(), c.job->budget);
      ScanStream(lim, raw ? std::nullopt : info.size, ec);
      // Uncompressed archives skip unread data by seeking (libarchive does it
      // at the next header). Compressed ones (a filter, or 7z/rar's own
      // coders) must decompress it anyway: drain it here so that it counts
      // against the budget and the ratio limit.
      bool compressed =
          !(*ar)->filter_names().empty() || fmt.starts_with("7-Zip") || fmt.starts_with("RAR");
      std::uint8_t sink[64 * 1024];
      while (compressed) {
        auto got = lim.Read(sink, sizeof sink);
        if (!got) {
          StreamError(ec, kind, got.error(),
                      got.error().code() == StatusCode::kResourceExhausted
                          ? "decompression budget exhausted (limits.max_decompressed_bytes)"
                          : "cannot read");
          return;
        }
        if (*got == 0) break;
      }
      decompressed += lim.consumed();
      Spend(lim.consumed(), c);
      std::uint64_t in_bytes = (*ar)->compressed_bytes();
      if (decompressed > lim_.ratio_floor &&
          static_cast<double>(decompressed) > lim_.max_ratio * std::max<double>(1, in_bytes)) {
        Add(ec, kind, "archive.bomb",
            "decompressed " + std::to_string(decompressed) + " bytes from " +
                std::to_string(in_bytes) + " (ratio above " +
                std::to_string(static_cast<int>(lim_.max_ratio)) +
                ":1, limits.max_ratio); stopped");
        c.job->stopped = true;
        return;
      }
      if (c.job->budget == 0) {
        Add(ec, kind, "archive.bomb",
            "decompression budget exhausted (limits.max_decompressed_bytes); stopped");
        c.job->stopped = true;
        return;
      }
    }
    ResolveExternalData(c, first);
    for (const auto& [lc, target] : links) {
      // A link to another member of this archive points at bytes scanned
      // there; any other link reaches outside what was scanned.
      const std::string& self = lc.inner.back();
      std::string dir = self.find('/') == std::string::npos ? "" : self.substr(0, self.rfind('/'));
      // Symbolic links resolve from the link's directory, hard links from
      // the archive's root.
      std::string from_dir = NormalMember(dir.empty() ? target : dir + "/" + target);
      std::string from_root = NormalMember(target);
      bool inside = !target.empty() && target[0] != '/' &&
                    ((!from_dir.empty() && files.contains(from_dir)) ||
                     (!from_root.empty() && files.contains(from_root)));
      if (inside) {
        Add(lc, kind,
            Issue{"file.symlink",
                  "archive member is a link to member '" + target + "' (scanned there)",
                  std::nullopt, "", Severity::kInfo});
      } else {
        Add(lc, kind, "file.symlink",
            "archive member is a link to '" + target +
                "', outside the archive; not followed, its target is not inspected");
      }
    }
  }

  // ONNX external data inside a container: a member the scanner could not
  // recognize that a sibling ONNX member names as its external data is raw
  // tensor bytes, as it is beside a model on disk. `first`: the first
  // finding added while scanning the container `c`.
  void ResolveExternalData(const Ctx& c, std::size_t first) {
    auto& all = c.job->report->findings;
    const std::size_t level = c.inner.size() + 1;
    auto sibling = [&](const Finding& f) {
      return f.inner.size() == level && std::equal(c.inner.begin(), c.inner.end(), f.inner.begin());
    };
    std::map<std::string, std::string> data;  // member -> the model member naming it
    for (std::size_t i = first; i < all.size(); ++i) {
      const Finding& f = all[i];
      if (f.rule != "onnx.external-data" || f.symbol.empty() || !sibling(f)) continue;
      const std::string& model = f.inner.back();
      std::string dir =
          model.find('/') == std::string::npos ? "" : model.substr(0, model.rfind('/'));
      std::string member = NormalMember(dir.empty() ? f.symbol : dir + "/" + f.symbol);
      if (!member.empty()) data.emplace(member, model);
    }
    if (data.empty()) return;
    for (std::size_t i = first; i < all.size(); ++i) {
      Finding& f = all[i];
      if (f.rule != "scan.unrecognized" || !sibling(f)) continue;
      auto it = data.find(NormalMember(f.inner.back()));
      if (it == data.end()) continue;
      f.rule = "scan.skipped";
      f.format = "onnx-external-data";
      f.severity = Severity::kInfo;
      f.message =
          "external tensor data of member '" + it->second + "' (raw bytes ONNX never parses)";
    }
  }

  // "./a//b/../c" -> "a/c": how extraction resolves a member path; "" for a
  // path that climbs out of the extraction directory.
  static std::string NormalMember(const std::string& p) {
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i <= p.size()) {
      std::size_t j = p.find('/', i);
      if (j == std::string::npos) j = p.size();
      std::string part = p.substr(i, j - i);
      if (part == "..") {
        if (parts.empty()) return "";
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      i = j + 1;
    }
    std::string out;
    for (const auto& s : parts) out += (out.empty() ? "" : "/") + s;
    return out;
  }

 private:
  const ScanOptions& opt_;
  const ScanLimits& lim_;
  const Policy& policy_;
};

// Sets `r.coverage` from its findings: every state but kFull has one.
void SetCoverage(FileReport& r) {
  if (r.error) {
    r.coverage = Coverage::kNone;
    return;
  }
  Coverage cov = Coverage::kFull;
  for (const auto& f : r.findings) {
    bool top = f.inner.empty();
    if (top &&
        (f.rule == "scan.unrecognized" || f.rule == "scan.unreadable" || f.rule == "file.special" ||
         (f.rule == "file.symlink" && f.severity > Severity::kInfo))) {
      r.coverage = Coverage::kNone;
      return;
    }
    if ((top && f.rule == "scan.skipped") || (top && f.rule == "file.symlink")) {
      cov = Coverage::kSkipped;
    } else if (IsCoverageRule(f.rule) ||
               (!top && (f.rule == "file.symlink" || f.rule == "file.special") &&
                f.severity > Severity::kInfo)) {
      cov = Coverage::kPartial;
    }
  }
  r.coverage = cov;
}

}  // namespace

ScanOptions ScanOptions::ForPolicy(const Policy& policy) {
  ScanOptions o;
  o.policy = &policy;
  o.limits = policy.limits();
  return o;
}

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
    SetCoverage(rep);
    return rep;
  }
  rep.bytes = (*blob)->size();
  FileJob job{&rep, path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path(),
              opt_.limits.max_decompressed};
  Ctx c{&job, {}, 0, ""};
  Worker w(opt_, *opt_.policy);
  w.ScanBlob(**blob, c);
  SetCoverage(rep);
  return rep;
}

FileReport Scanner::ScanBytes(std::string_view data, std::string name) {
  FileReport rep;
  rep.file = std::move(name);
  rep.format = "unknown";
  rep.bytes = data.size();
  auto blob = MemoryBlob::View(data);
  FileJob job{&rep, std::nullopt, opt_.limits.max_decompressed};
  Ctx c{&job, {}, 0, ""};
  Worker w(opt_, *opt_.policy);
  w.ScanBlob(*blob, c);
  SetCoverage(rep);
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
    bool link = false;  // a symlink not followed: judged once every file is known
  };
  std::vector<Item> items;
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
      items.push_back({p, std::nullopt, true});
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
          items.push_back({f, std::nullopt, true});
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
  // The regular files this run scans, by canonical path.
  std::set<fs::path> scanned;
  for (const auto& it : items) {
    if (it.ready || it.link) continue;
    std::error_code ec;
    auto c = fs::canonical(it.path, ec);
    if (!ec) scanned.insert(c);
  }
  for (auto& it : items) {
    if (!it.link) continue;
    FileReport r;
    r.file = it.path.string();
    r.format = "symlink";
    Finding f;
    f.file = r.file;
    f.format = "symlink";
    f.rule = "file.symlink";
    std::error_code ec;
    auto target = fs::read_symlink(it.path, ec);
    std::string shown = ec ? std::string("?") : target.string();
    auto resolved = fs::canonical(it.path, ec);
    if (!ec && scanned.contains(resolved)) {
      f.severity = Severity::kInfo;
      f.message = "symbolic link to '" + shown + "', a file scanned in this run";
    } else {
      f.severity = opt_.policy->RuleSeverity("file.symlink");
      f.message = "symbolic link to '" + shown + "'" + (ec ? " (dangling)" : "") +
                  " not followed: its target is outside what was scanned (use --follow-symlinks "
                  "to scan targets)";
    }
    r.findings.push_back(std::move(f));
    it.ready = std::move(r);
  }
  std::vector<FileReport> reports(items.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress_mu;
  auto worker = [&] {
    while (true) {
      std::size_t i = next.fetch_add(1);
      if (i >= items.size()) return;
      if (items[i].ready) {
        reports[i] = std::move(*items[i].ready);
        SetCoverage(reports[i]);
      } else {
        reports[i] = ScanFile(items[i].path);
      }
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
  // ONNX external data: raw tensor bytes that only make sense beside their
  // model. A file the run could not recognize but that a model of the run
  // names as its external data is skipped as such, not unrecognized.
  std::map<fs::path, std::string> external;  // canonical data file -> model
  for (const auto& r : reports) {
    for (const auto& f : r.findings) {
      if (f.rule != "onnx.external-data" || !f.inner.empty() || f.symbol.empty()) continue;
      std::error_code ec;
      auto c = fs::canonical(fs::path(r.file).parent_path() / f.symbol, ec);
      if (!ec) external.emplace(c, r.file);
    }
  }
  if (!external.empty()) {
    for (auto& r : reports) {
      if (r.coverage != Coverage::kNone || r.error) continue;
      std::error_code ec;
      auto c = fs::canonical(r.file, ec);
      auto it = ec ? external.end() : external.find(c);
      if (it == external.end()) continue;
      auto f = std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& x) {
        return x.rule == "scan.unrecognized" && x.inner.empty();
      });
      if (f == r.findings.end() || r.findings.size() != 1) continue;
      f->rule = "scan.skipped";
      f->format = "onnx-external-data";
      f->severity = Severity::kInfo;
      f->message = "external tensor data of " + it->second + " (raw bytes ONNX never parses)";
      r.format = "onnx-external-data";
      SetCoverage(r);
    }
  }
  return reports;
}

}  // namespace rampart::artifacts
