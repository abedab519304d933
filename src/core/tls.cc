#include "core/tls.h"

#include <openssl/x509.h>

#include <algorithm>

#include "core/crypto.h"

namespace rampart::tls {
namespace {

namespace ssl = boost::asio::ssl;

constexpr auto kOptions = ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1;

// ALPN wire format: each protocol as a length byte and its name.
std::string AlpnWire(const std::vector<std::string>& protos) {
  std::string wire;
  for (const std::string& p : protos) {
    wire.push_back(static_cast<char>(p.size()));
    wire += p;
  }
  return wire;
}

// Server side: the first of our protocols (in our order) the client offers.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void* arg) {
  const std::string& ours = *static_cast<const std::string*>(arg);
  std::size_t i = 0;
  while (i < ours.size()) {
    auto len = static_cast<unsigned char>(ours[i]);
    std::string_view want(ours.data() + i + 1, len);
    for (unsigned int j = 0; j < inlen;) {
      unsigned int l = in[j];
      if (j + 1 + l > inlen) break;
      if (std::string_view(reinterpret_cast<const char*>(in + j + 1), l) == want) {
        *out = in + j + 1;
        *outlen = static_cast<unsigned char>(l);
        return SSL_TLSEXT_ERR_OK;
      }
      j += 1 + l;
    }
    i += 1 + len;
  }
  // No protocol in common: carry on without ALPN (an HTTP/1.1 client that
  // offered something else still speaks HTTP/1.1 or fails at the first request).
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> MakeServerContext(const ServerOptions& o,
                                                        std::string_view what) {
  // The context keeps the ALPN list alive for its callback: both live in one block.
  struct Holder {
    ssl::context ctx{ssl::context::tls_server};
    std::string alpn;
  };
  auto h = std::make_shared<Holder>();
  std::shared_ptr<ssl::context> ctx(h, &h->ctx);
  boost::system::error_code ec;
  ctx->set_options(kOptions, ec);
  ctx->use_certificate_chain_file(o.cert_chain.string(), ec);
  if (ec) {
    return InvalidArgumentError(std::string(what) + " TLS certificate " + o.cert_chain.string() +
                                ": " + ec.message());
  }
  ctx->use_private_key_file(o.key.string(), ssl::context::pem, ec);
  if (ec) {
    return InvalidArgumentError(std::string(what) + " TLS key " + o.key.string() + ": " +
                                ec.message());
  }
  if (!o.client_ca.empty()) {
    ctx->load_verify_file(o.client_ca.string(), ec);
    if (ec) {
      return InvalidArgumentError(std::string(what) + " client CA " + o.client_ca.string() + ": " +
                                  ec.message());
    }
    int mode = ssl::verify_peer;
    if (o.require_client_cert) mode |= ssl::verify_fail_if_no_peer_cert;
    ctx->set_verify_mode(mode, ec);
    // With peer verification on, OpenSSL aborts every session resumption (a
    // reconnecting client) unless a session id context is set; naming the
    // service and its CA keeps sessions verified elsewhere from resuming.
    std::string sid = o.context_id + "|" + o.client_ca.string();
    sid.resize(std::min<std::size_t>(sid.size(), SSL_MAX_SID_CTX_LENGTH));
    SSL_CTX_set_session_id_context(ctx->native_handle(),
                                   reinterpret_cast<const unsigned char*>(sid.data()),
                                   static_cast<unsigned>(sid.size()));
  }
  if (!o.alpn.empty()) {
    h->alpn = AlpnWire(o.alpn);
    SSL_CTX_set_alpn_select_cb(ctx->native_handle(), SelectAlpn, &h->alpn);
  }
  return ctx;
}

Result<std::shared_ptr<ssl::context>> MakeClientContext(const ClientOptions& o,
                                                        std::string_view what) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(kOptions, ec);
  if (o.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(o.ca_file.string(), ec);
  }
  if (!ec && !o.client_cert.empty()) {
    ctx->use_certificate_chain_file(o.client_cert.string(), ec);
    if (!ec) ctx->use_private_key_file(o.client_key.string(), ssl::context::pem, ec);
  }
  if (ec) return InvalidArgumentError("TLS for " + std::string(what) + ": " + ec.message());
  ctx->set_verify_mode(ssl::verify_peer);
  if (!o.alpn.empty()) {
    std::string wire = AlpnWire(o.alpn);
    SSL_CTX_set_alpn_protos(ctx->native_handle(),
                            reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size()));
  }
  return ctx;
}

std::vector<std::string> VerifiedPeerSans(SSL* s) {
  std::vector<std::string> out;
  X509* cert = SSL_get1_peer_certificate(s);
  if (cert == nullptr) return out;
  if (SSL_get_verify_result(s) == X509_V_OK) {
    unsigned char* der = nullptr;
    int len = i2d_X509(cert, &der);
    if (len > 0) {
      auto c = crypto::Certificate::FromDer(crypto::ByteView(der, static_cast<std::size_t>(len)));
      if (c) {
        for (auto& u : c->san_uris()) out.push_back(std::move(u));
        for (auto& d : c->san_dns()) out.push_back(std::move(d));
      }
    }
    OPENSSL_free(der);
  }
  X509_free(cert);
  return out;
}

std::string_view SelectedAlpn(SSL* s) {
  const unsigned char* p = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(s, &p, &len);
  return p == nullptr ? std::string_view()
                      : std::string_view(reinterpret_cast<const char*>(p), len);
}

}  // namespace rampart::tls
