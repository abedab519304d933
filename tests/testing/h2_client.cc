#include "testing/h2_client.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace rampart::testing {
namespace {

using Steady = std::chrono::steady_clock;

std::string U32(std::uint32_t v) {
  std::string s(4, '\0');
  s[0] = static_cast<char>(v >> 24);
  s[1] = static_cast<char>(v >> 16);
  s[2] = static_cast<char>(v >> 8);
  s[3] = static_cast<char>(v);
  return s;
}

std::uint32_t ReadU32(const char* p) {
  auto u = [&](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])); };
  return u(0) << 24 | u(1) << 16 | u(2) << 8 | u(3);
}

std::string Find(const Headers& h, std::string_view n) {
  for (const auto& [k, v] : h) {
    if (k == n) return v;
  }
  return "";
}

}  // namespace

std::string H2Response::Header(std::string_view n) const { return Find(headers, n); }
std::string H2Response::Trailer(std::string_view n) const { return Find(trailers, n); }

H2Client::H2Client(int port, std::uint32_t window) {
  fd_ = Dial(port);
  nghttp2_hd_deflate_new(&deflater_, 4096);
  nghttp2_hd_inflate_new(&inflater_);
  if (fd_ < 0) return;
  SendAll(fd_, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  // SETTINGS: INITIAL_WINDOW_SIZE.
  std::string settings;
  settings += std::string("\x00\x04", 2) + U32(window);
  SendFrame(kSettings, 0, 0, settings);
  if (window > 65535) SendFrame(kWindowUpdate, 0, 0, U32(window - 65535));
}

H2Client::~H2Client() {
  if (fd_ >= 0) close(fd_);
  nghttp2_hd_deflate_del(deflater_);
  nghttp2_hd_inflate_del(inflater_);
}

std::string H2Client::Encode(const Headers& headers) {
  std::vector<nghttp2_nv> nva;
  for (const auto& [n, v] : headers) {
    nva.push_back(nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(n.data())),
                             reinterpret_cast<std::uint8_t*>(const_cast<char*>(v.data())), n.size(),
                             v.size(), NGHTTP2_NV_FLAG_NONE});
  }
  std::size_t bound = nghttp2_hd_deflate_bound(deflater_, nva.data(), nva.size());
  std::string out(bound, '\0');
  ssize_t n = nghttp2_hd_deflate_hd(deflater_, reinterpret_cast<std::uint8_t*>(out.data()), bound,
                                    nva.data(), nva.size());
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

void H2Client::SendFrame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                         std::string_view payload) {
  std::string f;
  f.push_back(static_cast<char>(payload.size() >> 16));
  f.push_back(static_cast<char>(payload.size() >> 8));
  f.push_back(static_cast<char>(payload.size()));
  f.push_back(static_cast<char>(type));
  f.push_back(static_cast<char>(flags));
  f += U32(stream & 0x7fffffff);
  f += payload;
  SendAll(fd_, f);
}

std::uint32_t H2Client::Request(const std::string& method, const std::string& path,
                                const Headers& headers, const std::string& body, bool end_stream) {
  std::uint32_t id = next_id_;
  next_id_ += 2;
  Headers all = {{":method", method}, {":scheme", "http"}, {":authority", "test"}, {":path", path}};
  all.insert(all.end(), headers.begin(), headers.end());
  bool no_body = body.empty() && end_stream;
  SendFrame(kHeaders, kEndHeaders | (no_body ? kEndStream : 0), id, Encode(all));
  if (no_body) return id;
  std::size_t off = 0;
  do {
    std::size_t n = std::min<std::size_t>(16384, body.size() - off);
    bool last = off + n == body.size();
    SendFrame(kData, last && end_stream ? kEndStream : 0, id,
              std::string_view(body).substr(off, n));
    off += n;
  } while (off < body.size());
  return id;
}

H2Response H2Client::Exchange(const std::string& method, const std::string& path,
                              const Headers& headers, const std::string& body,
                              std::chrono::milliseconds timeout) {
  return Await(Request(method, path, headers, body), timeout);
}

H2Response H2Client::Await(std::uint32_t id, std::chrono::milliseconds timeout) {
  auto deadline = Steady::now() + timeout;
  while (!streams_[id].ended && !streams_[id].reset && !closed_) {
    if (!ReadFrame(deadline)) break;
  }
  return streams_[id];
}

void H2Client::Drain(std::chrono::milliseconds timeout) {
  auto deadline = Steady::now() + timeout;
  while (!closed_ && ReadFrame(deadline)) {
  }
}

void H2Client::OnHeaderBlock(std::uint32_t id, const std::string& block) {
  H2Response& r = streams_[id];
  bool trailers = r.status != 0 && r.status / 100 != 1;
  if (r.status / 100 == 1) r.status = 0;  // an interim response: the real one follows
  auto* in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(block.data()));
  std::size_t left = block.size();
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t n = nghttp2_hd_inflate_hd2(inflater_, &nv, &flags, in, left, 1);
    if (n < 0) return;
    in += n;
    left -= static_cast<std::size_t>(n);
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      std::string name(reinterpret_cast<char*>(nv.name), nv.namelen);
      std::string value(reinterpret_cast<char*>(nv.value), nv.valuelen);
      if (name == ":status") {
        r.status = std::atoi(value.c_str());
      } else if (trailers) {
        r.trailers.emplace_back(name, value);
      } else {
        r.headers.emplace_back(name, value);
      }
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater_);
      break;
    }
    if (n == 0 && left == 0) break;
  }
}

bool H2Client::ReadFrame(Steady::time_point deadline) {
  for (;;) {
    if (in_.size() >= 9) {
      std::size_t len = static_cast<unsigned char>(in_[0]) << 16 |
                        static_cast<unsigned char>(in_[1]) << 8 |
                        static_cast<unsigned char>(in_[2]);
      if (in_.size() >= 9 + len) {
        auto type = static_cast<std::uint8_t>(in_[3]);
        auto flags = static_cast<std::uint8_t>(in_[4]);
        std::uint32_t id = ReadU32(in_.data() + 5) & 0x7fffffff;
        std::string payload = in_.substr(9, len);
        in_.erase(0, 9 + len);
        switch (type) {
          case kSettings:
            if (!(flags & 1)) SendFrame(kSettings, 1, 0, "");
            break;
          case kPing:
            if (!(flags & 1)) SendFrame(kPing, 1, 0, payload);
            break;
          case kGoaway:
            if (payload.size() >= 8) goaway_ = ReadU32(payload.data() + 4);
            break;
          case kRstStream:
            if (payload.size() >= 4) streams_[id].reset = ReadU32(payload.data());
            break;
          case kData: {
            std::size_t pad = 0, off = 0;
            if (flags & 0x8) {
              pad = static_cast<unsigned char>(payload[0]);
              off = 1;
            }
            if (payload.size() > off + pad && streams_[id].first_data == Steady::time_point{}) {
              streams_[id].first_data = Steady::now();
            }
            streams_[id].body += payload.substr(off, payload.size() - off - pad);
            if (!payload.empty()) {
              SendFrame(kWindowUpdate, 0, 0, U32(static_cast<std::uint32_t>(payload.size())));
              if (!(flags & kEndStream)) {
                SendFrame(kWindowUpdate, 0, id, U32(static_cast<std::uint32_t>(payload.size())));
              }
            }
            if (flags & kEndStream) streams_[id].ended = true;
            break;
          }
          case kHeaders:
          case kContinuation: {
            std::string block = payload;
            if (type == kHeaders) {
              std::size_t off = 0, pad = 0;
              if (flags & 0x8) {
                pad = static_cast<unsigned char>(block[0]);
                off = 1;
              }
              if (flags & 0x20) off += 5;
              block = block.substr(off, block.size() - off - pad);
              if (flags & kEndStream) streams_[id].ended = true;
            }
            partial_blocks_[id] += block;
            if (flags & kEndHeaders) {
              OnHeaderBlock(id, partial_blocks_[id]);
              partial_blocks_.erase(id);
            }
            break;
          }
          default:
            break;
        }
        return true;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left.count() <= 0 || fd_ < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) != 1) return false;
    char buf[65536];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    in_.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace rampart::testing
