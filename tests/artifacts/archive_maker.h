// Archives written at test time, in memory: libarchive's writers for the
// formats it writes (7z, zip with or without encryption, tar, cpio, ar, with
// gzip/xz/bzip2/zstd filters), and small hand-made writers for what it does
// not (an encrypted 7z member or header, RAR 4).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::artifacts::testing {

struct Member {
  std::string name;
  std::string data;
  std::string link;         // non-empty: a symbolic link to this target, no data
  std::uint64_t zeros = 0;  // non-zero: the data is this many zero bytes (streamed)
};

// `format`: a libarchive format name ("7zip", "zip", "pax", "gnutar", "cpio",
// "ar"...); `filter`: "" or "gzip", "xz", "bzip2", "zstd"; `options`: libarchive
// write options ("7zip:compression=copy", "zip:encryption=zipcrypt"). A
// failure is a gtest failure and returns "".
std::string MakeArchive(std::string_view format, const std::vector<Member>& members,
                        std::string_view filter = "", std::string_view options = "",
                        std::string_view passphrase = "");

// A 7z archive of one member stored as-is but declared as coded by `coder`
// (7z coder record: flags byte, id, properties), e.g. kAes7zCoder.
std::string SevenZipWithCoder(std::string_view name, std::string_view data, std::string_view coder);
// 7-Zip's AES-256 + SHA-256 coder record (id 06 F1 07 01).
extern const std::string kAes7zCoder;
// A 7z whose header itself is encrypted (7z -mhe=on): nothing is listable.
std::string SevenZipEncryptedHeader();
// A RAR 4 archive of one stored member.
std::string Rar4(std::string_view name, std::string_view data);

}  // namespace rampart::artifacts::testing
