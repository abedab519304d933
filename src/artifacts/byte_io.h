// Byte sources for the scanner and the hasher: random-access blobs (a file,
// a memory buffer, a sub-range of another blob) and sequential streams (a
// blob read front to back, an inflated zip member, a libarchive entry), plus
// a buffered reader with a pointer fast path for the parsers.
//
// Nothing here maps whole files: every read goes through a bounded buffer so
// that scanning or hashing a 10 GB file keeps a small resident set.
//
// Thread-safety: a RandomAccess is safe for concurrent ReadAt (pread); every
// other class here is single-threaded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::artifacts {

// A blob with a known size that can be read at any offset.
class RandomAccess {
 public:
  virtual ~RandomAccess() = default;
  virtual std::uint64_t size() const = 0;
  // Reads up to `n` bytes at `offset`; fewer only at the end of the blob.
  virtual Result<std::size_t> ReadAt(std::uint64_t offset, std::uint8_t* dst,
                                     std::size_t n) const = 0;
  // Reads exactly `n` bytes or fails with Corruption ("truncated").
  Status ReadExactAt(std::uint64_t offset, std::uint8_t* dst, std::size_t n) const;
};

// A regular file opened read-only. Never follows a symlink at the last path
// component unless `follow_symlinks`.
class FileBlob final : public RandomAccess {
 public:
  static Result<std::unique_ptr<FileBlob>> Open(const std::filesystem::path& path,
                                                bool follow_symlinks = false);
  // Takes ownership of an open descriptor of a regular file.
  static Result<std::unique_ptr<FileBlob>> Adopt(int fd, std::string name);
  ~FileBlob() override;
  std::uint64_t size() const override { return size_; }
  Result<std::size_t> ReadAt(std::uint64_t offset, std::uint8_t* dst, std::size_t n) const override;
  int fd() const { return fd_; }

 private:
  FileBlob(int fd, std::uint64_t size, std::string name)
      : fd_(fd), size_(size), name_(std::move(name)) {}
  int fd_;
  std::uint64_t size_;
  std::string name_;
};

// Bytes owned in memory (or viewed: the viewed bytes must outlive the blob).
class MemoryBlob final : public RandomAccess {
 public:
  explicit MemoryBlob(std::string data) : owned_(std::move(data)), view_(owned_) {}
  static std::unique_ptr<MemoryBlob> View(std::string_view data) {
    auto b = std::unique_ptr<MemoryBlob>(new MemoryBlob());
    b->view_ = data;
    return b;
  }
  std::uint64_t size() const override { return view_.size(); }
  Result<std::size_t> ReadAt(std::uint64_t offset, std::uint8_t* dst, std::size_t n) const override;
  std::string_view data() const { return view_; }

 private:
  MemoryBlob() = default;
  std::string owned_;
  std::string_view view_;
};

// [offset, offset + length) of a parent blob, which must outlive this one.
class SubBlob final : public RandomAccess {
 public:
  SubBlob(const RandomAccess* parent, std::uint64_t offset, std::uint64_t length);
  std::uint64_t size() const override { return length_; }
  Result<std::size_t> ReadAt(std::uint64_t offset, std::uint8_t* dst, std::size_t n) const override;

 private:
  const RandomAccess* parent_;
  std::uint64_t offset_, length_;
};

// A sequential byte stream.
class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to `n` bytes; 0 means the end of the stream.
  virtual Result<std::size_t> Read(std::uint8_t* dst, std::size_t n) = 0;
  // Skips up to `n` bytes and returns how many were skipped (fewer at the end).
  virtual Result<std::uint64_t> Skip(std::uint64_t n);
};

// Reads a RandomAccess front to back; Skip is a seek.
class BlobStream final : public InputStream {
 public:
  explicit BlobStream(const RandomAccess* blob, std::uint64_t start = 0)
      : blob_(blob), pos_(start) {}
  Result<std::size_t> Read(std::uint8_t* dst, std::size_t n) override;
  Result<std::uint64_t> Skip(std::uint64_t n) override;

 private:
  const RandomAccess* blob_;
  std::uint64_t pos_;
};

// Inflates a raw DEFLATE stream (zip method 8). Stops with Corruption on bad
// data and with ResourceExhausted once more than `max_output` bytes came out.
class InflateStream final : public InputStream {
 public:
  // `zlib_header`: a zlib stream (RFC 1950) instead of raw DEFLATE.
  InflateStream(InputStream* compressed, std::uint64_t max_output, bool zlib_header = false);
  ~InflateStream() override;
  Result<std::size_t> Read(std::uint8_t* dst, std::size_t n) override;
  std::uint64_t total_out() const { return total_out_; }
  std::uint64_t total_in() const { return total_in_; }

 private:
  InputStream* in_;
  std::uint64_t max_output_;
  std::uint64_t total_out_ = 0, total_in_ = 0;
  void* z_ = nullptr;  // z_stream, kept out of this header
  std::vector<std::uint8_t> inbuf_;
  bool eof_ = false;
  bool in_eof_ = false;
};

class BufferedReader;

// Reads what a BufferedReader has not consumed yet (its buffer first, then
// its underlying stream): hands a partly-peeked stream to another parser.
class ReaderStream final : public InputStream {
 public:
  explicit ReaderStream(BufferedReader* r) : r_(r) {}
  Result<std::size_t> Read(std::uint8_t* dst, std::size_t n) override;
  Result<std::uint64_t> Skip(std::uint64_t n) override;

 private:
  BufferedReader* r_;
};

// Counts bytes and enforces a cap on a wrapped stream (zip-bomb limits).
class LimitedStream final : public InputStream {
 public:
  LimitedStream(InputStream* in, std::uint64_t limit) : in_(in), limit_(limit) {}
  Result<std::size_t> Read(std::uint8_t* dst, std::size_t n) override;
  std::uint64_t consumed() const { return consumed_; }
  bool hit_limit() const { return hit_limit_; }

 private:
  InputStream* in_;
  std::uint64_t limit_;
  std::uint64_t consumed_ = 0;
  bool hit_limit_ = false;
};

// Buffered reading with a pointer fast path. Parsers ask Ensure(n) and then
// read n bytes at ptr(); offsets are absolute from the stream start.
class BufferedReader {
 public:
  static constexpr std::size_t kDefaultBuffer = 1 << 20;
  // Streams through `in` (which must outlive the reader).
  explicit BufferedReader(InputStream* in, std::size_t buffer = kDefaultBuffer);
  // Reads a contiguous span in place, without copying.
  explicit BufferedReader(std::span<const std::uint8_t> data);

  // True if at least n bytes are available at the cursor (n <= buffer size).
  // On a stream error, returns false and error() is set.
  bool Ensure(std::size_t n) {
    if (static_cast<std::size_t>(end_ - cur_) >= n) return true;
    return Refill(n);
  }
  const std::uint8_t* ptr() const { return cur_; }
  std::size_t available() const { return end_ - cur_; }
  void Advance(std::size_t n) { cur_ += n; }
  std::uint64_t offset() const { return base_offset_ + (cur_ - begin_); }
  // Skips n bytes; returns how many were skipped.
  std::uint64_t Skip(std::uint64_t n);
  bool AtEnd() { return !Ensure(1); }
  std::size_t capacity() const { return capacity_; }
  const Status& error() const { return error_; }

 private:
  bool Refill(std::size_t n);
  InputStream* in_ = nullptr;
  std::vector<std::uint8_t> buf_;
  std::size_t capacity_ = 0;
  const std::uint8_t* begin_ = nullptr;
  const std::uint8_t* cur_ = nullptr;
  const std::uint8_t* end_ = nullptr;
  std::uint64_t base_offset_ = 0;  // stream offset of begin_
  bool stream_eof_ = false;
  Status error_;
};

// Little-endian helpers.
inline std::uint16_t Le16(const std::uint8_t* p) { return p[0] | (p[1] << 8); }
inline std::uint32_t Le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
         (std::uint32_t(p[3]) << 24);
}
inline std::uint64_t Le64(const std::uint8_t* p) {
  return std::uint64_t(Le32(p)) | (std::uint64_t(Le32(p + 4)) << 32);
}

}  // namespace rampart::artifacts
