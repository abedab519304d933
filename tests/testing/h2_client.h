// A raw HTTP/2 client for tests of Rampart's servers (cleartext, prior
// knowledge): frames go out exactly as written, so that malformed and hostile
// shapes (HPACK bombs, CONTINUATION floods, rapid resets, bad pseudo-headers,
// window overruns) reach the server byte for byte; header blocks are encoded
// with nghttp2's HPACK encoder, responses decoded with its decoder.
#pragma once

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "testing/http_client.h"

namespace rampart::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Frame types and flags (RFC 9113 section 6).
enum H2Frame : std::uint8_t {
  kData = 0,
  kHeaders = 1,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kGoaway = 7,
  kWindowUpdate = 8,
  kContinuation = 9,
};
inline constexpr std::uint8_t kEndStream = 0x1, kEndHeaders = 0x4;

struct H2Response {
  int status = 0;
  Headers headers;   // lower-case names, without pseudo-headers
  Headers trailers;  // a trailing HEADERS block (gRPC status)
  std::string body;
  bool ended = false;                                  // END_STREAM seen
  std::optional<std::uint32_t> reset;                  // RST_STREAM error code
  std::chrono::steady_clock::time_point first_data{};  // when the first body byte arrived
  std::string Header(std::string_view n) const;
  std::string Trailer(std::string_view n) const;
};

class H2Client {
 public:
  // Connects to 127.0.0.1:port and sends the preface and SETTINGS.
  explicit H2Client(int port, std::uint32_t window = 1u << 20);
  ~H2Client();
  H2Client(const H2Client&) = delete;
  H2Client& operator=(const H2Client&) = delete;

  bool connected() const { return fd_ >= 0; }

  // A HPACK block for `headers` (pseudo-headers first, as given).
  std::string Encode(const Headers& headers);
  void SendFrame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                 std::string_view payload);

  // Opens a stream with a request; returns its id. `body` goes in DATA
  // frames (16 KiB each) unless `end_stream_after_headers`.
  std::uint32_t Request(const std::string& method, const std::string& path,
                        const Headers& headers = {}, const std::string& body = "",
                        bool end_stream = true);
  // One whole exchange: Request + Await.
  H2Response Exchange(const std::string& method, const std::string& path,
                      const Headers& headers = {}, const std::string& body = "",
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Reads frames until stream `id` ended or was reset, the connection closed
  // or `timeout` passed; returns what the stream got so far.
  H2Response Await(std::uint32_t id, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads frames until the connection closes or `timeout` passes.
  void Drain(std::chrono::milliseconds timeout);

  std::uint32_t NextStreamId() const { return next_id_; }
  void SkipStreamId() { next_id_ += 2; }
  std::optional<std::uint32_t> goaway() const { return goaway_; }  // its error code
  bool closed() const { return closed_; }
  const H2Response& StreamState(std::uint32_t id) { return streams_[id]; }

 private:
  bool ReadFrame(std::chrono::steady_clock::time_point deadline);
  void OnHeaderBlock(std::uint32_t id, const std::string& block);

  int fd_ = -1;
  std::uint32_t next_id_ = 1;
  nghttp2_hd_deflater* deflater_ = nullptr;
  nghttp2_hd_inflater* inflater_ = nullptr;
  std::string in_;
  std::map<std::uint32_t, H2Response> streams_;
  std::map<std::uint32_t, std::string> partial_blocks_;  // HEADERS waiting for CONTINUATION
  std::optional<std::uint32_t> goaway_;
  bool closed_ = false;
};

}  // namespace rampart::testing
