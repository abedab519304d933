#include "artifacts/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstring>
#include <vector>

namespace rampart::artifacts {

struct ArchiveReader::Source {
  InputStream* in = nullptr;
  const RandomAccess* blob = nullptr;
  std::uint64_t pos = 0;  // for the seekable path
  std::vector<std::uint8_t> buf = std::vector<std::uint8_t>(256 * 1024);
  std::string error;
};

namespace {

la_ssize_t ReadCb(struct archive* a, void* ud, const void** out) {
  auto* s = static_cast<ArchiveReader::Source*>(ud);
  Result<std::size_t> got = std::size_t{0};
  if (s->blob != nullptr) {
    got = s->blob->ReadAt(s->pos, s->buf.data(), s->buf.size());
    if (got) s->pos += *got;
  } else {
    got = s->in->Read(s->buf.data(), s->buf.size());
  }
  if (!got) {
    s->error = got.error().message();
    archive_set_error(a, EIO, "%s", s->error.c_str());
    return -1;
  }
  *out = s->buf.data();
  return static_cast<la_ssize_t>(*got);
}

la_int64_t SkipCb(struct archive*, void* ud, la_int64_t request) {
  auto* s = static_cast<ArchiveReader::Source*>(ud);
  if (s->blob != nullptr) {
    std::uint64_t left = s->blob->size() - std::min(s->pos, s->blob->size());
    std::uint64_t n = std::min<std::uint64_t>(static_cast<std::uint64_t>(request), left);
    s->pos += n;
    return static_cast<la_int64_t>(n);
  }
  auto r = s->in->Skip(static_cast<std::uint64_t>(request));
  return r ? static_cast<la_int64_t>(*r) : 0;
}

la_int64_t SeekCb(struct archive*, void* ud, la_int64_t offset, int whence) {
  auto* s = static_cast<ArchiveReader::Source*>(ud);
  std::int64_t base = whence == SEEK_SET   ? 0
                      : whence == SEEK_CUR ? static_cast<std::int64_t>(s->pos)
                                           : static_cast<std::int64_t>(s->blob->size());
  std::int64_t target = base + offset;
  if (target < 0) return ARCHIVE_FATAL;
  s->pos = static_cast<std::uint64_t>(target);
  return target;
}

class EntryStream final : public InputStream {
 public:
  explicit EntryStream(struct archive* a) : a_(a) {}
  Result<std::size_t> Read(std::uint8_t* dst, std::size_t n) override {
    la_ssize_t got = archive_read_data(a_, dst, n);
    if (got < 0) {
      const char* e = archive_error_string(a_);
      return CorruptionError(std::string("archive entry is unreadable: ") +
                             (e ? e : "unknown error"));
    }
    return static_cast<std::size_t>(got);
  }

 private:
  struct archive* a_;
};

}  // namespace

Result<std::unique_ptr<ArchiveReader>> ArchiveReader::Open(InputStream* in,
                                                           const RandomAccess* seekable) {
  auto r = std::unique_ptr<ArchiveReader>(new ArchiveReader());
  r->a_ = archive_read_new();
  if (r->a_ == nullptr) return InternalError("archive_read_new failed");
  archive_read_support_filter_all(r->a_);
  archive_read_support_format_tar(r->a_);
  archive_read_support_format_gnutar(r->a_);
  archive_read_support_format_7zip(r->a_);
  archive_read_support_format_rar(r->a_);
  archive_read_support_format_rar5(r->a_);
  archive_read_support_format_cpio(r->a_);
  archive_read_support_format_ar(r->a_);
  archive_read_support_format_raw(r->a_);
  r->src_ = std::make_unique<Source>();
  r->src_->in = in;
  r->src_->blob = seekable;
  archive_read_set_read_callback(r->a_, ReadCb);
  archive_read_set_skip_callback(r->a_, SkipCb);
  if (seekable != nullptr) archive_read_set_seek_callback(r->a_, SeekCb);
  archive_read_set_callback_data(r->a_, r->src_.get());
  if (archive_read_open1(r->a_) != ARCHIVE_OK) {
    std::string e = archive_error_string(r->a_) ? archive_error_string(r->a_) : "unknown error";
    return CorruptionError("cannot open archive: " + e);
  }
  r->data_ = std::make_unique<EntryStream>(r->a_);
  return r;
}

ArchiveReader::~ArchiveReader() {
  if (a_ != nullptr) archive_read_free(a_);
}

Result<std::optional<ArchiveEntryInfo>> ArchiveReader::Next() {
  struct archive_entry* e = nullptr;
  int rc = archive_read_next_header(a_, &e);
  if (rc == ARCHIVE_EOF) return std::optional<ArchiveEntryInfo>();
  if (rc < ARCHIVE_WARN) {
    const char* msg = archive_error_string(a_);
    return CorruptionError(std::string("archive is damaged: ") + (msg ? msg : "unknown error"));
  }
  ArchiveEntryInfo info;
  const char* p = archive_entry_pathname_utf8(e);
  if (p == nullptr) p = archive_entry_pathname(e);
  info.path = p != nullptr ? p : "";
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      info.type = ArchiveEntryInfo::Type::kFile;
      break;
    case AE_IFDIR:
      info.type = ArchiveEntryInfo::Type::kDirectory;
      break;
    case AE_IFLNK:
      info.type = ArchiveEntryInfo::Type::kSymlink;
      break;
    default:
      info.type = ArchiveEntryInfo::Type::kOther;
      break;
  }
  // The raw format has no file type: its one entry is the stream itself.
  if (archive_format(a_) == ARCHIVE_FORMAT_RAW) info.type = ArchiveEntryInfo::Type::kFile;
  if (archive_entry_size_is_set(e)) info.size = static_cast<std::uint64_t>(archive_entry_size(e));
  if (const char* l = archive_entry_symlink(e); l != nullptr) info.link_target = l;
  if (const char* l = archive_entry_hardlink(e); l != nullptr) {
    info.link_target = l;
    info.type = ArchiveEntryInfo::Type::kSymlink;
  }
  info.encrypted = archive_entry_is_encrypted(e) != 0;
  return std::optional<ArchiveEntryInfo>(std::move(info));
}

std::uint64_t ArchiveReader::compressed_bytes() const {
  la_int64_t n = archive_filter_bytes(a_, -1);
  return n < 0 ? 0 : static_cast<std::uint64_t>(n);
}

std::string ArchiveReader::format_name() const {
  const char* n = archive_format_name(a_);
  return n != nullptr ? n : "";
}

std::string ArchiveReader::filter_names() const {
  std::string out;
  int n = archive_filter_count(a_);
  for (int i = 0; i < n; ++i) {
    if (archive_filter_code(a_, i) == ARCHIVE_FILTER_NONE) continue;
    const char* name = archive_filter_name(a_, i);
    if (name == nullptr) continue;
    if (!out.empty()) out += "+";
    out += name;
  }
  return out;
}

}  // namespace rampart::artifacts
