#include "artifacts/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <map>
#include <set>

namespace rampart::artifacts {
namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kEocdSig = 0x06054b50;
constexpr std::uint32_t kEocd64Sig = 0x06064b50;
constexpr std::uint32_t kEocd64LocatorSig = 0x07064b50;

// Flag bits that ordinary writers set: 1|2 deflate options, 3 data
// descriptor, 11 UTF-8 names.
constexpr std::uint16_t kOrdinaryFlags = 0x0002 | 0x0004 | 0x0008 | 0x0800;

// Applies the zip64 extended-information extra field (id 0x0001).
void ApplyZip64(const std::uint8_t* extra, std::size_t len, std::uint64_t* usize,
                std::uint64_t* csize, std::uint64_t* offset) {
  std::size_t i = 0;
  while (i + 4 <= len) {
    std::uint16_t id = Le16(extra + i);
    std::uint16_t sz = Le16(extra + i + 2);
    if (i + 4 + sz > len) return;
    if (id == 0x0001) {
      const std::uint8_t* p = extra + i + 4;
      std::size_t left = sz;
      auto take = [&](std::uint64_t* v) {
        if (v != nullptr && *v == 0xFFFFFFFFu && left >= 8) {
          *v = Le64(p);
          p += 8;
          left -= 8;
        }
      };
      take(usize);
      take(csize);
      take(offset);
      return;
    }
    i += 4 + sz;
  }
}

}  // namespace

Result<ZipReader> ZipReader::Open(const RandomAccess* blob, const ZipLimits& limits) {
  ZipReader z(blob);
  Status cd = z.ReadCentralDirectory(limits);
  if (!cd.ok()) {
    z.entries_.clear();
    z.Issue("zip.malformed", cd.message() + "; listing members from their local headers instead",
            "", 0);
    z.ReadLocalHeaders(limits);
    if (z.entries_.empty()) return InvalidArgumentError("not a readable zip: " + cd.message());
  } else {
    for (auto& e : z.entries_) z.CheckLocalHeader(e);
  }
  z.CheckLayout(limits);
  return z;
}

Status ZipReader::ReadCentralDirectory(const ZipLimits& limits) {
  const std::uint64_t size = blob_->size();
  if (size < 22) return CorruptionError("file too short for an end-of-central-directory record");
  // The EOCD sits in the last 22 + 65535 bytes (a comment may follow it).
  std::uint64_t tail_len = std::min<std::uint64_t>(size, 22 + 65535);
  std::vector<std::uint8_t> tail(tail_len);
  RAMPART_RETURN_IF_ERROR(blob_->ReadExactAt(size - tail_len, tail.data(), tail_len));
  std::int64_t pos = -1;
  for (std::int64_t i = static_cast<std::int64_t>(tail_len) - 22; i >= 0; --i) {
    if (Le32(&tail[i]) == kEocdSig) {
      pos = i;
      break;
    }
  }
  if (pos < 0) return CorruptionError("no end-of-central-directory record");
  const std::uint8_t* e = &tail[pos];
  std::uint64_t eocd_offset = size - tail_len + pos;
  std::uint64_t count = Le16(e + 10);
  std::uint64_t cd_size = Le32(e + 12);
  std::uint64_t cd_offset = Le32(e + 16);
  std::uint16_t comment_len = Le16(e + 20);
  if (eocd_offset + 22 + comment_len != size) {
    Issue("zip.malformed",
          "the end-of-central-directory comment length does not match the file end", "",
          eocd_offset);
  }
  if (Le16(e + 4) != 0 || Le16(e + 6) != 0) {
    Issue("zip.malformed", "multi-disk archive markers are set", "", eocd_offset);
  }
  // zip64: a locator right before the EOCD points at the zip64 EOCD.
  bool zip64 = false;
  if ((count == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu) &&
      eocd_offset >= 20) {
    std::uint8_t loc[20];
    RAMPART_RETURN_IF_ERROR(blob_->ReadExactAt(eocd_offset - 20, loc, 20));
    if (Le32(loc) == kEocd64LocatorSig) {
      std::uint64_t z64 = Le64(loc + 8);
      std::uint8_t rec[56];
      RAMPART_RETURN_IF_ERROR(blob_->ReadExactAt(z64, rec, 56));
      if (Le32(rec) != kEocd64Sig) return CorruptionError("zip64 end record signature missing");
      count = Le64(rec + 32);
      cd_size = Le64(rec + 40);
      cd_offset = Le64(rec + 48);
      zip64 = true;
    }
  }
  // Data prepended to an archive shifts everything: the central directory
  // then ends before the EOCD. Python's zipfile (and numpy, Keras) add the
  // difference to every offset; so do we, and say so.
  // The central directory ends where the zip64 end record starts when there
  // is one (found, like zipfile does, right before its locator), else at
  // the EOCD.
  std::uint64_t cd_end = eocd_offset;
  if (eocd_offset >= 20) {
    std::uint8_t loc[4];
    if (blob_->ReadExactAt(eocd_offset - 20, loc, 4).ok() && Le32(loc) == kEocd64LocatorSig) {
      cd_end = eocd_offset - 20;
      std::uint8_t rec[4];
      if (cd_end >= 56 && blob_->ReadExactAt(cd_end - 56, rec, 4).ok() && Le32(rec) == kEocd64Sig) {
        cd_end -= 56;
      }
    }
  }
  std::uint64_t shift = 0;
  if (!zip64 && cd_offset <= cd_end && cd_size <= cd_end - cd_offset &&
      cd_offset + cd_size < cd_end) {
    shift = cd_end - (cd_offset + cd_size);
    Issue("zip.prepended-data",
          std::to_string(shift) +
              " bytes precede the archive without its offsets accounting for them; members are "
              "read where Python's zipfile finds them",
          "", 0);
    cd_offset += shift;
  }
  if (count > limits.max_entries) {
    return ResourceExhaustedError("central directory lists " + std::to_string(count) +
                                  " members, more than the limit of " +
                                  std::to_string(limits.max_entries));
  }
  if (cd_offset > size || cd_size > size - cd_offset) {
    return CorruptionError("central directory lies outside the file");
  }
  if (cd_size > (256ull << 20)) return ResourceExhaustedError("central directory over 256 MiB");
  cd_offset_ = cd_offset;
  std::vector<std::uint8_t> cd(cd_size);
  RAMPART_RETURN_IF_ERROR(blob_->ReadExactAt(cd_offset, cd.data(), cd_size));
  std::size_t p = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (p + 46 > cd.size() || Le32(&cd[p]) != kCentralSig) {
      return CorruptionError("central directory entry " + std::to_string(i) + " is damaged");
    }
    const std::uint8_t* h = &cd[p];
    ZipEntry ent;
    ent.flags = Le16(h + 8);
    ent.method = Le16(h + 10);
    ent.crc = Le32(h + 16);
    ent.compressed_size = Le32(h + 20);
    ent.uncompressed_size = Le32(h + 24);
    std::size_t name_len = Le16(h + 28), extra_len = Le16(h + 30), comment = Le16(h + 32);
    ent.local_offset = Le32(h + 42);
    if (p + 46 + name_len + extra_len + comment > cd.size()) {
      return CorruptionError("central directory entry " + std::to_string(i) + " overruns it");
    }
    ent.name.assign(reinterpret_cast<const char*>(h + 46), name_len);
    ApplyZip64(h + 46 + name_len, extra_len, &ent.uncompressed_size, &ent.compressed_size,
               &ent.local_offset);
    ent.local_offset += shift;
    entries_.push_back(std::move(ent));
    p += 46 + name_len + extra_len + comment;
  }
  if (p != cd.size()) {
    Issue("zip.malformed", "central directory size does not match its entries", "", cd_offset);
  }
  return OkStatus();
}

void ZipReader::ReadLocalHeaders(const ZipLimits& limits) {
  std::uint64_t off = 0;
  const std::uint64_t size = blob_->size();
  while (off + 30 <= size && entries_.size() < limits.max_entries) {
    std::uint8_t h[30];
    if (!blob_->ReadExactAt(off, h, 30).ok() || Le32(h) != kLocalSig) break;
    ZipEntry e;
    e.in_central_directory = false;
    e.flags = Le16(h + 6);
    e.method = Le16(h + 8);
    e.crc = Le32(h + 14);
    e.compressed_size = Le32(h + 18);
    e.uncompressed_size = Le32(h + 22);
    std::size_t name_len = Le16(h + 26), extra_len = Le16(h + 28);
    std::string name(name_len, '\0');
    std::vector<std::uint8_t> extra(extra_len);
    if (!blob_->ReadExactAt(off + 30, reinterpret_cast<std::uint8_t*>(name.data()), name_len)
             .ok() ||
        !blob_->ReadExactAt(off + 30 + name_len, extra.data(), extra_len).ok()) {
      break;
    }
    ApplyZip64(extra.data(), extra.size(), &e.uncompressed_size, &e.compressed_size, nullptr);
    e.name = std::move(name);
    e.local_offset = off;
    e.data_offset = off + 30 + name_len + extra_len;
    if (e.flags & 0x0008) {
      // Sizes live in a data descriptor after the data; without a central
      // directory we cannot find the end reliably.
      Issue("zip.malformed",
            "member uses a data descriptor and the central directory is missing; later members "
            "cannot be located",
            e.name, off);
      if (e.compressed_size == 0) {
        e.compressed_size = size - e.data_offset;
        entries_.push_back(std::move(e));
        break;
      }
    }
    off = e.data_offset + e.compressed_size;
    entries_.push_back(std::move(e));
  }
}

void ZipReader::CheckLocalHeader(ZipEntry& e) {
  std::uint8_t h[30];
  if (!blob_->ReadExactAt(e.local_offset, h, 30).ok() || Le32(h) != kLocalSig) {
    Issue("zip.malformed", "no local header where the central directory points", e.name,
          e.local_offset);
    e.data_offset = e.local_offset;  // nothing sensible to read
    e.compressed_size = 0;
    return;
  }
  std::size_t name_len = Le16(h + 26), extra_len = Le16(h + 28);
  e.data_offset = e.local_offset + 30 + name_len + extra_len;
  std::string local_name(name_len, '\0');
  if (blob_
          ->ReadExactAt(e.local_offset + 30, reinterpret_cast<std::uint8_t*>(local_name.data()),
                        name_len)
          .ok() &&
      local_name != e.name) {
    Issue("zip.header-mismatch",
          "local header names the member '" + local_name + "' but the central directory says '" +
              e.name + "'",
          e.name, e.local_offset);
  }
  std::uint16_t lflags = Le16(h + 6), lmethod = Le16(h + 8);
  if (lmethod != e.method) {
    Issue("zip.header-mismatch",
          "local header says compression method " + std::to_string(lmethod) +
              ", central directory says " + std::to_string(e.method),
          e.name, e.local_offset);
  }
  if ((lflags & ~0x0008) != (e.flags & ~0x0008)) {
    Issue("zip.header-mismatch", "local and central flag bits differ", e.name, e.local_offset);
  }
  if (!(lflags & 0x0008)) {
    std::uint64_t lc = Le32(h + 18), lu = Le32(h + 22);
    std::uint32_t lcrc = Le32(h + 14);
    if (lc == 0xFFFFFFFFu || lu == 0xFFFFFFFFu) {
      std::vector<std::uint8_t> extra(extra_len);
      if (blob_->ReadExactAt(e.local_offset + 30 + name_len, extra.data(), extra_len).ok()) {
        ApplyZip64(extra.data(), extra.size(), &lu, &lc, nullptr);
      }
    }
    if (lc != e.compressed_size || lu != e.uncompressed_size || lcrc != e.crc) {
      Issue("zip.header-mismatch",
            "local header sizes or CRC differ from the central directory (local " +
                std::to_string(lc) + "/" + std::to_string(lu) + ", central " +
                std::to_string(e.compressed_size) + "/" + std::to_string(e.uncompressed_size) + ")",
            e.name, e.local_offset);
    }
  }
}

void ZipReader::CheckLayout(const ZipLimits& limits) {
  const std::uint64_t size = blob_->size();
  std::map<std::string, int> names;
  for (auto& e : entries_) {
    if (++names[e.name] == 2) {
      Issue("zip.duplicate-name",
            "two members share the name '" + e.name + "'; loaders disagree on which one wins",
            e.name, e.local_offset);
    }
    if (e.flags & 0x0001) {
      Issue("zip.encrypted", "member is encrypted and cannot be inspected", e.name, e.local_offset);
    }
    if (e.flags & ~(kOrdinaryFlags | 0x0001)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%04x", e.flags);
      Issue("zip.flags", std::string("unusual general-purpose flag bits ") + buf, e.name,
            e.local_offset);
    }
    if (e.method != 0 && e.method != 8) {
      Issue("zip.unsupported-method",
            "compression method " + std::to_string(e.method) +
                " is not stored or deflate; the member was not inspected",
            e.name, e.local_offset);
    }
    if (e.data_offset > size || e.compressed_size > size - e.data_offset) {
      Issue("zip.malformed", "member data runs past the end of the file", e.name, e.local_offset);
      e.compressed_size = e.data_offset > size ? 0 : size - e.data_offset;
    }
    if (e.method == 0 && e.compressed_size != e.uncompressed_size) {
      Issue("zip.header-mismatch", "stored member with different compressed and uncompressed sizes",
            e.name, e.local_offset);
    }
    if (e.uncompressed_size > limits.max_entry_size) {
      Issue("archive.bomb",
            "member claims " + std::to_string(e.uncompressed_size) +
                " uncompressed bytes, more than the limit of " +
                std::to_string(limits.max_entry_size) + " (limits.max_member_bytes); not inspected",
            e.name, e.local_offset);
    } else if (e.method == 8 && e.uncompressed_size > limits.ratio_floor &&
               static_cast<double>(e.uncompressed_size) >
                   limits.max_ratio *
                       static_cast<double>(std::max<std::uint64_t>(1, e.compressed_size))) {
      Issue("archive.bomb",
            "compression ratio above " + std::to_string(int(limits.max_ratio)) + ":1", e.name,
            e.local_offset);
    }
  }
  // Overlaps and hidden members: walk members in file order.
  std::vector<const ZipEntry*> order;
  for (const auto& e : entries_) order.push_back(&e);
  std::sort(order.begin(), order.end(),
            [](const ZipEntry* a, const ZipEntry* b) { return a->local_offset < b->local_offset; });
  std::uint64_t prev_end = 0;
  const ZipEntry* prev = nullptr;
  auto probe_gap = [&](std::uint64_t from, std::uint64_t to, const std::string& where) {
    // A local header in a gap is a member that only some readers see.
    if (to <= from || to - from < 30) return;
    std::uint64_t len = std::min<std::uint64_t>(to - from, 1u << 20);
    std::vector<std::uint8_t> buf(len);
    if (!blob_->ReadExactAt(from, buf.data(), len).ok()) return;
    for (std::size_t i = 0; i + 4 <= buf.size(); ++i) {
      if (Le32(&buf[i]) == kLocalSig) {
        Issue("zip.hidden-entry",
              "a local header at offset " + std::to_string(from + i) +
                  " is not listed in the central directory " + where,
              "", from + i);
        return;
      }
    }
  };
  for (const ZipEntry* e : order) {
    if (!e->in_central_directory) continue;
    if (prev != nullptr && e->local_offset < prev_end) {
      Issue("zip.overlap", "member overlaps the data of '" + prev->name + "'", e->name,
            e->local_offset);
    } else {
      probe_gap(prev_end, e->local_offset, prev == nullptr ? "(before the first member)" : "");
    }
    std::uint64_t end = e->data_offset + e->compressed_size;
    if (e->flags & 0x0008) end += 16;  // data descriptor (approximate)
    if (end > prev_end) {
      prev_end = end;
      prev = e;
    }
  }
  if (!order.empty() && order.front()->in_central_directory && cd_offset_ > prev_end) {
    probe_gap(prev_end, cd_offset_, "(before the central directory)");
  }
}

Result<std::unique_ptr<InputStream>> ZipReader::OpenEntry(const ZipEntry& e,
                                                          std::uint64_t max_output) const {
  if (e.flags & 0x0001) return InvalidArgumentError("member is encrypted");
  if (e.method != 0 && e.method != 8) {
    return InvalidArgumentError("compression method " + std::to_string(e.method) +
                                " is not supported");
  }
  // The owning stream chain: SubBlob -> BlobStream [-> InflateStream].
  struct Chain final : public InputStream {
    std::unique_ptr<SubBlob> sub;
    std::unique_ptr<BlobStream> raw;
    std::unique_ptr<InflateStream> inflate;
    std::unique_ptr<LimitedStream> limited;
    Result<std::size_t> Read(std::uint8_t* dst, std::size_t n) override {
      if (inflate) return inflate->Read(dst, n);
      return limited->Read(dst, n);
    }
    Result<std::uint64_t> Skip(std::uint64_t n) override {
      if (inflate) return InputStream::Skip(n);
      return raw->Skip(n);
    }
  };
  auto c = std::make_unique<Chain>();
  c->sub = std::make_unique<SubBlob>(blob_, e.data_offset, e.compressed_size);
  c->raw = std::make_unique<BlobStream>(c->sub.get());
  if (e.method == 8) {
    c->inflate = std::make_unique<InflateStream>(c->raw.get(), max_output);
  } else {
    c->limited = std::make_unique<LimitedStream>(c->raw.get(), max_output);
  }
  return std::unique_ptr<InputStream>(std::move(c));
}

Result<std::size_t> CrcCheckingStream::Read(std::uint8_t* dst, std::size_t n) {
  RAMPART_ASSIGN_OR_RETURN(std::size_t got, in_->Read(dst, n));
  if (got == 0 && n > 0) at_end_ = true;
  crc_ = static_cast<std::uint32_t>(crc32(crc_, dst, static_cast<uInt>(got)));
  bytes_ += got;
  return got;
}

}  // namespace rampart::artifacts
