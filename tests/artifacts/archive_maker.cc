#include "archive_maker.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <zlib.h>

namespace rampart::artifacts::testing {
namespace {

la_ssize_t Append(struct archive*, void* ud, const void* buf, size_t n) {
  static_cast<std::string*>(ud)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

void Le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint32_t Crc(std::string_view s) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

// 7z's variable-length NUMBER, for values below 2^21.
std::string Number(std::uint64_t v) {
  std::string out;
  if (v < 0x80) {
    out += static_cast<char>(v);
  } else if (v < 0x4000) {
    out += static_cast<char>(0x80 | (v >> 8));
    out += static_cast<char>(v & 0xff);
  } else {
    out += static_cast<char>(0xc0 | (v >> 16));
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>((v >> 8) & 0xff);
  }
  return out;
}

// Signature header + packed bytes + header.
std::string SevenZip(std::string_view packed, std::string_view header) {
  std::string tail;
  Le(tail, packed.size(), 8);
  Le(tail, header.size(), 8);
  Le(tail, Crc(header), 4);
  std::string out("7z\xbc\xaf\x27\x1c\x00\x04", 8);
  Le(out, Crc(tail), 4);
  out += tail;
  out += packed;
  out += header;
  return out;
}

}  // namespace

const std::string kAes7zCoder = std::string("\x24\x06\xf1\x07\x01\x01\x13", 7);

std::string MakeArchive(std::string_view format, const std::vector<Member>& members,
                        std::string_view filter, std::string_view options,
                        std::string_view passphrase) {
  std::string out;
  struct archive* a = archive_write_new();
  auto fail = [&](const char* what) {
    ADD_FAILURE() << "libarchive " << what << ": " << archive_error_string(a);
    archive_write_free(a);
    return std::string();
  };
  if (archive_write_set_format_by_name(a, std::string(format).c_str()) != ARCHIVE_OK) {
    return fail("format");
  }
  if (!filter.empty() &&
      archive_write_add_filter_by_name(a, std::string(filter).c_str()) != ARCHIVE_OK) {
    return fail("filter");
  }
  if (!options.empty() &&
      archive_write_set_options(a, std::string(options).c_str()) != ARCHIVE_OK) {
    return fail("options");
  }
  if (!passphrase.empty() &&
      archive_write_set_passphrase(a, std::string(passphrase).c_str()) != ARCHIVE_OK) {
    return fail("passphrase");
  }
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, &out, nullptr, Append, nullptr) != ARCHIVE_OK) return fail("open");
  for (const auto& m : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    archive_entry_set_mtime(e, 1700000000, 0);
    if (!m.link.empty()) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_perm(e, 0777);
      archive_entry_set_symlink(e, m.link.c_str());
      archive_entry_set_size(e, 0);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, static_cast<la_int64_t>(m.zeros != 0 ? m.zeros : m.data.size()));
    }
    if (archive_write_header(a, e) != ARCHIVE_OK) {
      archive_entry_free(e);
      return fail("header");
    }
    archive_entry_free(e);
    if (m.zeros != 0) {
      std::string chunk(1 << 20, '\0');
      for (std::uint64_t left = m.zeros; left > 0;) {
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
        if (archive_write_data(a, chunk.data(), n) != static_cast<la_ssize_t>(n)) {
          return fail("data");
        }
        left -= n;
      }
    } else if (!m.data.empty() && archive_write_data(a, m.data.data(), m.data.size()) !=
                                      static_cast<la_ssize_t>(m.data.size())) {
      return fail("data");
    }
  }
  if (archive_write_close(a) != ARCHIVE_OK) return fail("close");
  archive_write_free(a);
  return out;
}

std::string SevenZipWithCoder(std::string_view name, std::string_view data,
                              std::string_view coder) {
  std::string h("\x01\x04", 2);  // kHeader, kMainStreamsInfo
  h += std::string("\x06\x00\x01\x09", 4) + Number(data.size()) + '\0';  // kPackInfo
  h += std::string("\x07\x0b\x01\x00\x01", 5);  // kUnPackInfo, one folder, one coder
  h += coder;
  h += '\x0c' + Number(data.size()) + '\0';
  h += std::string("\x08\x0a\x01", 3);  // kSubStreamsInfo: CRC
  Le(h, Crc(data), 4);
  h += std::string("\x00\x00", 2);
  std::string utf16;
  for (char ch : name) utf16 += std::string{ch, '\0'};
  utf16 += std::string("\x00\x00", 2);
  h += std::string("\x05\x01\x11", 3) + Number(utf16.size() + 1) + '\0' + utf16;  // kFilesInfo
  h += std::string("\x00\x00", 2);
  return SevenZip(data, h);
}

std::string SevenZipEncryptedHeader() {
  std::string packed(16, '\x5a');  // what would be the encrypted header
  std::string h("\x17", 1);        // kEncodedHeader: streams info of the real header
  h += std::string("\x06\x00\x01\x09", 4) + Number(packed.size()) + '\0';
  h += std::string("\x07\x0b\x01\x00\x01", 5) + kAes7zCoder + '\x0c' + Number(packed.size()) + '\0';
  h += '\0';
  return SevenZip(packed, h);
}

std::string Rar4(std::string_view name, std::string_view data) {
  auto block = [](std::string body) {
    std::string out;
    Le(out, Crc(body) & 0xffff, 2);
    return out + body;
  };
  std::string out("Rar!\x1a\x07\x00", 7);
  std::string main;
  main += '\x73';
  Le(main, 0, 2);   // flags
  Le(main, 13, 2);  // header size
  main += std::string(6, '\0');
  out += block(main);
  std::string file;
  file += '\x74';
  Le(file, 0x8000, 2);  // LONG_BLOCK: data follows
  Le(file, 32 + name.size(), 2);
  Le(file, data.size(), 4);  // packed size
  Le(file, data.size(), 4);  // unpacked size
  file += '\x03';            // host OS: Unix
  Le(file, Crc(data), 4);
  Le(file, 0x5a000000, 4);  // DOS time
  file += '\x14';           // version 2.0 needed
  file += '\x30';           // method: store
  Le(file, name.size(), 2);
  Le(file, 0100644, 4);  // Unix mode
  file += name;
  out += block(file) + std::string(data);
  out += std::string("\xc4\x3d\x7b\x00\x40\x07\x00", 7);  // end of archive
  return out;
}

}  // namespace rampart::artifacts::testing
