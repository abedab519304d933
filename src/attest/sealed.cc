#include "attest/sealed.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/json.h"

namespace rampart::attest {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kTag = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// Removes a temporary directory unless released.
struct TempDirGuard {
  fs::path path;
  bool keep = false;
  ~TempDirGuard() {
    if (!keep && !path.empty()) {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  }
};

Key Derive(const Key& dk, std::string_view label) {
  crypto::Bytes mac = crypto::Hmac(crypto::HashAlgorithm::kSha256,
                                   std::span<const std::uint8_t>(dk), crypto::AsBytes(label));
  Key k;
  std::copy_n(mac.begin(), kKeySize, k.begin());
  return k;
}

void PutBe(std::uint64_t v, int bytes, std::uint8_t* out) {
  for (int i = bytes - 1; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
}

std::uint64_t ChunkCount(std::uint64_t size, std::uint64_t chunk) {
  return size == 0 ? 1 : (size + chunk - 1) / chunk;
}

// The per-chunk nonce and AAD of docs/formats/sealed.md.
class ChunkBinding {
 public:
  ChunkBinding(std::string_view resource, std::string_view path, std::uint32_t file_index,
               std::uint64_t size) {
    aad_.assign(kSealedFormat.begin(), kSealedFormat.end());
    aad_.push_back(0);
    aad_.insert(aad_.end(), resource.begin(), resource.end());
    aad_.push_back(0);
    aad_.insert(aad_.end(), path.begin(), path.end());
    aad_.push_back(0);
    fixed_ = aad_.size();
    aad_.resize(fixed_ + 8 + 1 + 8);
    PutBe(size, 8, aad_.data() + fixed_ + 9);
    PutBe(file_index, 4, nonce_.data());
  }
  void Set(std::uint64_t chunk, bool final) {
    PutBe(chunk, 8, nonce_.data() + 4);
    PutBe(chunk, 8, aad_.data() + fixed_);
    aad_[fixed_ + 8] = final ? 1 : 0;
  }
  const std::uint8_t* nonce() const { return nonce_.data(); }
  const std::vector<std::uint8_t>& aad() const { return aad_; }

 private:
  std::array<std::uint8_t, 12> nonce_{};
  std::vector<std::uint8_t> aad_;
  std::size_t fixed_ = 0;
};

// A file system may take O_DIRECT at open and refuse an I/O's alignment
// later (EINVAL): the descriptor goes on buffered. True if it was direct.
bool DropDirect(int fd) {
  int fl = ::fcntl(fd, F_GETFL);
  return fl >= 0 && (fl & O_DIRECT) && ::fcntl(fd, F_SETFL, fl & ~O_DIRECT) == 0;
}

Status ReadFull(int fd, std::uint8_t* buf, std::size_t n, std::size_t* got) {
  *got = 0;
  while (*got < n) {
    ssize_t r = ::read(fd, buf + *got, n - *got);
    if (r < 0) {
      if (errno == EINTR || (errno == EINVAL && DropDirect(fd))) continue;
      return UnavailableError(std::string("read: ") + std::strerror(errno));
    }
    if (r == 0) break;
    *got += static_cast<std::size_t>(r);
  }
  return OkStatus();
}

Status WriteFull(int fd, const std::uint8_t* buf, std::size_t n, const fs::path& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, buf, n);
    if (w < 0) {
      if (errno == EINTR || (errno == EINVAL && DropDirect(fd))) continue;
      return UnavailableError(path.string() + ": write: " + std::strerror(errno));
    }
    buf += w;
    n -= static_cast<std::size_t>(w);
  }
  return OkStatus();
}

// A blob written through an aligned staging buffer. The ciphertext is
// produced straight into the buffer; full 4 KiB blocks go out with O_DIRECT
// where the file system takes it (no copy into the page cache, no writeback
// at fdatasync), the unaligned tail with O_DIRECT cleared. Where O_DIRECT is
// refused (tmpfs), the same buffer is written through the page cache.
class BlobWriter {
 public:
  static constexpr std::size_t kAlign = 4096;
  BlobWriter(const fs::path& path, std::size_t chunk_out, mode_t mode = 0600)
      : path_(path), mode_(mode) {
    cap_ = std::max<std::size_t>(8u << 20, 2 * chunk_out) + 2 * kAlign;
    cap_ = (cap_ + kAlign - 1) / kAlign * kAlign;
    reserve_ = chunk_out;
    buf_.reset(static_cast<std::uint8_t*>(std::aligned_alloc(kAlign, cap_)));
  }
  Status Open() {
    if (!buf_) return ResourceExhaustedError("out of memory for the blob buffer");
    constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
    fd_ = ::open(path_.c_str(), kFlags | O_DIRECT, mode_);
    direct_ = fd_ >= 0;
    if (fd_ < 0 && errno == EINVAL) fd_ = ::open(path_.c_str(), kFlags, mode_);
    if (fd_ < 0) return UnavailableError(path_.string() + ": " + std::strerror(errno));
    return OkStatus();
  }
  ~BlobWriter() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Room for the next chunk's output (at most chunk_out bytes).
  std::uint8_t* Next() { return buf_.get() + fill_; }
  Status Commit(std::size_t n) {
    fill_ += n;
    if (cap_ - fill_ >= reserve_) return OkStatus();
    std::size_t out = direct_ ? fill_ / kAlign * kAlign : fill_;
    RAMPART_RETURN_IF_ERROR(WriteFull(fd_, buf_.get(), out, path_));
    std::memmove(buf_.get(), buf_.get() + out, fill_ - out);
    fill_ -= out;
    return OkStatus();
  }
  Status Finish() {
    if (direct_ && fill_ > 0) {
      int fl = ::fcntl(fd_, F_GETFL);
      if (fl < 0 || ::fcntl(fd_, F_SETFL, fl & ~O_DIRECT) != 0)
        return UnavailableError(path_.string() + ": fcntl: " + std::strerror(errno));
    }
    RAMPART_RETURN_IF_ERROR(WriteFull(fd_, buf_.get(), fill_, path_));
    fill_ = 0;
    if (::fdatasync(fd_) != 0) return UnavailableError(path_.string() + ": fsync failed");
    return OkStatus();
  }

 private:
  struct Free {
    void operator()(std::uint8_t* p) const { std::free(p); }
  };
  fs::path path_;
  mode_t mode_;
  std::unique_ptr<std::uint8_t, Free> buf_;
  std::size_t cap_ = 0, reserve_ = 0, fill_ = 0;
  int fd_ = -1;
  bool direct_ = false;
};

bool ResourceChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

Status CheckRelPath(std::string_view p) {
  if (p.empty() || p.size() > 4096) return InvalidArgumentError("file path is empty or too long");
  if (p.front() == '/')
    return InvalidArgumentError("file path '" + std::string(p) + "' is absolute");
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    std::string_view c = p.substr(start, end - start);
    if (c.empty() || c == "." || c == "..") {
      return InvalidArgumentError("file path '" + std::string(p) +
                                  "' has an empty, '.' or '..' component");
    }
    start = end + 1;
  }
  for (char c : p) {
    if (c == '\0' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return InvalidArgumentError("file path has a control byte or a backslash");
    }
  }
  return OkStatus();
}

std::string BlobName(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "blobs/%06zu", i);
  return buf;
}

json::object ToObject(const SealedManifest& m, bool with_mac) {
  json::object o;
  o["format"] = kSealedFormat;
  o["resource"] = m.resource;
  o["chunk_size"] = m.chunk_size;
  o["kek_id"] = m.kek_id;
  o["wrapped_key"] = Base64Encode(std::span<const std::uint8_t>(m.wrapped_key));
  o["root_digest"] = m.root_digest;
  json::array files;
  for (const SealedFile& f : m.files) {
    json::object fo;
    fo["path"] = f.path;
    fo["size"] = f.size;
    fo["sha256"] = f.sha256;
    fo["blob"] = f.blob;
    files.push_back(std::move(fo));
  }
  o["files"] = std::move(files);
  if (with_mac) o["mac"] = Base64Encode(std::span<const std::uint8_t>(m.mac));
  return o;
}

std::vector<std::uint8_t> ComputeMac(const SealedManifest& m, const Key& dk) {
  Key mk = Derive(dk, "rampart-sealed-v1 manifest");
  return crypto::Hmac(crypto::HashAlgorithm::kSha256, std::span<const std::uint8_t>(mk),
                      crypto::AsBytes(CanonicalJson(ToObject(m, false))));
}

bool IsLowerHex(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status CheckMembers(const json::object& o, std::initializer_list<std::string_view> known,
                    std::string_view where) {
  for (const auto& kv : o) {
    if (std::find(known.begin(), known.end(), std::string_view(kv.key())) == known.end()) {
      return InvalidArgumentError(std::string(where) + ": unknown member '" +
                                  std::string(kv.key()) + "'");
    }
  }
  return OkStatus();
}

Result<std::uint64_t> GetU64(const json::object& o, std::string_view key, std::string_view where) {
  auto it = o.find(key);
  if (it == o.end())
    return InvalidArgumentError(std::string(where) + ": missing '" + std::string(key) + "'");
  if (it->value().is_uint64()) return it->value().get_uint64();
  if (it->value().is_int64() && it->value().get_int64() >= 0)
    return static_cast<std::uint64_t>(it->value().get_int64());
  return InvalidArgumentError(std::string(where) + ": '" + std::string(key) +
                              "' must be a non-negative integer");
}

Result<std::string> GetStr(const json::object& o, std::string_view key, std::string_view where) {
  auto s = GetString(o, key);
  if (!s) return InvalidArgumentError(std::string(where) + ": " + s.error().message());
  return std::string(*s);
}

// Enumerates a model as OMS does; names sorted by byte order.
Result<std::vector<std::pair<std::string, fs::path>>> Enumerate(const fs::path& model) {
  std::vector<std::pair<std::string, fs::path>> out;
  std::error_code ec;
  fs::file_status st = fs::symlink_status(model, ec);
  if (ec) return NotFoundError(model.string() + ": " + ec.message());
  if (fs::is_symlink(st)) return InvalidArgumentError(model.string() + ": is a symlink");
  if (fs::is_regular_file(st)) {
    out.emplace_back(model.filename().string(), model);
    return out;
  }
  if (!fs::is_directory(st))
    return InvalidArgumentError(model.string() + ": not a file or directory");
  static const std::vector<std::string> kIgnore = {".git", ".gitignore", ".gitattributes",
                                                   ".github"};
  fs::recursive_directory_iterator it(model, fs::directory_options::none, ec), end;
  if (ec) return UnavailableError(model.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return UnavailableError(model.string() + ": " + ec.message());
    fs::path rel = fs::relative(it->path(), model, ec);
    std::string name = rel.generic_string();
    std::string top = name.substr(0, name.find('/'));
    if (std::find(kIgnore.begin(), kIgnore.end(), top) != kIgnore.end()) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    fs::file_status s = it->symlink_status(ec);
    if (fs::is_symlink(s)) {
      return InvalidArgumentError(it->path().string() +
                                  ": symlinks are not sealed; copy the target in");
    }
    if (fs::is_directory(s)) continue;
    if (!fs::is_regular_file(s)) {
      return InvalidArgumentError(it->path().string() + ": not a regular file");
    }
    RAMPART_RETURN_IF_ERROR(CheckRelPath(name));
    out.emplace_back(std::move(name), it->path());
  }
  std::sort(out.begin(), out.end());
  if (out.size() > kMaxSealedFiles)
    return InvalidArgumentError(model.string() + ": too many files");
  return out;
}

fs::path TempBeside(const fs::path& out) {
  std::array<std::uint8_t, 6> r{};
  (void)crypto::RandomBytes(std::span<std::uint8_t>(r));
  fs::path parent = out.parent_path();
  if (parent.empty()) parent = ".";
  return parent /
         ("." + out.filename().string() + ".tmp-" + HexEncode(std::span<const std::uint8_t>(r)));
}

Status CheckOutput(const fs::path& out) {
  std::error_code ec;
  if (out.filename().empty()) return InvalidArgumentError("output directory has no name");
  if (fs::exists(fs::symlink_status(out, ec))) {
    return InvalidArgumentError(out.string() + ": exists; pick a new output directory");
  }
  return OkStatus();
}

void SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Status CheckResourcePath(std::string_view path) {
  int parts = 0;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view c = path.substr(start, end - start);
    ++parts;
    if (c.empty() || c == "." || c == "..") {
      return InvalidArgumentError("resource path '" + std::string(path) +
                                  "': empty, '.' or '..' component refused");
    }
    if (!std::all_of(c.begin(), c.end(), ResourceChar)) {
      return InvalidArgumentError("resource path '" + std::string(path) +
                                  "': components may hold only A-Z a-z 0-9 . _ -");
    }
    if (c.size() > 128) return InvalidArgumentError("resource path component too long");
    start = end + 1;
  }
  if (parts != 3) {
    return InvalidArgumentError("resource path '" + std::string(path) +
                                "' must be repo/type/tag (three components)");
  }
  return OkStatus();
}

Result<SealedManifest> ParseSealedManifest(std::string_view text) {
  JsonLimits limits;
  limits.max_bytes = kMaxManifestBytes;
  limits.max_depth = 8;
  RAMPART_ASSIGN_OR_RETURN(json::value v, ParseJson(text, limits, kManifestName));
  if (!v.is_object()) return InvalidArgumentError("sealed.json: must be a JSON object");
  const json::object& o = v.get_object();
  RAMPART_RETURN_IF_ERROR(CheckMembers(
      o,
      {"format", "resource", "chunk_size", "kek_id", "wrapped_key", "root_digest", "files", "mac"},
      "sealed.json"));
  SealedManifest m;
  RAMPART_ASSIGN_OR_RETURN(std::string format, GetStr(o, "format", "sealed.json"));
  if (format != kSealedFormat) {
    return InvalidArgumentError("sealed.json: format '" + format + "' is not " +
                                std::string(kSealedFormat));
  }
  RAMPART_ASSIGN_OR_RETURN(m.resource, GetStr(o, "resource", "sealed.json"));
  if (Status s = CheckResourcePath(m.resource); !s.ok()) return s.WithContext("sealed.json");
  RAMPART_ASSIGN_OR_RETURN(m.chunk_size, GetU64(o, "chunk_size", "sealed.json"));
  if (m.chunk_size < 4096 || m.chunk_size > (64u << 20) || (m.chunk_size & (m.chunk_size - 1))) {
    return InvalidArgumentError("sealed.json: chunk_size must be a power of two in [4096, 64 MiB]");
  }
  RAMPART_ASSIGN_OR_RETURN(m.kek_id, GetStr(o, "kek_id", "sealed.json"));
  if (!m.kek_id.starts_with("sha256:") || !IsLowerHex(std::string_view(m.kek_id).substr(7), 64))
    return InvalidArgumentError("sealed.json: kek_id must be sha256:<64 hex>");
  RAMPART_ASSIGN_OR_RETURN(std::string wk, GetStr(o, "wrapped_key", "sealed.json"));
  auto wkb = Base64Decode(wk);
  if (!wkb || wkb->size() != kKeySize + 8)
    return InvalidArgumentError("sealed.json: wrapped_key must be 40 bytes in base64");
  m.wrapped_key = std::move(*wkb);
  RAMPART_ASSIGN_OR_RETURN(m.root_digest, GetStr(o, "root_digest", "sealed.json"));
  if (!m.root_digest.starts_with("sha256:") ||
      !IsLowerHex(std::string_view(m.root_digest).substr(7), 64))
    return InvalidArgumentError("sealed.json: root_digest must be sha256:<64 hex>");
  RAMPART_ASSIGN_OR_RETURN(std::string mac, GetStr(o, "mac", "sealed.json"));
  auto macb = Base64Decode(mac);
  if (!macb || macb->size() != 32)
    return InvalidArgumentError("sealed.json: mac must be 32 bytes in base64");
  m.mac = std::move(*macb);
  auto files = GetArray(o, "files");
  if (!files) return InvalidArgumentError("sealed.json: " + files.error().message());
  if ((*files)->size() > kMaxSealedFiles)
    return InvalidArgumentError("sealed.json: too many files");
  for (std::size_t i = 0; i < (*files)->size(); ++i) {
    const json::value& fv = (**files)[i];
    std::string where = "sealed.json: files[" + std::to_string(i) + "]";
    if (!fv.is_object()) return InvalidArgumentError(where + ": must be an object");
    const json::object& fo = fv.get_object();
    RAMPART_RETURN_IF_ERROR(CheckMembers(fo, {"path", "size", "sha256", "blob"}, where));
    SealedFile f;
    RAMPART_ASSIGN_OR_RETURN(f.path, GetStr(fo, "path", where));
    if (Status s = CheckRelPath(f.path); !s.ok()) return s.WithContext(where);
    if (!m.files.empty() && !(m.files.back().path < f.path))
      return InvalidArgumentError(where + ": files must be sorted by path without duplicates");
    RAMPART_ASSIGN_OR_RETURN(f.size, GetU64(fo, "size", where));
    if (f.size > (1ull << 46)) return InvalidArgumentError(where + ": size too large");
    RAMPART_ASSIGN_OR_RETURN(f.sha256, GetStr(fo, "sha256", where));
    if (!IsLowerHex(f.sha256, 64))
      return InvalidArgumentError(where + ": sha256 must be 64 lowercase hex");
    RAMPART_ASSIGN_OR_RETURN(f.blob, GetStr(fo, "blob", where));
    if (f.blob != BlobName(i)) return InvalidArgumentError(where + ": blob must be " + BlobName(i));
    m.files.push_back(std::move(f));
  }
  return m;
}

std::string SerializeSealedManifest(const SealedManifest& m) {
  return ToPrettyJson(ToObject(m, true)) + "\n";
}

Result<Key> UnwrapDataKey(const SealedManifest& m, const Key& kek) {
  if (KekId(kek) != m.kek_id) {
    return PermissionDeniedError("sealed.json: sealed under key-encryption key " + m.kek_id +
                                 ", not the one given (" + KekId(kek) + ")");
  }
  RAMPART_ASSIGN_OR_RETURN(auto raw, AesKwUnwrap(kek, m.wrapped_key));
  if (raw.size() != kKeySize)
    return PermissionDeniedError("sealed.json: wrapped key has the wrong size");
  Key dk;
  std::copy(raw.begin(), raw.end(), dk.begin());
  return dk;
}

Status CheckManifestMac(const SealedManifest& m, const Key& data_key) {
  if (!crypto::ConstantTimeEqual(ComputeMac(m, data_key), m.mac)) {
    return PermissionDeniedError(
        "sealed.json: manifest MAC does not verify (the manifest was altered, or this is not its "
        "data key)");
  }
  return OkStatus();
}

Result<SealedManifest> ReadSealedManifest(const fs::path& sealed_dir) {
  RAMPART_ASSIGN_OR_RETURN(std::string text,
                           ReadFile(sealed_dir / kManifestName, kMaxManifestBytes));
  auto m = ParseSealedManifest(text);
  if (!m) return m.error().WithContext(sealed_dir.string());
  return m;
}

// A blob read in large aligned blocks (O_DIRECT where the file system takes
// it: no copy out of the page cache) and handed out in pieces of any length.
class BlobReader {
 public:
  static constexpr std::size_t kAlign = 4096;
  BlobReader(const fs::path& path, std::size_t max_piece) : path_(path) {
    read_ = (std::max<std::size_t>(8u << 20, 2 * max_piece) + kAlign - 1) / kAlign * kAlign;
    cap_ = read_ + (max_piece + kAlign - 1) / kAlign * kAlign + kAlign;
    buf_.reset(static_cast<std::uint8_t*>(std::aligned_alloc(kAlign, cap_)));
  }
  ~BlobReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open() {
    if (!buf_) return ResourceExhaustedError("out of memory for the blob buffer");
    constexpr int kFlags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
    fd_ = ::open(path_.c_str(), kFlags | O_DIRECT);
    if (fd_ < 0 && errno == EINVAL) fd_ = ::open(path_.c_str(), kFlags);
    if (fd_ < 0) return UnavailableError(path_.string() + ": " + std::strerror(errno));
    return OkStatus();
  }
  // The next `n` bytes (n <= max_piece), or nullptr at the end of the file.
  Result<std::uint8_t*> Take(std::size_t n) {
    while (end_ - pos_ < n && !eof_) {
      // Keep the unread bytes so that they end on an aligned offset, and
      // read whole blocks after them.
      std::size_t rem = end_ - pos_;
      std::size_t at = (rem + kAlign - 1) / kAlign * kAlign - rem;
      std::memmove(buf_.get() + at, buf_.get() + pos_, rem);
      pos_ = at;
      end_ = at + rem;
      std::size_t got = 0;
      RAMPART_RETURN_IF_ERROR(ReadFull(fd_, buf_.get() + end_, read_, &got));
      if (got < read_) eof_ = true;
      end_ += got;
    }
    if (end_ - pos_ < n) return static_cast<std::uint8_t*>(nullptr);
    std::uint8_t* p = buf_.get() + pos_;
    pos_ += n;
    return p;
  }

 private:
  struct Free {
    void operator()(std::uint8_t* p) const { std::free(p); }
  };
  fs::path path_;
  std::unique_ptr<std::uint8_t, Free> buf_;
  std::size_t read_ = 0, cap_ = 0, pos_ = 0, end_ = 0;
  bool eof_ = false;
  int fd_ = -1;
};

// The reading half of Seal: files opened, read chunk by chunk (O_DIRECT
// where the file system takes it: DMA into the buffer, no copy out of the
// page cache) and hashed on its own thread, handed over in order through a
// few aligned buffers. The destructor stops and joins the thread whatever
// the consumer did.
class ChunkPipeline {
 public:
  struct Msg {
    enum Kind { kFileStart, kChunk, kFileEnd, kDone } kind = kDone;
    std::size_t file = 0;
    std::uint64_t size = 0;  // kFileStart, kFileEnd
    std::uint64_t chunk = 0;
    bool final = false;
    int buffer = -1;
    std::size_t got = 0;
    crypto::Bytes digest;  // kFileEnd, when hashing
    Status error;
  };
  static constexpr int kBuffers = 4;

  ChunkPipeline(const std::vector<std::pair<std::string, fs::path>>& files, std::size_t cs,
                bool hash)
      : files_(files), cs_(cs), hash_(hash) {}
  ~ChunkPipeline() {
    {
      std::lock_guard<std::mutex> l(mu_);
      cancel_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void Start() {
    for (int b = 0; b < kBuffers; ++b) {
      bufs_[b].reset(static_cast<std::uint8_t*>(std::aligned_alloc(4096, cs_)));
      if (!bufs_[b]) {
        Msg m;
        m.error = ResourceExhaustedError("out of memory for the chunk buffers");
        queue_.push_back(std::move(m));
        return;
      }
      free_.push_back(b);
    }
    thread_ = std::thread([this] { Run(); });
  }
  Msg Pop() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return !queue_.empty(); });
    Msg m = std::move(queue_.front());
    queue_.pop_front();
    return m;
  }
  const std::uint8_t* Buffer(int b) const { return bufs_[b].get(); }
  void Release(int b) {
    {
      std::lock_guard<std::mutex> l(mu_);
      free_.push_back(b);
    }
    cv_.notify_all();
  }

 private:
  struct Free {
    void operator()(std::uint8_t* p) const { std::free(p); }
  };
  void Push(Msg m) {
    {
      std::lock_guard<std::mutex> l(mu_);
      queue_.push_back(std::move(m));
    }
    cv_.notify_all();
  }
  // A free buffer, or -1 once cancelled.
  int Acquire() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return cancel_ || !free_.empty(); });
    if (cancel_) return -1;
    int b = free_.front();
    free_.pop_front();
    return b;
  }
  void Fail(Status st) {
    Msg m;
    m.error = std::move(st);
    Push(std::move(m));
  }
  void Run() {
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (!ReadFile(i)) return;
    }
    Push(Msg{});  // kDone
  }
  bool ReadFile(std::size_t i) {
    const fs::path& path = files_[i].second;
    Fd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_DIRECT));
    bool direct = src.fd >= 0;
    if (src.fd < 0 && errno == EINVAL) {
      src.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (src.fd < 0) {
      Fail(UnavailableError(path.string() + ": " + std::strerror(errno)));
      return false;
    }
    struct stat st {};
    if (::fstat(src.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      Fail(InvalidArgumentError(path.string() + ": not a regular file"));
      return false;
    }
    const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
    Msg start;
    start.kind = Msg::kFileStart;
    start.file = i;
    start.size = size;
    Push(std::move(start));
    crypto::Hasher h(crypto::HashAlgorithm::kSha256);
    const std::uint64_t n = ChunkCount(size, cs_);
    std::uint64_t done = 0;
    for (std::uint64_t j = 0; j < n; ++j) {
      int b = Acquire();
      if (b < 0) return false;
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(cs_, size - done));
      // An O_DIRECT read asks for whole blocks; more than `want` back
      // means the file grew.
      std::size_t ask = direct ? (want + 4095) / 4096 * 4096 : want;
      std::size_t got = 0;
      if (Status rs = ReadFull(src.fd, bufs_[b].get(), ask, &got); !rs.ok()) {
        Fail(rs.WithContext(path.string()));
        return false;
      }
      if (got != want) {
        Fail(UnavailableError(path.string() + ": changed size while being sealed"));
        return false;
      }
      done += got;
      if (hash_) h.Update(std::span<const std::uint8_t>(bufs_[b].get(), got));
      Msg c;
      c.kind = Msg::kChunk;
      c.file = i;
      c.chunk = j;
      c.final = j + 1 == n;
      c.buffer = b;
      c.got = got;
      Push(std::move(c));
    }
    if (direct) {
      int fl = ::fcntl(src.fd, F_GETFL);
      if (fl < 0 || ::fcntl(src.fd, F_SETFL, fl & ~O_DIRECT) != 0) {
        Fail(UnavailableError(path.string() + ": fcntl: " + std::strerror(errno)));
        return false;
      }
    }
    std::size_t extra = 0;
    std::uint8_t probe;
    if (Status rs = ReadFull(src.fd, &probe, 1, &extra); !rs.ok() || extra != 0) {
      Fail(UnavailableError(path.string() + ": grew while being sealed"));
      return false;
    }
    Msg end;
    end.kind = Msg::kFileEnd;
    end.file = i;
    end.size = size;
    if (hash_) end.digest = h.Finish();
    Push(std::move(end));
    return true;
  }

  const std::vector<std::pair<std::string, fs::path>>& files_;
  const std::size_t cs_;
  const bool hash_;
  std::array<std::unique_ptr<std::uint8_t, Free>, kBuffers> bufs_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Msg> queue_;
  std::deque<int> free_;
  bool cancel_ = false;
  std::thread thread_;
};

Result<SealSummary> Seal(const fs::path& model, const fs::path& out_dir, const Key& kek,
                         const SealOptions& options) {
  RAMPART_RETURN_IF_ERROR(CheckResourcePath(options.resource));
  std::uint64_t cs = options.chunk_size;
  if (cs < 4096 || cs > (64u << 20) || (cs & (cs - 1)))
    return InvalidArgumentError("--chunk-size must be a power of two in [4096, 64 MiB]");
  RAMPART_RETURN_IF_ERROR(CheckOutput(out_dir));
  RAMPART_ASSIGN_OR_RETURN(auto files, Enumerate(model));
  const auto& signed_digests = options.signed_digests;
  if (signed_digests) {
    for (const auto& [name, path] : files) {
      auto it = signed_digests->find(name);
      if (it == signed_digests->end()) {
        return PermissionDeniedError(path.string() + ": not in the signed bundle (" + name +
                                     "); re-sign the model or seal without the bundle");
      }
      if (!IsLowerHex(it->second, 64))
        return InvalidArgumentError("signed digest of " + name + " is not a SHA-256 hex digest");
    }
    if (signed_digests->size() != files.size()) {
      std::set<std::string> present;
      for (const auto& f : files) present.insert(f.first);
      for (const auto& [name, d] : *signed_digests) {
        if (!present.contains(name))
          return PermissionDeniedError("signed file " + name + " is missing from " +
                                       model.string());
      }
    }
  }
  RAMPART_ASSIGN_OR_RETURN(Key dk, RandomKey());
  Key ck = Derive(dk, "rampart-sealed-v1 chunk");

  TempDirGuard tmp{TempBeside(out_dir)};
  std::error_code ec;
  fs::create_directories(tmp.path / "blobs", ec);
  if (ec) return UnavailableError(tmp.path.string() + ": " + ec.message());

  SealedManifest m;
  m.resource = options.resource;
  m.chunk_size = cs;
  m.kek_id = KekId(kek);
  m.wrapped_key = AesKwWrap(kek, std::span<const std::uint8_t>(dk));
  if (m.wrapped_key.size() != kKeySize + 8) return InternalError("AES-KW wrap failed");

  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, ck.data(), nullptr) != 1)
    return InternalError("AES-256-GCM init failed");
  // Two threads: a reader reads each chunk (and hashes it, unless the
  // digests come from a verified bundle) into one of a few aligned buffers;
  // this thread encrypts and writes them in order.
  ChunkPipeline pipe(files, cs, !signed_digests);
  pipe.Start();
  SealSummary sum;
  crypto::Hasher root(crypto::HashAlgorithm::kSha256);
  std::optional<BlobWriter> dst;
  std::optional<ChunkBinding> bind;
  for (;;) {
    ChunkPipeline::Msg msg = pipe.Pop();
    if (!msg.error.ok()) return msg.error;
    if (msg.kind == ChunkPipeline::Msg::kDone) break;
    const auto& name = files[msg.file].first;
    if (msg.kind == ChunkPipeline::Msg::kFileStart) {
      dst.emplace(tmp.path / BlobName(msg.file), cs + kTag);
      RAMPART_RETURN_IF_ERROR(dst->Open());
      bind.emplace(m.resource, name, static_cast<std::uint32_t>(msg.file), msg.size);
      continue;
    }
    if (msg.kind == ChunkPipeline::Msg::kFileEnd) {
      RAMPART_RETURN_IF_ERROR(dst->Finish());
      dst.reset();
      crypto::Bytes d = signed_digests ? *HexDecode(signed_digests->at(name)) : msg.digest;
      root.Update(std::span<const std::uint8_t>(d));
      m.files.push_back(SealedFile{name, msg.size, HexEncode(d), BlobName(msg.file)});
      sum.bytes += msg.size;
      continue;
    }
    const std::uint8_t* in = pipe.Buffer(msg.buffer);
    std::size_t got = msg.got;
    bind->Set(msg.chunk, msg.final);
    int len = 0, fl = 0;
    std::uint8_t* out = dst->Next();
    if (EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, nullptr, bind->nonce()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bind->aad().data(),
                          static_cast<int>(bind->aad().size())) != 1 ||
        (got > 0 && EVP_EncryptUpdate(ctx.get(), out, &len, in, static_cast<int>(got)) != 1) ||
        EVP_EncryptFinal_ex(ctx.get(), out + got, &fl) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, out + got) != 1) {
      return InternalError("AES-256-GCM failed");
    }
    pipe.Release(msg.buffer);
    RAMPART_RETURN_IF_ERROR(dst->Commit(got + kTag));
  }
  m.root_digest = "sha256:" + HexEncode(root.Finish());
  m.mac = ComputeMac(m, dk);
  RAMPART_RETURN_IF_ERROR(WriteFileAtomic(tmp.path / kManifestName, SerializeSealedManifest(m)));
  SyncDir(tmp.path / "blobs");
  fs::rename(tmp.path, out_dir, ec);
  if (ec) return UnavailableError(out_dir.string() + ": " + ec.message());
  tmp.keep = true;
  SyncDir(out_dir.parent_path().empty() ? fs::path(".") : out_dir.parent_path());
  sum.root_digest = m.root_digest;
  sum.files = m.files.size();
  return sum;
}

Result<SealSummary> Unseal(const fs::path& sealed_dir, const fs::path& out_dir,
                           const Key& data_key) {
  RAMPART_RETURN_IF_ERROR(CheckOutput(out_dir));
  RAMPART_ASSIGN_OR_RETURN(SealedManifest m, ReadSealedManifest(sealed_dir));
  RAMPART_RETURN_IF_ERROR(CheckManifestMac(m, data_key));
  const std::uint64_t cs = m.chunk_size;

  // The directory holds exactly the manifest and the blobs it names, each of
  // the length its file's size implies.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(sealed_dir, ec)) {
    std::string n = e.path().filename().string();
    if (n != kManifestName && n != "blobs") {
      return PermissionDeniedError(sealed_dir.string() + ": unexpected entry '" + n +
                                   "' (not in the manifest)");
    }
  }
  if (ec) return UnavailableError(sealed_dir.string() + ": " + ec.message());
  std::size_t blobs = 0;
  for (const auto& e : fs::directory_iterator(sealed_dir / "blobs", ec)) {
    std::string n = "blobs/" + e.path().filename().string();
    bool known = false;
    std::size_t idx = 0;
    if (n.size() == 12 &&
        std::all_of(n.begin() + 6, n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      idx = std::stoul(n.substr(6));
      known = idx < m.files.size();
    }
    if (!known) {
      return PermissionDeniedError(sealed_dir.string() + ": unexpected blob '" + n +
                                   "' (not in the manifest)");
    }
    ++blobs;
  }
  if (ec) return UnavailableError((sealed_dir / "blobs").string() + ": " + ec.message());
  for (std::size_t i = 0; i < m.files.size(); ++i) {
    const SealedFile& f = m.files[i];
    fs::path bp = sealed_dir / f.blob;
    fs::file_status st = fs::symlink_status(bp, ec);
    if (!fs::is_regular_file(st)) {
      return PermissionDeniedError(bp.string() + " (" + f.path +
                                   "): missing or not a regular file");
    }
    std::uint64_t want = f.size + kTag * ChunkCount(f.size, cs);
    std::uint64_t have = fs::file_size(bp, ec);
    if (have != want) {
      return PermissionDeniedError(bp.string() + " (" + f.path + "): " + std::to_string(have) +
                                   " bytes, expected " + std::to_string(want) +
                                   " (truncated or extended)");
    }
  }
  (void)blobs;

  TempDirGuard tmp{TempBeside(out_dir)};
  fs::create_directories(tmp.path, ec);
  if (ec) return UnavailableError(tmp.path.string() + ": " + ec.message());
  ::chmod(tmp.path.c_str(), 0700);
  Key ck = Derive(data_key, "rampart-sealed-v1 chunk");
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, ck.data(), nullptr) != 1)
    return InternalError("AES-256-GCM init failed");
  SealSummary sum;
  crypto::Hasher root(crypto::HashAlgorithm::kSha256);
  for (std::size_t i = 0; i < m.files.size(); ++i) {
    const SealedFile& f = m.files[i];
    fs::path bp = sealed_dir / f.blob;
    std::string where = f.blob + " (" + f.path + ")";
    BlobReader src(bp, cs + kTag);
    RAMPART_RETURN_IF_ERROR(src.Open());
    fs::path op = tmp.path / fs::path(f.path);
    fs::create_directories(op.parent_path(), ec);
    if (ec) return UnavailableError(op.parent_path().string() + ": " + ec.message());
    BlobWriter dst(op, cs, 0644);
    RAMPART_RETURN_IF_ERROR(dst.Open());
    ChunkBinding bind(m.resource, f.path, static_cast<std::uint32_t>(i), f.size);
    crypto::Hasher h(crypto::HashAlgorithm::kSha256);
    std::uint64_t n = ChunkCount(f.size, cs), done = 0;
    for (std::uint64_t j = 0; j < n; ++j) {
      std::size_t pt = static_cast<std::size_t>(std::min<std::uint64_t>(cs, f.size - done));
      RAMPART_ASSIGN_OR_RETURN(std::uint8_t * in, src.Take(pt + kTag));
      if (in == nullptr)
        return PermissionDeniedError(where + ": truncated at chunk " + std::to_string(j));
      bind.Set(j, j + 1 == n);
      int len = 0, fl = 0;
      std::uint8_t* out = dst.Next();
      bool ok =
          EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, nullptr, bind.nonce()) == 1 &&
          EVP_DecryptUpdate(ctx.get(), nullptr, &len, bind.aad().data(),
                            static_cast<int>(bind.aad().size())) == 1 &&
          (pt == 0 || EVP_DecryptUpdate(ctx.get(), out, &len, in, static_cast<int>(pt)) == 1) &&
          EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, in + pt) == 1 &&
          EVP_DecryptFinal_ex(ctx.get(), out + pt, &fl) == 1;
      if (!ok) {
        crypto::OpenSslErrorString();
        return PermissionDeniedError(where + " chunk " + std::to_string(j) +
                                     ": authentication failed (altered, reordered, swapped, "
                                     "truncated, or the wrong key)");
      }
      h.Update(std::span<const std::uint8_t>(out, pt));
      RAMPART_RETURN_IF_ERROR(dst.Commit(pt));
      done += pt;
    }
    crypto::Bytes d = h.Finish();
    if (HexEncode(d) != f.sha256) {
      return PermissionDeniedError(where + ": plaintext SHA-256 differs from the manifest");
    }
    root.Update(std::span<const std::uint8_t>(d));
    RAMPART_RETURN_IF_ERROR(dst.Finish());
    sum.bytes += f.size;
  }
  if ("sha256:" + HexEncode(root.Finish()) != m.root_digest) {
    return PermissionDeniedError("sealed.json: root digest does not match the files");
  }
  ::chmod(tmp.path.c_str(), 0755);
  fs::rename(tmp.path, out_dir, ec);
  if (ec) return UnavailableError(out_dir.string() + ": " + ec.message());
  tmp.keep = true;
  sum.root_digest = m.root_digest;
  sum.files = m.files.size();
  return sum;
}

}  // namespace rampart::attest
