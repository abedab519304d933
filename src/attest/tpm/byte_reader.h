// A bounds-checked cursor over untrusted bytes, big- or little-endian. Every
// read checks what is left; a failed read names the field and the offset.
// Internal to the tpm library.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::attest::tpm {

class ByteReader {
 public:
  ByteReader(std::span<const std::uint8_t> data, std::string structure, bool little_endian)
      : data_(data), structure_(std::move(structure)), little_(little_endian) {}

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }
  const std::string& structure() const { return structure_; }

  Result<std::uint8_t> U8(std::string_view field) {
    RAMPART_RETURN_IF_ERROR(Need(1, field));
    return data_[pos_++];
  }
  Result<std::uint16_t> U16(std::string_view field) { return Int<std::uint16_t>(field); }
  Result<std::uint32_t> U32(std::string_view field) { return Int<std::uint32_t>(field); }
  Result<std::uint64_t> U64(std::string_view field) { return Int<std::uint64_t>(field); }

  // `n` bytes as a view into the input.
  Result<std::span<const std::uint8_t>> Take(std::size_t n, std::string_view field) {
    RAMPART_RETURN_IF_ERROR(Need(n, field));
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  Result<std::vector<std::uint8_t>> Copy(std::size_t n, std::string_view field) {
    RAMPART_ASSIGN_OR_RETURN(auto s, Take(n, field));
    return std::vector<std::uint8_t>(s.begin(), s.end());
  }
  // A TPM2B: a 16-bit size then that many bytes, at most `max` of them.
  Result<std::vector<std::uint8_t>> Sized16(std::string_view field, std::size_t max) {
    std::size_t at = pos_;
    RAMPART_ASSIGN_OR_RETURN(std::uint16_t n, U16(field));
    if (n > max)
      return Error(at, field, "size " + std::to_string(n) + " exceeds " + std::to_string(max));
    return Copy(n, field);
  }

  Status Error(std::size_t at, std::string_view field, std::string_view what) const {
    return InvalidArgumentError(structure_ + "." + std::string(field) + " at offset " +
                                std::to_string(at) + ": " + std::string(what));
  }
  Status Error(std::string_view field, std::string_view what) const {
    return Error(pos_, field, what);
  }

 private:
  Status Need(std::size_t n, std::string_view field) const {
    if (n > remaining())
      return Error(field, "truncated: needs " + std::to_string(n) + " bytes, " +
                              std::to_string(remaining()) + " left");
    return OkStatus();
  }
  template <typename T>
  Result<T> Int(std::string_view field) {
    RAMPART_RETURN_IF_ERROR(Need(sizeof(T), field));
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      std::size_t k = little_ ? sizeof(T) - 1 - i : i;
      v = static_cast<T>((v << 8) | data_[pos_ + k]);
    }
    pos_ += sizeof(T);
    return v;
  }

  std::span<const std::uint8_t> data_;
  std::string structure_;
  bool little_;
  std::size_t pos_ = 0;
};

}  // namespace rampart::attest::tpm
