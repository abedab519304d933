#include "artifacts/byte_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rampart::artifacts {

Status RandomAccess::ReadExactAt(std::uint64_t offset, std::uint8_t* dst, std::size_t n) const {
  std::size_t done = 0;
  while (done < n) {
    RAMPART_ASSIGN_OR_RETURN(std::size_t got, ReadAt(offset + done, dst + done, n - done));
    if (got == 0) {
      return CorruptionError("truncated: wanted " + std::to_string(n) + " bytes at offset " +
                             std::to_string(offset));
    }
    done += got;
  }
  return OkStatus();
}

Result<std::unique_ptr<FileBlob>> FileBlob::Open(const std::filesystem::path& path,
                                                 bool follow_symlinks) {
  int flags = O_RDONLY | O_CLOEXEC;
  if (!follow_symlinks) flags |= O_NOFOLLOW;
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) return NotFoundError(path.string() + ": no such file");
    if (e == ELOOP) return InvalidArgumentError(path.string() + ": is a symbolic link");
    return InvalidArgumentError(path.string() + ": cannot open: " + std::strerror(e));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return InvalidArgumentError(path.string() + ": cannot stat: " + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(path.string() + ": not a regular file");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<FileBlob>(
      new FileBlob(fd, static_cast<std::uint64_t>(st.st_size), path.string()));
}

Result<std::unique_ptr<FileBlob>> FileBlob::Adopt(int fd, std::string name) {
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(name + ": not a regular file");
  }
  return std::unique_ptr<FileBlob>(
      new FileBlob(fd, static_cast<std::uint64_t>(st.st_size), std::move(name)));
}

FileBlob::~FileBlob() { ::close(fd_); }

Result<std::size_t> FileBlob::ReadAt(std::uint64_t offset, std::uint8_t* dst, std::size_t n) const {
  if (offset >= size_) return std::size_t{0};
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, size_ - offset));
  while (true) {
    ssize_t got = ::pread(fd_, dst, n, static_cast<off_t>(offset));
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno == EINTR) continue;
    return InvalidArgumentError(name_ + ": read error: " + std::strerror(errno));
  }
}

Result<std::size_t> MemoryBlob::ReadAt(std::uint64_t offset, std::uint8_t* dst,
                                       std::size_t n) const {
  if (offset >= view_.size()) return std::size_t{0};
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, view_.size() - offset));
  std::memcpy(dst, view_.data() + offset, n);
  return n;
}

SubBlob::SubBlob(const RandomAccess* parent, std::uint64_t offset, std::uint64_t length)
    : parent_(parent), offset_(offset), length_(length) {
  // Clamp to the parent so a lying header cannot read past it.
  std::uint64_t ps = parent->size();
  if (offset_ > ps) offset_ = ps;
  if (length_ > ps - offset_) length_ = ps - offset_;
}

Result<std::size_t> SubBlob::ReadAt(std::uint64_t offset, std::uint8_t* dst, std::size_t n) const {
  if (offset >= length_) return std::size_t{0};
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, length_ - offset));
  return parent_->ReadAt(offset_ + offset, dst, n);
}

Result<std::uint64_t> InputStream::Skip(std::uint64_t n) {
  std::uint8_t buf[64 * 1024];
  std::uint64_t done = 0;
  while (done < n) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buf, n - done));
    RAMPART_ASSIGN_OR_RETURN(std::size_t got, Read(buf, want));
    if (got == 0) break;
    done += got;
  }
  return done;
}

Result<std::size_t> BlobStream::Read(std::uint8_t* dst, std::size_t n) {
  RAMPART_ASSIGN_OR_RETURN(std::size_t got, blob_->ReadAt(pos_, dst, n));
  pos_ += got;
  return got;
}

Result<std::uint64_t> BlobStream::Skip(std::uint64_t n) {
  std::uint64_t size = blob_->size();
  std::uint64_t left = pos_ >= size ? 0 : size - pos_;
  std::uint64_t s = std::min(n, left);
  pos_ += s;
  return s;
}

InflateStream::InflateStream(InputStream* compressed, std::uint64_t max_output, bool zlib_header)
    : in_(compressed), max_output_(max_output), inbuf_(64 * 1024) {
  auto* z = new z_stream{};
  // Negative window bits: raw DEFLATE without a zlib header (zip method 8).
  if (inflateInit2(z, zlib_header ? MAX_WBITS : -MAX_WBITS) != Z_OK) {
    delete z;
    z = nullptr;
  }
  z_ = z;
}

InflateStream::~InflateStream() {
  if (z_ != nullptr) {
    auto* z = static_cast<z_stream*>(z_);
    inflateEnd(z);
    delete z;
  }
}

Result<std::size_t> InflateStream::Read(std::uint8_t* dst, std::size_t n) {
  if (z_ == nullptr) return InternalError("zlib inflateInit2 failed");
  auto* z = static_cast<z_stream*>(z_);
  if (eof_ || n == 0) return std::size_t{0};
  z->next_out = dst;
  z->avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
  while (z->avail_out > 0) {
    if (z->avail_in == 0 && !in_eof_) {
      RAMPART_ASSIGN_OR_RETURN(std::size_t got, in_->Read(inbuf_.data(), inbuf_.size()));
      if (got == 0) in_eof_ = true;
      z->next_in = inbuf_.data();
      z->avail_in = static_cast<uInt>(got);
      total_in_ += got;
    }
    int rc = inflate(z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      eof_ = true;
      break;
    }
    if (rc == Z_BUF_ERROR && z->avail_in == 0 && in_eof_) {
      return CorruptionError("deflate stream is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return CorruptionError(std::string("deflate stream is corrupt: ") +
                             (z->msg != nullptr ? z->msg : "inflate error"));
    }
    if (z->avail_out != static_cast<uInt>(std::min<std::size_t>(n, 1u << 30))) break;
  }
  std::size_t produced = static_cast<std::size_t>(z->next_out - dst);
  total_out_ += produced;
  if (total_out_ > max_output_) {
    return ResourceExhaustedError("decompressed data exceeds the limit of " +
                                  std::to_string(max_output_) + " bytes");
  }
  return produced;
}

Result<std::size_t> LimitedStream::Read(std::uint8_t* dst, std::size_t n) {
  if (consumed_ >= limit_) {
    // Probe one byte so that a stream ending exactly at the limit is not an error.
    std::uint8_t probe;
    RAMPART_ASSIGN_OR_RETURN(std::size_t got, in_->Read(&probe, 1));
    if (got == 0) return std::size_t{0};
    hit_limit_ = true;
    return ResourceExhaustedError("data exceeds the limit of " + std::to_string(limit_) + " bytes");
  }
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, limit_ - consumed_));
  RAMPART_ASSIGN_OR_RETURN(std::size_t got, in_->Read(dst, n));
  consumed_ += got;
  return got;
}

Result<std::size_t> ReaderStream::Read(std::uint8_t* dst, std::size_t n) {
  if (!r_->Ensure(1)) {
    if (!r_->error().ok()) return r_->error();
    return std::size_t{0};
  }
  std::size_t k = std::min(n, r_->available());
  std::memcpy(dst, r_->ptr(), k);
  r_->Advance(k);
  return k;
}

Result<std::uint64_t> ReaderStream::Skip(std::uint64_t n) {
  std::uint64_t s = r_->Skip(n);
  if (!r_->error().ok()) return r_->error();
  return s;
}

BufferedReader::BufferedReader(InputStream* in, std::size_t buffer)
    : in_(in), buf_(buffer), capacity_(buffer) {
  begin_ = cur_ = end_ = buf_.data();
}

BufferedReader::BufferedReader(std::span<const std::uint8_t> data) {
  begin_ = cur_ = data.data();
  end_ = data.data() + data.size();
  capacity_ = data.size();
  stream_eof_ = true;
}

bool BufferedReader::Refill(std::size_t n) {
  if (in_ == nullptr || stream_eof_ || !error_.ok()) return false;
  if (n > capacity_) return false;
  // Move the unread tail to the front, then fill.
  std::size_t tail = end_ - cur_;
  base_offset_ += cur_ - begin_;
  std::memmove(buf_.data(), cur_, tail);
  begin_ = cur_ = buf_.data();
  end_ = buf_.data() + tail;
  while (static_cast<std::size_t>(end_ - cur_) < n) {
    std::size_t room = capacity_ - (end_ - begin_);
    auto got = in_->Read(const_cast<std::uint8_t*>(end_), room);
    if (!got) {
      error_ = got.error();
      return false;
    }
    if (*got == 0) {
      stream_eof_ = true;
      return false;
    }
    end_ += *got;
  }
  return true;
}

std::uint64_t BufferedReader::Skip(std::uint64_t n) {
  std::uint64_t have = end_ - cur_;
  if (n <= have) {
    cur_ += n;
    return n;
  }
  std::uint64_t skipped = have;
  cur_ = end_;
  if (in_ == nullptr || stream_eof_ || !error_.ok()) return skipped;
  auto s = in_->Skip(n - skipped);
  if (!s) {
    error_ = s.error();
    return skipped;
  }
  skipped += *s;
  base_offset_ += (end_ - begin_) + *s;
  begin_ = cur_ = end_ = buf_.data();
  if (*s < n - have) stream_eof_ = true;
  return skipped;
}

}  // namespace rampart::artifacts
