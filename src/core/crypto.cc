#include "core/crypto.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <utility>

namespace rampart::crypto {
namespace {

// ---- Ownership of OpenSSL objects ------------------------------------------

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};
template <typename T, auto Fn>
using Owned = std::unique_ptr<T, Deleter<Fn>>;

// Some OpenSSL "functions" are macros; these give them an address.
void FreeOpenSslBuffer(unsigned char* p) { OPENSSL_free(p); }
void FreeX509Stack(STACK_OF(X509) * s) { sk_X509_free(s); }  // does not free the certs

using BioPtr = Owned<BIO, BIO_free_all>;
using BnPtr = Owned<BIGNUM, BN_free>;
using CipherCtxPtr = Owned<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using DecoderCtxPtr = Owned<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>;
using EcdsaSigPtr = Owned<ECDSA_SIG, ECDSA_SIG_free>;
using GeneralNamesPtr = Owned<GENERAL_NAMES, GENERAL_NAMES_free>;
using MacCtxPtr = Owned<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using MdCtxPtr = Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using OpenSslBufferPtr = Owned<unsigned char, FreeOpenSslBuffer>;
using ParamBldPtr = Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = Owned<OSSL_PARAM, OSSL_PARAM_free>;
using PkeyCtxPtr = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using PkeyPtr = Owned<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = Owned<X509, X509_free>;
using X509StackPtr = Owned<STACK_OF(X509), FreeX509Stack>;
using X509StoreCtxPtr = Owned<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509StorePtr = Owned<X509_STORE, X509_STORE_free>;

// ---- Errors ----------------------------------------------------------------

// "<what>: <OpenSSL's reason>", and the thread's error queue left empty so a
// stale error never gets blamed on a later, unrelated call.
Status OpenSslFailure(StatusCode code, std::string_view what) {
  std::string message(what);
  std::string detail = OpenSslErrorString();
  if (!detail.empty()) {
    message += ": ";
    message += detail;
  }
  return Status(code, std::move(message));
}

// For the few operations whose contract has no error channel (digests, HMAC):
// they fail only on allocation failure or a broken OpenSSL install, which no
// caller can handle.
[[noreturn]] void Fatal(std::string_view what) {
  std::string detail = OpenSslErrorString();
  std::fprintf(stderr, "rampart: fatal: %.*s%s%s\n", static_cast<int>(what.size()), what.data(),
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

// ---- Limits ----------------------------------------------------------------

// Keys, signatures and certificate bundles are small; bounding encoded input
// keeps hostile sizes away from OpenSSL's int/long-sized lengths.
constexpr std::size_t kMaxEncodedSize = 4 << 20;
// EVP_*Update take an int length; larger buffers are fed in pieces.
constexpr std::size_t kMaxChunk = 1 << 30;
// The largest ECDSA component we could ever meet (P-521).
constexpr std::size_t kMaxEcComponentSize = 66;

Status CheckEncodedSize(std::size_t size, std::string_view what) {
  if (size == 0) return InvalidArgumentError(std::string(what) + " is empty");
  if (size > kMaxEncodedSize) {
    return ResourceExhaustedError(std::string(what) + " is " + std::to_string(size) +
                                  " bytes; the limit is " + std::to_string(kMaxEncodedSize));
  }
  return OkStatus();
}

BioPtr MemBio(std::string_view s) {
  // REQUIRES: CheckEncodedSize(s.size()) passed, so the cast is exact.
  return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())));
}

std::string BioContents(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  if (mem == nullptr) return {};
  return std::string(mem->data, mem->length);
}

// OpenSSL treats some null pointers as "no input" rather than "empty input";
// an empty span may carry a null data().
const std::uint8_t* DataOrEmpty(ByteView b) {
  static const std::uint8_t kEmpty = 0;
  return b.data() != nullptr ? b.data() : &kEmpty;
}

// Never prompt on a terminal (OpenSSL's default would) and remember that a
// passphrase was wanted, which is how we know the input was encrypted.
int RefusePassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* asked) {
  if (asked != nullptr) *static_cast<bool*>(asked) = true;
  return -1;
}

// ---- Algorithms, fetched once ----------------------------------------------

// OpenSSL 3 repeats a locked provider lookup on every init that names an
// algorithm implicitly (EVP_sha256()); explicit fetches cached for the
// process avoid that on hot paths such as Merkle hashing.
const EVP_MD* Md(HashAlgorithm a) {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static EVP_MD* const kSha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  static EVP_MD* const kSha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  EVP_MD* md = nullptr;
  switch (a) {
    case HashAlgorithm::kSha256:
      md = kSha256;
      break;
    case HashAlgorithm::kSha384:
      md = kSha384;
      break;
    case HashAlgorithm::kSha512:
      md = kSha512;
      break;
  }
  if (md == nullptr) Fatal("fetching " + std::string(HashAlgorithmName(a)));
  return md;
}

const char* MdName(HashAlgorithm a) {
  switch (a) {
    case HashAlgorithm::kSha256:
      return "SHA2-256";
    case HashAlgorithm::kSha384:
      return "SHA2-384";
    case HashAlgorithm::kSha512:
      return "SHA2-512";
  }
  return "SHA2-256";
}

EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* const kHmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (kHmac == nullptr) Fatal("fetching HMAC");
  return kHmac;
}

const EVP_CIPHER* Aes256Gcm() {
  static EVP_CIPHER* const kCipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  if (kCipher == nullptr) Fatal("fetching AES-256-GCM");
  return kCipher;
}

// ---- Key classification ----------------------------------------------------

bool IsEcdsa(KeyType t) { return t == KeyType::kEcdsaP256 || t == KeyType::kEcdsaP384; }

std::size_t ComponentSize(KeyType t) { return t == KeyType::kEcdsaP384 ? 48 : 32; }

HashAlgorithm DefaultHash(KeyType t) {
  return t == KeyType::kEcdsaP384 ? HashAlgorithm::kSha384 : HashAlgorithm::kSha256;
}

// Maps a key to the types Rampart signs and verifies with, rejecting the rest
// (other curves, explicit curve parameters, short RSA, RSA-PSS-only keys).
Result<KeyType> Classify(EVP_PKEY* k) {
  if (EVP_PKEY_is_a(k, "ED25519")) return KeyType::kEd25519;
  if (EVP_PKEY_is_a(k, "EC")) {
    char group[80] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) !=
        1) {
      ERR_clear_error();
      // Explicit parameters let a key smuggle in a curve of its choosing.
      return InvalidArgumentError("EC key without a named curve is not supported");
    }
    switch (OBJ_txt2nid(group)) {
      case NID_X9_62_prime256v1:
        return KeyType::kEcdsaP256;
      case NID_secp384r1:
        return KeyType::kEcdsaP384;
      default:
        ERR_clear_error();
        return InvalidArgumentError("EC curve " + std::string(group) +
                                    " is not supported (use P-256 or P-384)");
    }
  }
  if (EVP_PKEY_is_a(k, "RSA")) {
    int bits = EVP_PKEY_get_bits(k);
    if (bits < kMinRsaBits) {
      return InvalidArgumentError("RSA key has " + std::to_string(bits) + " bits; at least " +
                                  std::to_string(kMinRsaBits) + " are required");
    }
    return KeyType::kRsa;
  }
  const char* name = EVP_PKEY_get0_type_name(k);
  return InvalidArgumentError(std::string("key type ") + (name != nullptr ? name : "unknown") +
                              " is not supported (use Ed25519, ECDSA P-256/P-384 or RSA)");
}

// Every public key that arrives from outside (PEM, DER, JWK, certificate)
// passes here before it becomes a PublicKey: classified and, for EC, checked
// to be a valid point of the right order (invalid-curve attacks).
Result<KeyType> CheckPublicKey(EVP_PKEY* k) {
  RAMPART_ASSIGN_OR_RETURN(KeyType type, Classify(k));
  if (IsEcdsa(type)) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, k, nullptr));
    if (ctx == nullptr || EVP_PKEY_public_check(ctx.get()) != 1) {
      return OpenSslFailure(StatusCode::kInvalidArgument, "EC public key is not a valid point");
    }
  }
  return type;
}

bool HasPrivateComponent(EVP_PKEY* k, KeyType t) {
  bool has = false;
  if (t == KeyType::kEd25519) {
    std::size_t len = 0;
    has = EVP_PKEY_get_raw_private_key(k, nullptr, &len) == 1 && len == 32;
  } else {
    BIGNUM* priv = nullptr;
    const char* param = t == KeyType::kRsa ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY;
    has = EVP_PKEY_get_bn_param(k, param, &priv) == 1 && priv != nullptr;
    BN_clear_free(priv);
  }
  ERR_clear_error();
  return has;
}

Result<KeyType> CheckPrivateKey(EVP_PKEY* k) {
  RAMPART_ASSIGN_OR_RETURN(KeyType type, Classify(k));
  if (!HasPrivateComponent(k, type)) return InvalidArgumentError("key has no private component");
  return type;
}

bool LooksEncrypted(std::string_view pem) {
  return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
}

// The label of the first PEM block, to tell a user what they gave us.
std::string FirstPemLabel(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  std::size_t start = pem.find(kBegin);
  if (start == std::string_view::npos) return {};
  start += kBegin.size();
  std::size_t end = pem.find("-----", start);
  if (end == std::string_view::npos || end - start > 64) return {};
  std::string_view label = pem.substr(start, end - start);
  // It is echoed into an error message: printable ASCII only, no log injection.
  if (!std::all_of(label.begin(), label.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
    return {};
  }
  return std::string(label);
}

// Why PEM input held nothing usable: a block we accept that OpenSSL could not
// parse, or no such block at all (naming what was there instead).
Status PemFailure(std::string_view pem, std::string_view wanted,
                  std::initializer_list<std::string_view> labels) {
  for (std::string_view label : labels) {
    std::string begin = "-----BEGIN " + std::string(label) + "-----";
    if (pem.find(begin) != std::string_view::npos) {
      return OpenSslFailure(StatusCode::kInvalidArgument,
                            "malformed \"" + std::string(label) + "\" PEM block");
    }
  }
  ERR_clear_error();
  std::string found = FirstPemLabel(pem);
  std::string message = "no " + std::string(wanted) + " in PEM input";
  message += found.empty() ? " (no PEM block found)" : " (found a \"" + found + "\" block)";
  return InvalidArgumentError(std::move(message));
}

Status EncryptedKeyError() {
  ERR_clear_error();
  return InvalidArgumentError(
      "private key is encrypted (passphrase-protected), which Rampart does not read; decrypt it "
      "first, e.g. `openssl pkey -in key.pem -out key-plain.pem`, and protect the file instead");
}

std::chrono::system_clock::time_point FromAsn1Time(const ASN1_TIME* t,
                                                   std::chrono::system_clock::time_point bad) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return bad;
  }
  using namespace std::chrono;
  sys_days day = year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                 std::chrono::day{static_cast<unsigned>(tm.tm_mday)};
  return time_point_cast<system_clock::duration>(day + hours{tm.tm_hour} + minutes{tm.tm_min} +
                                                 seconds{tm.tm_sec});
}

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // RFC 2253, but UTF-8 kept as UTF-8 rather than escaped byte by byte.
  constexpr unsigned long kFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (bio == nullptr || name == nullptr || X509_NAME_print_ex(bio.get(), name, 0, kFlags) < 0) {
    ERR_clear_error();
    return {};
  }
  return BioContents(bio.get());
}

std::vector<std::string> SubjectAltNames(X509* cert, int type) {
  std::vector<std::string> out;
  // NULL both when absent and when duplicated; either way, no names.
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  ERR_clear_error();
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type != type) continue;
    const ASN1_IA5STRING* s = gn->d.ia5;  // URI, DNS and email are all IA5String
    std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      static_cast<std::size_t>(ASN1_STRING_length(s)));
    // "evil.example\0.good.example" would pass a C-string comparison elsewhere;
    // no legitimate name contains NUL, so such entries are dropped.
    if (value.find('\0') != std::string::npos) continue;
    out.push_back(std::move(value));
  }
  return out;
}

}  // namespace

// ---- Digests ---------------------------------------------------------------

std::string_view HashAlgorithmName(HashAlgorithm a) {
  switch (a) {
    case HashAlgorithm::kSha256:
      return "sha256";
    case HashAlgorithm::kSha384:
      return "sha384";
    case HashAlgorithm::kSha512:
      return "sha512";
  }
  return "unknown";
}

std::size_t DigestSize(HashAlgorithm a) {
  switch (a) {
    case HashAlgorithm::kSha256:
      return 32;
    case HashAlgorithm::kSha384:
      return 48;
    case HashAlgorithm::kSha512:
      return 64;
  }
  return 0;
}

namespace {

// SHA-256 through EVP: one context per thread, initialised again for each
// digest (EVP_Digest would allocate the context too; OpenSSL 3.0 still
// allocates and frees the provider's state at every init).
Sha256Digest EvpSha256(ByteView a, ByteView b) {
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx t;
  Sha256Digest out;
  unsigned int len = 0;
  if (t.ctx == nullptr || EVP_DigestInit_ex2(t.ctx, Md(HashAlgorithm::kSha256), nullptr) != 1 ||
      EVP_DigestUpdate(t.ctx, DataOrEmpty(a), a.size()) != 1 ||
      (!b.empty() && EVP_DigestUpdate(t.ctx, b.data(), b.size()) != 1) ||
      EVP_DigestFinal_ex(t.ctx, out.data(), &len) != 1 || len != out.size()) {
    Fatal("SHA-256");
  }
  return out;
}

#ifndef OPENSSL_NO_DEPRECATED_3_0
// OpenSSL's SHA-256 on a stack context: the same block function as the
// default provider's (SHA-NI where the CPU has it), without the provider
// dispatch or the allocation per init: for an API key (82 bytes with its
// salt) 650 fewer instructions and ~35 ns less than EvpSha256
// (docs/design/gateway-cost.md). Used only when the FIPS provider is not the
// default (checked at the first call): with FIPS every digest goes through
// EVP, as every other algorithm here does.
bool DirectSha256Allowed() {
  static const bool allowed = EVP_default_properties_is_fips_enabled(nullptr) == 0;
  return allowed;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
Sha256Digest DirectSha256(ByteView a, ByteView b) {
  SHA256_CTX c;
  Sha256Digest out;
  if (SHA256_Init(&c) != 1 || SHA256_Update(&c, DataOrEmpty(a), a.size()) != 1 ||
      (!b.empty() && SHA256_Update(&c, b.data(), b.size()) != 1) ||
      SHA256_Final(out.data(), &c) != 1) {
    Fatal("SHA-256");
  }
  OPENSSL_cleanse(&c, sizeof(c));
  return out;
}
#pragma GCC diagnostic pop
#endif

}  // namespace

Sha256Digest Sha256(ByteView data) { return Sha256(data, ByteView()); }

Sha256Digest Sha256(ByteView a, ByteView b) {
#ifndef OPENSSL_NO_DEPRECATED_3_0
  if (DirectSha256Allowed()) return DirectSha256(a, b);
#endif
  return EvpSha256(a, b);
}

Bytes Digest(HashAlgorithm a, ByteView data) {
  Bytes out(DigestSize(a));
  unsigned int len = 0;
  if (EVP_Digest(DataOrEmpty(data), data.size(), out.data(), &len, Md(a), nullptr) != 1 ||
      len != out.size()) {
    Fatal(HashAlgorithmName(a));
  }
  return out;
}

Hasher::Hasher(HashAlgorithm a) : algorithm_(a), ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex2(ctx_, Md(a), nullptr) != 1) Fatal("Hasher init");
}

Hasher::~Hasher() { EVP_MD_CTX_free(ctx_); }

Hasher::Hasher(Hasher&& other) noexcept
    : algorithm_(other.algorithm_), ctx_(std::exchange(other.ctx_, nullptr)) {}

Hasher& Hasher::operator=(Hasher&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    algorithm_ = other.algorithm_;
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void Hasher::Update(ByteView data) {
  if (ctx_ == nullptr) Fatal("Hasher::Update after Finish or move");
  if (EVP_DigestUpdate(ctx_, DataOrEmpty(data), data.size()) != 1) Fatal("Hasher::Update");
}

Bytes Hasher::Finish() {
  if (ctx_ == nullptr) Fatal("Hasher::Finish called twice or after move");
  Bytes out(DigestSize(algorithm_));
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1 || len != out.size()) {
    Fatal("Hasher::Finish");
  }
  EVP_MD_CTX_free(std::exchange(ctx_, nullptr));
  return out;
}

Bytes Hmac(HashAlgorithm a, ByteView key, ByteView data) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(HmacAlgorithm()));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(MdName(a)), 0),
      OSSL_PARAM_construct_end()};
  Bytes out(DigestSize(a));
  std::size_t len = 0;
  // An empty key is legal HMAC; a null pointer would mean "keep the old key".
  if (ctx == nullptr || EVP_MAC_init(ctx.get(), DataOrEmpty(key), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), DataOrEmpty(data), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    Fatal("HMAC");
  }
  return out;
}

// ---- Randomness and comparison ---------------------------------------------

Status RandomBytes(std::span<std::uint8_t> out) {
  for (std::size_t off = 0; off < out.size(); off += kMaxChunk) {
    std::size_t n = std::min(kMaxChunk, out.size() - off);
    if (RAND_bytes(out.data() + off, static_cast<int>(n)) != 1) {
      return OpenSslFailure(StatusCode::kUnavailable, "random number generator failed");
    }
  }
  return OkStatus();
}

Result<Bytes> RandomBytes(std::size_t n) {
  Bytes out(n);
  RAMPART_RETURN_IF_ERROR(RandomBytes(std::span<std::uint8_t>(out)));
  return out;
}

bool ConstantTimeEqual(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---- Symmetric encryption --------------------------------------------------

namespace {

Status CheckGcmArguments(ByteView key, ByteView nonce) {
  if (key.size() != kAesGcmKeySize) {
    return InvalidArgumentError("AES-256-GCM key must be 32 bytes, got " +
                                std::to_string(key.size()));
  }
  if (nonce.size() != kAesGcmNonceSize) {
    return InvalidArgumentError("AES-256-GCM nonce must be 12 bytes, got " +
                                std::to_string(nonce.size()));
  }
  return OkStatus();
}

// Feeds `in` through the cipher; a null `out` makes it associated data.
bool GcmUpdate(EVP_CIPHER_CTX* ctx, bool encrypt, std::uint8_t* out, ByteView in) {
  for (std::size_t off = 0; off < in.size(); off += kMaxChunk) {
    int n = static_cast<int>(std::min(kMaxChunk, in.size() - off));
    int written = 0;
    std::uint8_t* dst = out != nullptr ? out + off : nullptr;
    int rc = encrypt ? EVP_EncryptUpdate(ctx, dst, &written, in.data() + off, n)
                     : EVP_DecryptUpdate(ctx, dst, &written, in.data() + off, n);
    // GCM is a stream mode: every byte in is a byte out, at once.
    if (rc != 1 || (dst != nullptr && written != n)) return false;
  }
  return true;
}

}  // namespace

Result<Bytes> AesGcmSeal(ByteView key, ByteView nonce, ByteView plaintext, ByteView aad) {
  RAMPART_RETURN_IF_ERROR(CheckGcmArguments(key, nonce));
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr ||
      EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), key.data(), nonce.data(), nullptr) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-256-GCM: initializing encryption");
  }
  Bytes out(plaintext.size() + kAesGcmTagSize);
  int final_len = 0;
  if (!GcmUpdate(ctx.get(), true, nullptr, aad) ||
      !GcmUpdate(ctx.get(), true, out.data(), plaintext) ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + plaintext.size(), &final_len) != 1 ||
      final_len != 0) {
    return OpenSslFailure(StatusCode::kInternal, "AES-256-GCM: encrypting");
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, out.data() + plaintext.size(),
                                        kAesGcmTagSize),
      OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_get_params(ctx.get(), params) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-256-GCM: reading the tag");
  }
  return out;
}

Result<Bytes> AesGcmOpen(ByteView key, ByteView nonce, ByteView ciphertext_and_tag, ByteView aad) {
  RAMPART_RETURN_IF_ERROR(CheckGcmArguments(key, nonce));
  if (ciphertext_and_tag.size() < kAesGcmTagSize) {
    return CorruptionError("AES-256-GCM: input of " + std::to_string(ciphertext_and_tag.size()) +
                           " bytes is shorter than the 16-byte tag");
  }
  ByteView ciphertext = ciphertext_and_tag.first(ciphertext_and_tag.size() - kAesGcmTagSize);
  std::array<std::uint8_t, kAesGcmTagSize> tag;
  std::copy_n(ciphertext_and_tag.end() - kAesGcmTagSize, kAesGcmTagSize, tag.begin());

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr ||
      EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), key.data(), nonce.data(), nullptr) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-256-GCM: initializing decryption");
  }
  Bytes out(ciphertext.size());
  if (!GcmUpdate(ctx.get(), false, nullptr, aad) ||
      !GcmUpdate(ctx.get(), false, out.data(), ciphertext)) {
    OPENSSL_cleanse(out.data(), out.size());
    return OpenSslFailure(StatusCode::kInternal, "AES-256-GCM: decrypting");
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag.data(), tag.size()),
      OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_set_params(ctx.get(), params) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return OpenSslFailure(StatusCode::kInternal, "AES-256-GCM: setting the tag");
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + out.size(), &final_len) != 1) {
    // Unauthenticated plaintext must not outlive this call.
    OPENSSL_cleanse(out.data(), out.size());
    ERR_clear_error();
    return CorruptionError(
        "AES-256-GCM: authentication failed (ciphertext, tag or associated data altered, or wrong "
        "key or nonce)");
  }
  return out;
}

// ---- Signatures ------------------------------------------------------------

std::string_view KeyTypeName(KeyType t) {
  switch (t) {
    case KeyType::kEd25519:
      return "ed25519";
    case KeyType::kEcdsaP256:
      return "ecdsa-p256";
    case KeyType::kEcdsaP384:
      return "ecdsa-p384";
    case KeyType::kRsa:
      return "rsa";
  }
  return "unknown";
}

void PublicKey::Free::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  RAMPART_RETURN_IF_ERROR(CheckEncodedSize(pem.size(), "public key PEM"));
  BioPtr bio = MemBio(pem);
  if (bio == nullptr) return OpenSslFailure(StatusCode::kInternal, "allocating a BIO");
  PkeyPtr k(
      PEM_read_bio_PUBKEY_ex(bio.get(), nullptr, RefusePassphrase, nullptr, nullptr, nullptr));
  if (k == nullptr) return PemFailure(pem, "\"PUBLIC KEY\" block", {"PUBLIC KEY"});
  ERR_clear_error();  // skipped blocks may leave errors behind
  RAMPART_ASSIGN_OR_RETURN(KeyType type, CheckPublicKey(k.get()));
  return PublicKey(k.release(), type);
}

Result<PublicKey> PublicKey::FromDer(ByteView der) {
  RAMPART_RETURN_IF_ERROR(CheckEncodedSize(der.size(), "public key DER"));
  const unsigned char* p = der.data();
  PkeyPtr k(d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(der.size()), nullptr, nullptr));
  if (k == nullptr) {
    return OpenSslFailure(StatusCode::kInvalidArgument,
                          "not a DER SubjectPublicKeyInfo public key");
  }
  if (p != der.data() + der.size()) {
    return InvalidArgumentError("trailing bytes after DER public key");
  }
  RAMPART_ASSIGN_OR_RETURN(KeyType type, CheckPublicKey(k.get()));
  return PublicKey(k.release(), type);
}

Result<PublicKey> PublicKey::FromRawEd25519(ByteView raw) {
  if (raw.size() != 32) {
    return InvalidArgumentError("Ed25519 public key must be 32 bytes, got " +
                                std::to_string(raw.size()));
  }
  PkeyPtr k(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, raw.data(), raw.size()));
  if (k == nullptr) return OpenSslFailure(StatusCode::kInvalidArgument, "bad Ed25519 public key");
  RAMPART_ASSIGN_OR_RETURN(KeyType type, CheckPublicKey(k.get()));
  return PublicKey(k.release(), type);
}

Result<PublicKey> PublicKey::FromEcPoint(KeyType curve, ByteView x, ByteView y) {
  if (!IsEcdsa(curve)) {
    return InvalidArgumentError("FromEcPoint needs an ECDSA curve, got " +
                                std::string(KeyTypeName(curve)));
  }
  const std::size_t size = ComponentSize(curve);
  // JWK (RFC 7518 §6.2.1.2) requires full-length coordinates; so do we.
  if (x.size() != size || y.size() != size) {
    return InvalidArgumentError(std::string(KeyTypeName(curve)) + " point coordinates must be " +
                                std::to_string(size) + " bytes each, got " +
                                std::to_string(x.size()) + " and " + std::to_string(y.size()));
  }
  Bytes point;
  point.reserve(1 + 2 * size);
  point.push_back(0x04);  // SEC 1 uncompressed point
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  const char* group = curve == KeyType::kEcdsaP256 ? "P-256" : "P-384";
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "building EC key parameters");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "preparing EC key import");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return OpenSslFailure(StatusCode::kInvalidArgument,
                          std::string(KeyTypeName(curve)) + " point is not on the curve");
  }
  PkeyPtr k(raw);
  RAMPART_ASSIGN_OR_RETURN(KeyType type, CheckPublicKey(k.get()));
  return PublicKey(k.release(), type);
}

Result<PublicKey> PublicKey::FromRsaComponents(ByteView n, ByteView e) {
  if (n.empty() || e.empty() || n.size() > 2048 || e.size() > 512) {
    return InvalidArgumentError("RSA modulus or exponent is empty or too large");
  }
  BnPtr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  BnPtr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  if (bn_n == nullptr || bn_e == nullptr) {
    return OpenSslFailure(StatusCode::kInternal, "decoding RSA components");
  }
  // An even modulus or an exponent of 1 is never a real RSA key.
  if (!BN_is_odd(bn_n.get()) || !BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) {
    return InvalidArgumentError("RSA modulus and exponent must be odd and the exponent above 1");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "building RSA key parameters");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "preparing RSA key import");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return OpenSslFailure(StatusCode::kInvalidArgument, "invalid RSA public key");
  }
  PkeyPtr k(raw);
  RAMPART_ASSIGN_OR_RETURN(KeyType type, CheckPublicKey(k.get()));
  return PublicKey(k.release(), type);
}

HashAlgorithm PublicKey::default_hash() const { return DefaultHash(type_); }

Status PublicKey::Verify(ByteView data, ByteView signature, SignatureFormat format) const {
  return Verify(data, signature, format, DefaultHash(type_));
}

Status PublicKey::Verify(ByteView data, ByteView signature, SignatureFormat format,
                         HashAlgorithm hash) const {
  // Malformed signatures are rejected before OpenSSL sees them, so that only
  // one encoding of each signature is ever accepted.
  Bytes der;
  ByteView to_verify = signature;
  switch (type_) {
    case KeyType::kEd25519:
      if (signature.size() != 64) {
        return InvalidArgumentError("Ed25519 signature must be 64 bytes, got " +
                                    std::to_string(signature.size()));
      }
      break;
    case KeyType::kRsa: {
      const auto size = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
      if (signature.size() != size) {
        return InvalidArgumentError("RSA signature must be " + std::to_string(size) +
                                    " bytes, got " + std::to_string(signature.size()));
      }
      break;
    }
    case KeyType::kEcdsaP256:
    case KeyType::kEcdsaP384: {
      const std::size_t size = ComponentSize(type_);
      if (format == SignatureFormat::kRaw) {
        if (signature.size() != 2 * size) {
          return InvalidArgumentError(std::string(KeyTypeName(type_)) + " raw signature must be " +
                                      std::to_string(2 * size) + " bytes, got " +
                                      std::to_string(signature.size()));
        }
        RAMPART_ASSIGN_OR_RETURN(der, EcdsaRawToDer(signature));
        to_verify = der;
      } else {
        RAMPART_RETURN_IF_ERROR(EcdsaDerToRaw(signature, size).status());
      }
      break;
    }
  }

  MdCtxPtr ctx(EVP_MD_CTX_new());
  const char* md = type_ == KeyType::kEd25519 ? nullptr : MdName(hash);
  char pad_mode[] = OSSL_PKEY_RSA_PAD_MODE_PKCSV15;
  OSSL_PARAM rsa_params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, pad_mode, 0),
      OSSL_PARAM_construct_end()};
  if (ctx == nullptr ||
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, md, nullptr, nullptr, key_.get(),
                              type_ == KeyType::kRsa ? rsa_params : nullptr) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "initializing signature verification");
  }
  int rc = EVP_DigestVerify(ctx.get(), to_verify.data(), to_verify.size(), DataOrEmpty(data),
                            data.size());
  if (rc == 1) return OkStatus();
  // 0 is "does not verify"; negative values are internal failures, but every
  // failure to verify is treated the same: not authenticated.
  ERR_clear_error();
  return UnauthenticatedError(std::string(KeyTypeName(type_)) + " signature does not verify");
}

Result<std::string> PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "encoding public key as PEM");
  }
  return BioContents(bio.get());
}

Result<Bytes> PublicKey::ToDer() const {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(key_.get(), &buf);
  OpenSslBufferPtr owned(buf);
  if (len <= 0) return OpenSslFailure(StatusCode::kInternal, "encoding public key as DER");
  return Bytes(buf, buf + len);
}

Result<Bytes> PublicKey::RawEd25519() const {
  if (type_ != KeyType::kEd25519) {
    return InvalidArgumentError("RawEd25519 on a " + std::string(KeyTypeName(type_)) + " key");
  }
  Bytes out(32);
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key_.get(), out.data(), &len) != 1 || len != out.size()) {
    return OpenSslFailure(StatusCode::kInternal, "reading Ed25519 public key");
  }
  return out;
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  RAMPART_RETURN_IF_ERROR(CheckEncodedSize(pem.size(), "private key PEM"));
  BioPtr bio = MemBio(pem);
  if (bio == nullptr) return OpenSslFailure(StatusCode::kInternal, "allocating a BIO");
  bool asked = false;
  PkeyPtr k(
      PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, RefusePassphrase, &asked, nullptr, nullptr));
  if (k == nullptr) {
    if (asked || LooksEncrypted(pem)) return EncryptedKeyError();
    return PemFailure(pem, "private key (\"PRIVATE KEY\" or \"EC PRIVATE KEY\" block)",
                      {"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"});
  }
  ERR_clear_error();  // skipped blocks (e.g. "EC PARAMETERS") may leave errors
  RAMPART_ASSIGN_OR_RETURN(KeyType type, CheckPrivateKey(k.get()));
  return PrivateKey(k.release(), type);
}

Result<PrivateKey> PrivateKey::FromDer(ByteView der) {
  RAMPART_RETURN_IF_ERROR(CheckEncodedSize(der.size(), "private key DER"));
  EVP_PKEY* raw = nullptr;
  DecoderCtxPtr dctx(OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", nullptr, nullptr, EVP_PKEY_KEYPAIR,
                                                   nullptr, nullptr));
  bool asked = false;
  if (dctx == nullptr ||
      OSSL_DECODER_CTX_set_pem_password_cb(dctx.get(), RefusePassphrase, &asked) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "preparing private key decoder");
  }
  const unsigned char* p = der.data();
  std::size_t left = der.size();
  int rc = OSSL_DECODER_from_data(dctx.get(), &p, &left);
  PkeyPtr k(raw);
  if (rc != 1 || k == nullptr) {
    if (asked) return EncryptedKeyError();
    return OpenSslFailure(StatusCode::kInvalidArgument, "not a DER PKCS#8 or SEC1 private key");
  }
  if (left != 0) return InvalidArgumentError("trailing bytes after DER private key");
  ERR_clear_error();
  RAMPART_ASSIGN_OR_RETURN(KeyType type, CheckPrivateKey(k.get()));
  return PrivateKey(k.release(), type);
}

Result<PrivateKey> PrivateKey::FromRawEd25519Seed(ByteView seed32) {
  if (seed32.size() != 32) {
    return InvalidArgumentError("Ed25519 seed must be 32 bytes, got " +
                                std::to_string(seed32.size()));
  }
  PkeyPtr k(
      EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, seed32.data(), seed32.size()));
  if (k == nullptr) return OpenSslFailure(StatusCode::kInternal, "importing Ed25519 seed");
  RAMPART_ASSIGN_OR_RETURN(KeyType type, CheckPrivateKey(k.get()));
  return PrivateKey(k.release(), type);
}

Result<PrivateKey> PrivateKey::Generate(KeyType type) {
  EVP_PKEY* raw = nullptr;
  switch (type) {
    case KeyType::kEd25519:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case KeyType::kEcdsaP256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyType::kEcdsaP384:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case KeyType::kRsa:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(kMinRsaBits));
      break;
  }
  if (raw == nullptr) {
    return OpenSslFailure(StatusCode::kInternal,
                          "generating a " + std::string(KeyTypeName(type)) + " key");
  }
  return PrivateKey(raw, type);
}

PublicKey PrivateKey::public_key() const {
  // Shares the key object: OpenSSL keys are reference counted and immutable
  // here, and PublicKey only ever exposes the public half.
  EVP_PKEY_up_ref(key_.get());
  return PublicKey(key_.get(), type_);
}

Result<Bytes> PrivateKey::Sign(ByteView data, SignatureFormat format) const {
  return Sign(data, format, DefaultHash(type_));
}

Result<Bytes> PrivateKey::Sign(ByteView data, SignatureFormat format, HashAlgorithm hash) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const char* md = type_ == KeyType::kEd25519 ? nullptr : MdName(hash);
  char pad_mode[] = OSSL_PKEY_RSA_PAD_MODE_PKCSV15;
  OSSL_PARAM rsa_params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, pad_mode, 0),
      OSSL_PARAM_construct_end()};
  if (ctx == nullptr || EVP_DigestSignInit_ex(ctx.get(), nullptr, md, nullptr, nullptr, key_.get(),
                                              type_ == KeyType::kRsa ? rsa_params : nullptr) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "initializing signing");
  }
  std::size_t len = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, DataOrEmpty(data), data.size()) != 1) {
    return OpenSslFailure(StatusCode::kInternal,
                          "signing with a " + std::string(KeyTypeName(type_)) + " key");
  }
  sig.resize(len);
  if (IsEcdsa(type_) && format == SignatureFormat::kRaw) {
    return EcdsaDerToRaw(sig, ComponentSize(type_));
  }
  return sig;
}

Result<std::string> PrivateKey::ToPem() const {
  // Secure-memory BIO: the buffer holding the key is wiped when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "encoding private key as PEM");
  }
  return BioContents(bio.get());
}

Result<Bytes> EcdsaDerToRaw(ByteView der, std::size_t component_size) {
  if (component_size == 0 || component_size > kMaxEcComponentSize) {
    return InvalidArgumentError("ECDSA component size " + std::to_string(component_size) +
                                " is not a curve size");
  }
  // SEQUENCE { INTEGER r, INTEGER s }: at most 2 * (size + 1) + 9 bytes.
  if (der.empty() || der.size() > 2 * component_size + 16) {
    return InvalidArgumentError("ECDSA DER signature has an impossible length (" +
                                std::to_string(der.size()) + " bytes)");
  }
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (sig == nullptr) {
    ERR_clear_error();
    return InvalidArgumentError("ECDSA signature is not DER (SEQUENCE of two INTEGERs)");
  }
  if (p != der.data() + der.size()) {
    return InvalidArgumentError("trailing bytes after ECDSA DER signature");
  }
  // Only the canonical encoding is accepted, so a signature has one form
  // (a BER variant would otherwise be a second, "different" valid signature).
  unsigned char* reencoded = nullptr;
  int reencoded_len = i2d_ECDSA_SIG(sig.get(), &reencoded);
  OpenSslBufferPtr owned(reencoded);
  if (reencoded_len <= 0) return OpenSslFailure(StatusCode::kInternal, "re-encoding ECDSA sig");
  if (static_cast<std::size_t>(reencoded_len) != der.size() ||
      std::memcmp(reencoded, der.data(), der.size()) != 0) {
    return InvalidArgumentError("ECDSA signature is not canonical DER");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_is_negative(r) || BN_is_negative(s) ||
      static_cast<std::size_t>(BN_num_bytes(r)) > component_size ||
      static_cast<std::size_t>(BN_num_bytes(s)) > component_size) {
    return InvalidArgumentError("ECDSA signature component does not fit the curve");
  }
  Bytes out(2 * component_size);
  if (BN_bn2binpad(r, out.data(), static_cast<int>(component_size)) < 0 ||
      BN_bn2binpad(s, out.data() + component_size, static_cast<int>(component_size)) < 0) {
    return OpenSslFailure(StatusCode::kInternal, "encoding ECDSA signature components");
  }
  return out;
}

Result<Bytes> EcdsaRawToDer(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0 || raw.size() > 2 * kMaxEcComponentSize) {
    return InvalidArgumentError(
        "raw ECDSA signature must be r || s of equal, curve-sized halves; "
        "got " +
        std::to_string(raw.size()) + " bytes");
  }
  const int half = static_cast<int>(raw.size() / 2);
  BnPtr r(BN_bin2bn(raw.data(), half, nullptr));
  BnPtr s(BN_bin2bn(raw.data() + half, half, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr ||
      ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "building ECDSA signature");
  }
  // ECDSA_SIG_set0 took ownership.
  (void)r.release();
  (void)s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  OpenSslBufferPtr owned(der);
  if (len <= 0) return OpenSslFailure(StatusCode::kInternal, "encoding ECDSA signature as DER");
  return Bytes(der, der + len);
}

// ---- X.509 -----------------------------------------------------------------

void Certificate::Free::operator()(X509* c) const { X509_free(c); }

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  RAMPART_RETURN_IF_ERROR(CheckEncodedSize(pem.size(), "certificate PEM"));
  BioPtr bio = MemBio(pem);
  if (bio == nullptr) return OpenSslFailure(StatusCode::kInternal, "allocating a BIO");
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, RefusePassphrase, nullptr);
  if (cert == nullptr) return PemFailure(pem, "\"CERTIFICATE\" block", {"CERTIFICATE"});
  ERR_clear_error();
  return Certificate(cert);
}

Result<Certificate> Certificate::FromDer(ByteView der) {
  RAMPART_RETURN_IF_ERROR(CheckEncodedSize(der.size(), "certificate DER"));
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert == nullptr)
    return OpenSslFailure(StatusCode::kInvalidArgument, "malformed DER certificate");
  if (p != der.data() + der.size()) {
    return InvalidArgumentError("trailing bytes after DER certificate");
  }
  return Certificate(cert.release());
}

Result<std::vector<Certificate>> Certificate::ChainFromPem(std::string_view pem) {
  RAMPART_RETURN_IF_ERROR(CheckEncodedSize(pem.size(), "certificate PEM bundle"));
  BioPtr bio = MemBio(pem);
  if (bio == nullptr) return OpenSslFailure(StatusCode::kInternal, "allocating a BIO");
  std::vector<Certificate> chain;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, RefusePassphrase, nullptr)) {
    chain.push_back(Certificate(cert));
  }
  // The loop ends at end of input ("no start line"); anything else means a
  // damaged certificate, and a bundle with one is rejected whole.
  unsigned long err = ERR_peek_last_error();
  if (chain.empty()) return PemFailure(pem, "\"CERTIFICATE\" block", {"CERTIFICATE"});
  if (ERR_GET_LIB(err) != ERR_LIB_PEM || ERR_GET_REASON(err) != PEM_R_NO_START_LINE) {
    return OpenSslFailure(
        StatusCode::kInvalidArgument,
        "malformed PEM certificate " + std::to_string(chain.size() + 1) + " in bundle");
  }
  ERR_clear_error();
  return chain;
}

Result<PublicKey> Certificate::public_key() const {
  PkeyPtr k(X509_get_pubkey(cert_.get()));
  if (k == nullptr) {
    return OpenSslFailure(StatusCode::kInvalidArgument, "certificate public key is unreadable");
  }
  RAMPART_ASSIGN_OR_RETURN(KeyType type, CheckPublicKey(k.get()));
  return PublicKey(k.release(), type);
}

std::string Certificate::subject() const {
  return NameToString(X509_get_subject_name(cert_.get()));
}

std::string Certificate::issuer() const { return NameToString(X509_get_issuer_name(cert_.get())); }

std::vector<std::string> Certificate::san_uris() const {
  return SubjectAltNames(cert_.get(), GEN_URI);
}

std::vector<std::string> Certificate::san_dns() const {
  return SubjectAltNames(cert_.get(), GEN_DNS);
}

std::vector<std::string> Certificate::san_emails() const {
  return SubjectAltNames(cert_.get(), GEN_EMAIL);
}

// An unreadable time yields the value that makes the certificate invalid.
std::chrono::system_clock::time_point Certificate::not_before() const {
  return FromAsn1Time(X509_get0_notBefore(cert_.get()),
                      std::chrono::system_clock::time_point::max());
}

std::chrono::system_clock::time_point Certificate::not_after() const {
  return FromAsn1Time(X509_get0_notAfter(cert_.get()),
                      std::chrono::system_clock::time_point::min());
}

Result<Bytes> Certificate::ToDer() const {
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert_.get(), &buf);
  OpenSslBufferPtr owned(buf);
  if (len <= 0) return OpenSslFailure(StatusCode::kInternal, "encoding certificate as DER");
  return Bytes(buf, buf + len);
}

std::string Certificate::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert_.get()) != 1) {
    ERR_clear_error();
    return {};
  }
  return BioContents(bio.get());
}

Status VerifyCertificateChain(const Certificate& leaf,
                              const std::vector<Certificate>& intermediates,
                              const std::vector<Certificate>& roots,
                              std::chrono::system_clock::time_point at) {
  if (roots.empty()) return InvalidArgumentError("no trusted root certificates given");
  // A fresh store holding only the given roots: the system trust store is
  // never consulted.
  X509StorePtr store(X509_STORE_new());
  if (store == nullptr) return OpenSslFailure(StatusCode::kInternal, "allocating X509_STORE");
  for (const Certificate& root : roots) {
    if (X509_STORE_add_cert(store.get(), root.get()) != 1) {
      return OpenSslFailure(StatusCode::kInternal, "adding a root certificate");
    }
  }
  X509StackPtr untrusted(sk_X509_new_null());
  if (untrusted == nullptr) return OpenSslFailure(StatusCode::kInternal, "allocating a stack");
  for (const Certificate& cert : intermediates) {
    if (sk_X509_push(untrusted.get(), cert.get()) <= 0) {
      return OpenSslFailure(StatusCode::kInternal, "collecting intermediates");
    }
  }
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (ctx == nullptr ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "initializing chain verification");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                             std::chrono::system_clock::to_time_t(at));
  if (X509_verify_cert(ctx.get()) == 1) {
    ERR_clear_error();
    return OkStatus();
  }
  int error = X509_STORE_CTX_get_error(ctx.get());
  int depth = X509_STORE_CTX_get_error_depth(ctx.get());
  X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
  std::string message = "certificate chain does not verify: ";
  message += X509_verify_cert_error_string(error);
  message += " (depth " + std::to_string(depth);
  if (bad != nullptr) message += ", subject \"" + NameToString(X509_get_subject_name(bad)) + "\"";
  message += ")";
  ERR_clear_error();
  return UnauthenticatedError(std::move(message));
}

std::string OpenSslErrorString() {
  const char* data = nullptr;
  int flags = 0;
  unsigned long e = ERR_peek_last_error_data(&data, &flags);
  if (e == 0) return {};
  std::string out;
  const char* lib = ERR_lib_error_string(e);
  const char* reason = ERR_reason_error_string(e);
  if (reason != nullptr) {
    if (lib != nullptr) {
      out += lib;
      out += ": ";
    }
    out += reason;
  } else {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out = buf;
  }
  if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
    out += " (";
    out += data;
    out += ")";
  }
  ERR_clear_error();
  return out;
}

}  // namespace rampart::crypto
