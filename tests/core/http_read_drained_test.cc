// The short-read rule (core/http/read_drained.h): a short read turns the
// socket's next read from a speculative `recv` into a wait for readiness,
// and no byte or end of file is ever missed because of it — whether it
// arrives after the next read was queued, before it, or between the short
// read and the mark.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "core/http/noting_stream.h"
#include "core/http/read_drained.h"

namespace rampart::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

struct Result {
  error_code ec;
  std::string bytes;
};

// A read started on any stream (a socket, a TLS stream) into a buffer of its
// own; `got` holds its outcome once the loop has run it. It must outlive
// the loop's runs.
struct PendingRead {
  template <class Stream>
  PendingRead(Stream& stream, std::size_t room) : buf(room, '\0') {
    stream.async_read_some(asio::buffer(buf), [this](error_code ec, std::size_t n) {
      got = Result{ec, buf.substr(0, n)};
    });
  }
  PendingRead(const PendingRead&) = delete;
  PendingRead& operator=(const PendingRead&) = delete;
  std::string buf;
  std::optional<Result> got;
};

void RunFor(asio::io_context& ioc, std::chrono::milliseconds limit) {
  ioc.restart();
  ioc.run_for(limit);
}

struct Pair {
  asio::io_context ioc{1};
  tcp::socket a{ioc};
  tcp::socket b{ioc};
  Pair() {
    tcp::acceptor acc(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    a.connect(acc.local_endpoint());
    acc.accept(b);
    b.non_blocking(true);
  }
  void Send(std::string_view bytes) { asio::write(a, asio::buffer(bytes)); }

  // One read on `b` of up to `room` bytes, run until it completes or 5 s pass.
  std::optional<Result> Read(std::size_t room, std::chrono::milliseconds limit = 5000ms) {
    PendingRead read(b, room);
    RunFor(ioc, limit);
    if (!read.got) {  // cancelled so that the handler does not outlive `read`
      b.cancel();
      ioc.restart();
      ioc.run();
      return std::nullopt;
    }
    return read.got;
  }
};

// A connection's first short read registers it for EPOLLRDHUP and is not
// marked; this exchange gets that done, so the tests below see the rule.
void Warm(Pair& p) {
  p.Send("warm");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->bytes, "warm");
  EXPECT_FALSE(MarkReadDrained(p.b)) << "the first short read only registers the socket";
  EXPECT_TRUE(ReadIsSpeculative(p.b));
}

TEST(ReadDrainedTest, IsInEffectWithThisBoost) {
  // Debian 12's Boost (1.81) with the epoll reactor: the rule must not have
  // turned itself off.
  EXPECT_TRUE(kReadDrainedEnabled);
}

TEST(ReadDrainedTest, AShortReadMakesTheNextReadWaitAndAFullOneDoesNot) {
  Pair p;
  Warm(p);
  p.Send("0123456789");
  auto r = p.Read(4);  // fills its buffer: bytes may be left
  ASSERT_TRUE(r);
  ASSERT_EQ(r->bytes, "0123");
  NoteRead(p.b, 4, r->bytes.size());
  EXPECT_TRUE(ReadIsSpeculative(p.b));

  r = p.Read(64);  // the rest, short: the socket is drained
  ASSERT_TRUE(r);
  ASSERT_EQ(r->bytes, "456789");
  NoteRead(p.b, 64, r->bytes.size());
  EXPECT_FALSE(ReadIsSpeculative(p.b));

  // A zero-byte result (end of file, an error) marks nothing.
  Pair q;
  Warm(q);
  NoteRead(q.b, 64, 0);
  EXPECT_TRUE(ReadIsSpeculative(q.b));
}

TEST(ReadDrainedTest, BytesSentAfterTheMarkCompleteTheQueuedRead) {
  Pair p;
  Warm(p);
  p.Send("head");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  NoteRead(p.b, 64, r->bytes.size());
  ASSERT_FALSE(ReadIsSpeculative(p.b));

  // Nothing there: the read waits (and is not completed by a stale state).
  PendingRead read(p.b, 64);
  RunFor(p.ioc, 50ms);
  EXPECT_FALSE(read.got);
  p.Send("next");
  RunFor(p.ioc, 5000ms);
  ASSERT_TRUE(read.got);
  EXPECT_FALSE(read.got->ec);
  EXPECT_EQ(read.got->bytes, "next");
}

TEST(ReadDrainedTest, BytesThatArriveBetweenTheShortReadAndTheMarkAreRead) {
  Pair p;
  Warm(p);
  p.Send("first");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->bytes, "first");
  // The peer's next bytes land before the mark (the epoll edge is raised,
  // not yet harvested): the mark must not make the read miss them.
  p.Send("second");
  std::this_thread::sleep_for(10ms);
  NoteRead(p.b, 64, r->bytes.size());
  r = p.Read(64);
  ASSERT_TRUE(r) << "the read waited for an edge that had already come";
  EXPECT_FALSE(r->ec);
  EXPECT_EQ(r->bytes, "second");
}

TEST(ReadDrainedTest, BytesThatArriveWhileNoReadIsQueuedAreRead) {
  Pair p;
  Warm(p);
  p.Send("first");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  NoteRead(p.b, 64, r->bytes.size());
  ASSERT_FALSE(ReadIsSpeculative(p.b));
  // The edge is harvested while the connection does something else (the
  // proxy awaiting its upstream): the reactor notes it, and the next read
  // finds the bytes at once.
  p.Send("pipelined");
  asio::steady_timer other_work(p.ioc, 50ms);  // keeps the loop (and epoll) running
  other_work.async_wait([](error_code) {});
  p.ioc.restart();
  p.ioc.run();
  EXPECT_TRUE(ReadIsSpeculative(p.b));
  r = p.Read(64, 1000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bytes, "pipelined");
}

TEST(ReadDrainedTest, EndOfFileAfterTheMarkEndsTheRead) {
  Pair p;
  Warm(p);
  p.Send("last");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  NoteRead(p.b, 64, r->bytes.size());
  p.a.shutdown(tcp::socket::shutdown_send);
  r = p.Read(64);
  ASSERT_TRUE(r) << "a half-close after the mark must end the read";
  EXPECT_EQ(r->ec, asio::error::eof);

  // And a reset.
  Pair q;
  Warm(q);
  q.Send("x");
  r = q.Read(64);
  ASSERT_TRUE(r);
  NoteRead(q.b, 64, r->bytes.size());
  q.a.set_option(asio::socket_base::linger(true, 0));
  q.a.close();
  r = q.Read(64);
  ASSERT_TRUE(r) << "a reset after the mark must end the read";
  EXPECT_TRUE(r->ec);
}

TEST(ReadDrainedTest, NoteReadOnReachesTheSocketOfAStreamAndLeavesOthers) {
  Pair p;
  Warm(p);
  p.Send("ab");
  auto r = p.Read(64);
  ASSERT_TRUE(r);
  NoteReadOn(p.b, 64, r->bytes.size());
  EXPECT_FALSE(ReadIsSpeculative(p.b));
  struct NotASocket {
  } other;
  NoteReadOn(other, 64, 2);  // compiles to nothing
}

// The peer's FIN queued behind the data: the read returns the data (short)
// and consumes the FIN, so no edge will come for it. Whether epoll reported
// it before the read (the mark is refused) or not (its edge is still to
// come), the next read ends with end of file.
TEST(ReadDrainedTest, AFinThatCameWithTheDataStillEndsTheNextRead) {
  {
    SCOPED_TRACE("FIN reported before the read");
    Pair p;
    Warm(p);
    PendingRead read(p.b, 64);
    p.Send("last words");
    p.a.shutdown(tcp::socket::shutdown_send);
    std::this_thread::sleep_for(20ms);  // both in the socket before epoll is asked
    RunFor(p.ioc, 5000ms);
    ASSERT_TRUE(read.got);
    ASSERT_EQ(read.got->bytes, "last words");
    EXPECT_FALSE(MarkReadDrained(p.b)) << "the FIN was reported: no mark";
    auto r = p.Read(64);
    ASSERT_TRUE(r) << "the end of file was missed";
    EXPECT_EQ(r->ec, asio::error::eof);
  }
  {
    SCOPED_TRACE("FIN not yet reported");
    Pair p;
    Warm(p);
    p.Send("more");
    p.ioc.restart();
    p.ioc.poll();  // "more" is reported: the next read is speculative
    p.Send("last words");
    p.a.shutdown(tcp::socket::shutdown_send);
    std::this_thread::sleep_for(20ms);
    std::string buf(64, '\0');
    error_code ec;
    std::size_t n = p.b.read_some(asio::buffer(buf), ec);  // as a speculative read would
    ASSERT_FALSE(ec);
    ASSERT_EQ(buf.substr(0, n), "morelast words");
    NoteRead(p.b, buf.size(), n);
    auto r = p.Read(64);
    ASSERT_TRUE(r) << "the end of file was missed";
    EXPECT_EQ(r->ec, asio::error::eof);
  }
}

// TLS: the SSL layer reads the socket through NotingSocket (the gateway's
// upstream connections) or NotingTcpStream (the server's connections), so
// its short reads of the socket make the next one wait, and the records
// that come later are read all the same.
struct SelfSigned {
  std::string cert_pem, key_pem;
  SelfSigned() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    X509* x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_sign(x, key, EVP_sha256());
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    cert_pem.assign(data, static_cast<std::size_t>(n));
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    n = BIO_get_mem_data(b, &data);
    key_pem.assign(data, static_cast<std::size_t>(n));
    BIO_free(b);
    X509_free(x);
    EVP_PKEY_free(key);
  }
};

TEST(ReadDrainedTest, TlsReadsThroughTheNotingLayersWaitAfterAShortRead) {
  namespace ssl = asio::ssl;
  namespace beast = boost::beast;
  SelfSigned cert;
  ssl::context server_ctx(ssl::context::tls_server);
  server_ctx.use_certificate_chain(asio::buffer(cert.cert_pem));
  server_ctx.use_private_key(asio::buffer(cert.key_pem), ssl::context::pem);
  ssl::context client_ctx(ssl::context::tls_client);

  Pair p;
  // The client's side is a beast stream, the server's a plain socket: both
  // wrappers are used.
  beast::ssl_stream<NotingTcpStream> client(std::move(p.a), client_ctx);
  ssl::stream<NotingSocket> server(NotingSocket(std::move(p.b)), server_ctx);
  error_code cec, sec;
  int done = 0;
  client.async_handshake(ssl::stream_base::client, [&](error_code ec) { cec = ec, ++done; });
  server.async_handshake(ssl::stream_base::server, [&](error_code ec) { sec = ec, ++done; });
  RunFor(p.ioc, 5000ms);
  ASSERT_EQ(done, 2);
  ASSERT_FALSE(cec) << cec.message();
  ASSERT_FALSE(sec) << sec.message();

  auto client_write = [&](std::string_view bytes) {
    error_code wec;
    bool written = false;
    asio::async_write(client, asio::buffer(bytes), [&](error_code ec, std::size_t) {
      wec = ec;
      written = true;
    });
    RunFor(p.ioc, 5000ms);
    ASSERT_TRUE(written);
    ASSERT_FALSE(wec);
  };

  {
    client_write("first request");
    PendingRead first(server, 256);
    RunFor(p.ioc, 5000ms);
    ASSERT_TRUE(first.got);
    EXPECT_FALSE(first.got->ec) << first.got->ec.message();
    EXPECT_EQ(first.got->bytes, "first request");
  }
  EXPECT_FALSE(ReadIsSpeculative(server.next_layer()))
      << "the TLS layer's short read of the socket did not mark it drained";

  // A record that comes after the mark completes the read queued before it.
  {
    PendingRead second(server, 256);
    RunFor(p.ioc, 50ms);
    EXPECT_FALSE(second.got);
    client_write("second request");
    if (!second.got) RunFor(p.ioc, 5000ms);
    ASSERT_TRUE(second.got) << "a TLS record sent after the mark was never read";
    EXPECT_FALSE(second.got->ec) << second.got->ec.message();
    EXPECT_EQ(second.got->bytes, "second request");
  }

  // And the client's side (NotingTcpStream) reads the answer the same way.
  {
    error_code wec;
    asio::async_write(server, asio::buffer(std::string_view("answer")),
                      [&](error_code ec, std::size_t) { wec = ec; });
    PendingRead answer(client, 256);
    RunFor(p.ioc, 5000ms);
    ASSERT_FALSE(wec);
    ASSERT_TRUE(answer.got);
    EXPECT_FALSE(answer.got->ec) << answer.got->ec.message();
    EXPECT_EQ(answer.got->bytes, "answer");
    EXPECT_FALSE(ReadIsSpeculative(beast::get_lowest_layer(client).socket()));
  }
}

}  // namespace
}  // namespace rampart::http
