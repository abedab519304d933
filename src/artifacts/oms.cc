#include "artifacts/oms.h"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "core/encoding.h"
#include "core/json.h"

namespace rampart::artifacts {
namespace {

namespace fs = std::filesystem;

Status Invalid(std::string m) {
  return InvalidArgumentError("invalid OMS bundle: " + std::move(m));
}

// "0.1", "0.2" or "0.3" for the Sigstore bundle media types; empty otherwise.
std::string BundleVersion(std::string_view media) {
  if (media == kBundleMediaType) return "0.3";
  constexpr std::string_view kPrefix = "application/vnd.dev.sigstore.bundle+json;version=";
  if (media.starts_with(kPrefix)) {
    std::string_view v = media.substr(kPrefix.size());
    if (v == "0.1" || v == "0.2" || v == "0.3") return std::string(v);
  }
  return "";
}

bool IsHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<crypto::Bytes> B64(const json::value& v, std::string_view what) {
  if (!v.is_string() || v.as_string().empty())
    return Invalid(std::string(what) + " must be a non-empty base64 string");
  auto r = Base64Decode(std::string_view(v.as_string()));
  if (!r) return Invalid(std::string(what) + " is not base64: " + r.error().message());
  return *r;
}

// "sha256", or the reference's shard form "sha256-sharded-1000000000".
std::string BaseAlgorithm(std::string_view a) {
  auto p = a.find("-sharded-");
  return std::string(p == std::string_view::npos ? a : a.substr(0, p));
}

bool KnownAlgorithm(std::string_view a) {
  std::string b = BaseAlgorithm(a);
  return b == "sha256" || b == "blake2b" || b == "blake3";
}

// Parses "<path>:<start>:<end>" by its last two colons.
bool ParseShardName(std::string_view name, std::string* path, std::uint64_t* start,
                    std::uint64_t* end) {
  auto c2 = name.rfind(':');
  if (c2 == std::string_view::npos || c2 == 0) return false;
  auto c1 = name.rfind(':', c2 - 1);
  if (c1 == std::string_view::npos) return false;
  auto num = [](std::string_view s, std::uint64_t* v) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (!num(name.substr(c1 + 1, c2 - c1 - 1), start) || !num(name.substr(c2 + 1), end)) return false;
  *path = std::string(name.substr(0, c1));
  return *end >= *start;
}

std::string PyBytesRepr(std::string_view b) {
  bool has_single = b.find('\'') != std::string_view::npos;
  bool has_double = b.find('"') != std::string_view::npos;
  char q = has_single && !has_double ? '"' : '\'';
  std::string out = "b";
  out += q;
  for (unsigned char c : b) {
    if (c == '\\' || c == static_cast<unsigned char>(q)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += q;
  return out;
}

// Chain verification where every certificate the user trusts is an anchor
// (X509_V_FLAG_PARTIAL_CHAIN): trusting an intermediate CA is allowed.
Status VerifyChain(const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& rest,
                   const std::vector<crypto::Certificate>& anchors,
                   std::chrono::system_clock::time_point at) {
  if (anchors.empty()) return InvalidArgumentError("no trusted certificates given (--cert-chain)");
  X509_STORE* store = X509_STORE_new();
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  Status result;
  if (store == nullptr || untrusted == nullptr || ctx == nullptr) {
    result = InternalError("OpenSSL allocation failed");
  } else {
    for (const auto& a : anchors) X509_STORE_add_cert(store, a.get());
    for (const auto& c : rest) sk_X509_push(untrusted, c.get());
    X509_STORE_CTX_init(ctx, store, leaf.get(), untrusted);
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(at));
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    if (X509_verify_cert(ctx) != 1) {
      int err = X509_STORE_CTX_get_error(ctx);
      result = UnauthenticatedError(std::string("certificate chain does not verify: ") +
                                    X509_verify_cert_error_string(err) + " (depth " +
                                    std::to_string(X509_STORE_CTX_get_error_depth(ctx)) + ")");
    }
  }
  if (ctx != nullptr) X509_STORE_CTX_free(ctx);
  if (untrusted != nullptr) sk_X509_free(untrusted);
  if (store != nullptr) X509_STORE_free(store);
  if (!result.ok()) return result;
  // The leaf must be usable for signing: a keyUsage with digitalSignature or
  // an extendedKeyUsage with codeSigning. (OpenSSL reports every usage for an
  // absent extension; an absent extension grants nothing here.)
  std::uint32_t flags = X509_get_extension_flags(leaf.get());
  bool ku =
      (flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(leaf.get()) & KU_DIGITAL_SIGNATURE) != 0;
  bool eku = (flags & EXFLAG_XKUSAGE) != 0 &&
             (X509_get_extended_key_usage(leaf.get()) & XKU_CODE_SIGN) != 0;
  bool can_sign = ku || eku;
  if (!can_sign)
    return UnauthenticatedError("the signing certificate is not for digital signatures");
  return OkStatus();
}

}  // namespace

std::string Pae(std::string_view type, std::string_view payload) {
  return "DSSEv1 " + std::to_string(type.size()) + " " + std::string(type) + " " +
         std::to_string(payload.size()) + " " + std::string(payload);
}

std::string PaeCompat(std::string_view type, std::string_view payload) {
  return "DSSEV1 " + std::to_string(type.size()) + " " + std::string(type) + " " +
         std::to_string(payload.size()) + " " + PyBytesRepr(payload);
}

std::string_view SigningMethodName(SigningMethod m) {
  switch (m) {
    case SigningMethod::kKey:
      return "key";
    case SigningMethod::kCertificate:
      return "certificate";
    case SigningMethod::kSigstore:
      return "sigstore";
  }
  return "?";
}

Result<ParsedBundle> ParseBundle(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return Invalid("the file is empty");
  JsonLimits lim;
  lim.max_bytes = 256u << 20;
  auto doc = ParseJson(text, lim, "bundle");
  if (!doc) return Invalid("not JSON: " + doc.error().message());
  if (!doc->is_object()) return Invalid("the top level is not an object");
  const auto& root = doc->as_object();
  if (root.contains("messageSignature")) {
    return Invalid(
        "it holds a messageSignature (a Sigstore signature over one digest), not a DSSE "
        "envelope; OMS and every model_signing release sign an in-toto statement in a DSSE "
        "envelope, so this is not a model signature");
  }
  for (const auto& kv : root) {
    if (kv.key() != "mediaType" && kv.key() != "verificationMaterial" &&
        kv.key() != "dsseEnvelope") {
      return Invalid("unexpected top-level field '" + std::string(kv.key()) + "'");
    }
  }
  ParsedBundle b;
  const auto* mt = root.if_contains("mediaType");
  if (mt == nullptr || !mt->is_string()) return Invalid("mediaType is missing");
  std::string_view media = mt->as_string();
  b.media_version = BundleVersion(media);
  if (b.media_version.empty()) {
    return Invalid("mediaType '" + std::string(media) +
                   "' is not a Sigstore bundle (v0.1, v0.2 or v0.3)");
  }
  const auto* vm = root.if_contains("verificationMaterial");
  if (vm == nullptr) return Invalid("verificationMaterial is missing");
  if (!vm->is_object()) return Invalid("verificationMaterial is not an object");
  const auto& v = vm->as_object();
  if (const auto* t = v.if_contains("tlogEntries"); t != nullptr) {
    if (!t->is_array()) return Invalid("tlogEntries is not an array");
    for (const auto& e : t->as_array()) {
      if (!e.is_object()) return Invalid("a tlogEntries item is not an object");
    }
  }
  if (const auto* pk = v.if_contains("publicKey")) {
    if (!pk->is_object()) return Invalid("publicKey is not an object");
    b.method = SigningMethod::kKey;
    const auto* hint = pk->as_object().if_contains("hint");
    const auto* raw = pk->as_object().if_contains("rawBytes");
    if ((hint == nullptr || !hint->is_string()) && (raw == nullptr || !raw->is_string())) {
      return Invalid("publicKey needs a string hint (or rawBytes, in older bundles)");
    }
    if (hint != nullptr && hint->is_string()) b.key_hint = std::string(hint->as_string());
    if (raw != nullptr && raw->is_string()) {
      RAMPART_ASSIGN_OR_RETURN(auto bytes, B64(*raw, "publicKey.rawBytes"));
      b.key_raw.assign(bytes.begin(), bytes.end());
    }
  } else if (const auto* chain = v.if_contains("x509CertificateChain")) {
    // Sigstore bundles before v0.3 carried the Fulcio certificate here too;
    // with transparency-log entries that is the keyless (sigstore) method.
    const auto* t = v.if_contains("tlogEntries");
    bool keyless = b.media_version != "0.3" && t != nullptr && !t->as_array().empty();
    b.method = keyless ? SigningMethod::kSigstore : SigningMethod::kCertificate;
    if (!chain->is_object()) return Invalid("x509CertificateChain is not an object");
    const auto* certs = chain->as_object().if_contains("certificates");
    if (certs == nullptr || !certs->is_array() || certs->as_array().empty()) {
      return Invalid("x509CertificateChain.certificates must list at least one certificate");
    }
    for (const auto& c : certs->as_array()) {
      if (!c.is_object() || !c.as_object().contains("rawBytes")) {
        return Invalid("a certificate lacks rawBytes");
      }
      RAMPART_ASSIGN_OR_RETURN(auto der, B64(c.as_object().at("rawBytes"), "certificate rawBytes"));
      b.certificates.push_back(std::move(der));
    }
  } else if (const auto* cert = v.if_contains("certificate")) {
    b.method = SigningMethod::kSigstore;
    if (!cert->is_object() || !cert->as_object().contains("rawBytes")) {
      return Invalid("certificate lacks rawBytes");
    }
    RAMPART_ASSIGN_OR_RETURN(auto der,
                             B64(cert->as_object().at("rawBytes"), "certificate rawBytes"));
    b.certificates.push_back(std::move(der));
    const auto* t = v.if_contains("tlogEntries");
    if (t == nullptr || t->as_array().empty()) {
      return Invalid("the sigstore method (a single Fulcio certificate) requires tlogEntries");
    }
  } else {
    return Invalid("verificationMaterial has no publicKey, x509CertificateChain or certificate");
  }
  const auto* env = root.if_contains("dsseEnvelope");
  if (env == nullptr) return Invalid("dsseEnvelope is missing");
  if (!env->is_object()) return Invalid("dsseEnvelope is not an object");
  const auto& e = env->as_object();
  for (const auto& kv : e) {
    if (kv.key() != "payload" && kv.key() != "payloadType" && kv.key() != "signatures") {
      return Invalid("unexpected dsseEnvelope field '" + std::string(kv.key()) + "'");
    }
  }
  if (!e.contains("payload")) return Invalid("dsseEnvelope.payload is missing");
  RAMPART_ASSIGN_OR_RETURN(auto payload, B64(e.at("payload"), "dsseEnvelope.payload"));
  b.payload.assign(payload.begin(), payload.end());
  const auto* pt = e.if_contains("payloadType");
  if (pt == nullptr || !pt->is_string() || pt->as_string() != kInTotoPayloadType) {
    return Invalid("dsseEnvelope.payloadType must be " + std::string(kInTotoPayloadType));
  }
  b.payload_type = std::string(pt->as_string());
  const auto* sigs = e.if_contains("signatures");
  if (sigs == nullptr || !sigs->is_array() || sigs->as_array().empty()) {
    return Invalid("dsseEnvelope.signatures must hold at least one signature");
  }
  for (const auto& s : sigs->as_array()) {
    if (!s.is_object()) return Invalid("a signature is not an object");
    for (const auto& kv : s.as_object()) {
      if (kv.key() != "sig" && kv.key() != "keyid") {
        return Invalid("unexpected signature field '" + std::string(kv.key()) + "'");
      }
    }
    if (const auto* k = s.as_object().if_contains("keyid");
        k != nullptr && !k->is_string() && !k->is_null()) {
      return Invalid("signature keyid must be a string or null");
    }
    if (!s.as_object().contains("sig")) return Invalid("a signature lacks sig");
    RAMPART_ASSIGN_OR_RETURN(auto sig, B64(s.as_object().at("sig"), "signature sig"));
    b.signatures.push_back(std::move(sig));
  }
  return b;
}

namespace {

Status BadStatement(std::string m) {
  return InvalidArgumentError("invalid OMS statement: " + std::move(m));
}

// Hex digits of a digest of `algorithm` (its base name).
std::size_t HexDigits(std::string_view algorithm) {
  return BaseAlgorithm(algorithm) == "blake2b" ? 128 : 64;
}

// A resource or subject name read the way the reference reads it
// (PurePosixPath): empty and "." components dropped, "." for nothing left.
// Absolute names and ".." components point outside the model: refused.
Result<std::string> CanonicalName(std::string_view name, std::string_view what) {
  if (name.starts_with('/')) {
    return BadStatement(std::string(what) + " '" + std::string(name) +
                        "' is an absolute path, outside the model directory");
  }
  std::string out;
  std::size_t i = 0;
  while (i <= name.size()) {
    std::size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view part = name.substr(i, j - i);
    if (part == "..") {
      return BadStatement(std::string(what) + " '" + std::string(name) +
                          "' climbs out of the model directory (..)");
    }
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    i = j + 1;
  }
  return out.empty() ? std::string(".") : out;
}

// serialization.shard_size: a positive integer. model_signing 0.3 stored the
// serialization in a protobuf Struct, whose numbers are doubles, and so wrote
// 1000000000.0; an integral double up to 2^53 is read as that integer.
Result<std::uint64_t> ShardSize(const json::value& v, std::vector<std::string>* notes) {
  if (v.is_int64() && v.as_int64() > 0) return static_cast<std::uint64_t>(v.as_int64());
  if (v.is_uint64() && v.as_uint64() > 0) return v.as_uint64();
  if (v.is_double()) {
    double d = v.as_double();
    if (d >= 1 && d <= 9007199254740992.0 && std::floor(d) == d) {
      auto n = static_cast<std::uint64_t>(d);
      notes->push_back("serialization.shard_size written as a float (" + std::to_string(n) +
                       ".0), as model_signing 0.3 wrote it");
      return n;
    }
  }
  return BadStatement("serialization.shard_size must be a positive integer");
}

// The OMS v1.0 predicate (model_signing 0.3 and later).
Result<Statement> ParseSignatureV1(const json::object& o, Statement st) {
  const auto& bad = BadStatement;
  const auto* subj = o.if_contains("subject");
  if (subj == nullptr || !subj->is_array() || subj->as_array().size() != 1) {
    return bad("subject must hold exactly one entry");
  }
  const auto& s0 = subj->as_array()[0];
  if (!s0.is_object()) return bad("subject[0] is not an object");
  const auto* sn = s0.as_object().if_contains("name");
  if (sn == nullptr || !sn->is_string() || sn->as_string().empty())
    return bad("subject[0].name must be a non-empty string");
  st.subject_name = std::string(sn->as_string());
  const auto* sd = s0.as_object().if_contains("digest");
  if (sd == nullptr || !sd->is_object() || sd->as_object().empty())
    return bad("subject[0].digest must be a digest set");
  for (const auto& kv : sd->as_object()) {
    if (!kv.value().is_string() || !IsHex(kv.value().as_string()))
      return bad("subject digests must be lowercase hex");
  }
  if (const auto* d = sd->as_object().if_contains("sha256"))
    st.root_digest = std::string(d->as_string());
  const auto* pred = o.if_contains("predicate");
  if (pred == nullptr || !pred->is_object()) return bad("predicate is missing");
  for (const auto& kv : pred->as_object()) {
    if (kv.key() != "resources" && kv.key() != "serialization") {
      return bad("unexpected predicate field '" + std::string(kv.key()) + "'");
    }
  }
  const auto* ser = pred->as_object().if_contains("serialization");
  if (ser == nullptr || !ser->is_object()) return bad("predicate.serialization is missing");
  const auto& so = ser->as_object();
  for (const auto& kv : so) {
    std::string_view k = kv.key();
    if (k != "method" && k != "hash_type" && k != "shard_size" && k != "allow_symlinks" &&
        k != "ignore_paths") {
      return bad("unexpected serialization field '" + std::string(k) + "'");
    }
  }
  const auto* method = so.if_contains("method");
  if (method == nullptr || !method->is_string() ||
      (method->as_string() != "files" && method->as_string() != "shards")) {
    return bad("serialization.method must be \"files\" or \"shards\"");
  }
  st.serialization.method = std::string(method->as_string());
  const bool shards = st.serialization.method == "shards";
  const auto* ht = so.if_contains("hash_type");
  if (ht == nullptr || !ht->is_string() || !KnownAlgorithm(ht->as_string())) {
    return bad("serialization.hash_type must be sha256, blake2b or blake3");
  }
  st.serialization.hash_type = std::string(ht->as_string());
  const auto* as = so.if_contains("allow_symlinks");
  if (as == nullptr || !as->is_bool()) return bad("serialization.allow_symlinks must be a boolean");
  st.serialization.allow_symlinks = as->as_bool();
  if (const auto* ss = so.if_contains("shard_size")) {
    RAMPART_ASSIGN_OR_RETURN(st.serialization.shard_size, ShardSize(*ss, &st.notes));
    if (!shards) return bad("serialization.shard_size must be absent for the files method");
  } else if (shards) {
    return bad("serialization.shard_size is required for the shards method");
  }
  if (const auto* ip = so.if_contains("ignore_paths")) {
    if (!ip->is_array()) return bad("serialization.ignore_paths must be an array");
    std::vector<std::string> paths;
    for (const auto& p : ip->as_array()) {
      if (!p.is_string() || p.as_string().empty())
        return bad("ignore_paths entries must be non-empty strings");
      paths.emplace_back(p.as_string());
    }
    st.serialization.ignore_paths = std::move(paths);
  } else {
    st.notes.push_back("no serialization.ignore_paths (model_signing before 1.0)");
  }
  const auto* res = pred->as_object().if_contains("resources");
  if (res == nullptr || !res->is_array()) return bad("predicate.resources is missing");
  std::set<std::string> names;
  for (const auto& r : res->as_array()) {
    if (!r.is_object()) return bad("a resource is not an object");
    const auto& ro = r.as_object();
    const auto* n = ro.if_contains("name");
    const auto* d = ro.if_contains("digest");
    const auto* a = ro.if_contains("algorithm");
    if (n == nullptr || !n->is_string() || n->as_string().empty())
      return bad("a resource lacks a name");
    std::string written(n->as_string());
    if (d == nullptr || !d->is_string() || !IsHex(d->as_string())) {
      return bad("resource '" + written + "' digest is not lowercase hex");
    }
    if (a == nullptr || !a->is_string() || !KnownAlgorithm(a->as_string())) {
      return bad("resource '" + written + "' has an unknown algorithm");
    }
    if (d->as_string().size() != HexDigits(a->as_string())) {
      return bad("resource '" + written + "' digest has " + std::to_string(d->as_string().size()) +
                 " hex digits; " + BaseAlgorithm(a->as_string()) + " has " +
                 std::to_string(HexDigits(a->as_string())));
    }
    std::string name;
    if (shards) {
      std::string path;
      std::uint64_t start = 0, end = 0;
      if (!ParseShardName(written, &path, &start, &end)) {
        return bad("shard resource '" + written + "' is not path:start:end");
      }
      RAMPART_ASSIGN_OR_RETURN(path, CanonicalName(path, "resource"));
      name = path + ":" + std::to_string(start) + ":" + std::to_string(end);
    } else {
      RAMPART_ASSIGN_OR_RETURN(name, CanonicalName(written, "resource"));
    }
    if (name != written) st.notes.push_back("resource '" + written + "' read as '" + name + "'");
    if (!names.insert(name).second) return bad("resource '" + name + "' is listed twice");
    st.resources.push_back({name, std::string(d->as_string()), std::string(a->as_string())});
  }
  // model_signing signs a model without files (or with only empty files,
  // which have no shards) as an empty list; its root digest is SHA-256("").
  if (st.resources.empty()) st.notes.push_back("the bundle lists no resources");
  std::vector<std::string> digests;
  for (const auto& r : st.resources) digests.push_back(r.digest);
  RAMPART_ASSIGN_OR_RETURN(std::string root, RootDigest(digests));
  if (st.root_digest.empty()) return bad("subject[0].digest has no sha256 root digest");
  if (root != st.root_digest) {
    return bad("the root digest " + st.root_digest + " does not match the resources (" + root +
               ")");
  }
  return st;
}

// model_signing 0.2.x (`https://model_signing/Digests/v0.1`): every file is
// a subject {name, digest: {sha256}, annotations: {actual_hash_algorithm}};
// the predicate is a placeholder. model_signing 1.x still verifies it as the
// files method with SHA-256, symlinks refused, no recorded ignore_paths.
Result<Statement> ParseDigestsV01(const json::object& o, Statement st) {
  const auto& bad = BadStatement;
  const auto* pred = o.if_contains("predicate");
  if (pred == nullptr || !pred->is_object()) return bad("predicate is missing");
  const auto* subj = o.if_contains("subject");
  if (subj == nullptr || !subj->is_array() || subj->as_array().empty()) {
    return bad("subject must list the signed files");
  }
  std::set<std::string> names;
  for (const auto& s : subj->as_array()) {
    if (!s.is_object()) return bad("a subject is not an object");
    const auto& so = s.as_object();
    for (const auto& kv : so) {
      if (kv.key() != "name" && kv.key() != "digest" && kv.key() != "annotations") {
        return bad("unexpected subject field '" + std::string(kv.key()) + "'");
      }
    }
    const auto* n = so.if_contains("name");
    if (n == nullptr || !n->is_string() || n->as_string().empty())
      return bad("a subject lacks a name");
    std::string written(n->as_string());
    const auto* d = so.if_contains("digest");
    const auto* sha =
        d != nullptr && d->is_object() ? d->as_object().if_contains("sha256") : nullptr;
    if (sha == nullptr || !sha->is_string() || !IsHex(sha->as_string()) ||
        sha->as_string().size() != 64) {
      return bad("subject '" + written + "' needs digest.sha256 as 64 lowercase hex digits");
    }
    if (const auto* an = so.if_contains("annotations")) {
      if (!an->is_object()) return bad("subject '" + written + "' annotations is not an object");
      if (const auto* alg = an->as_object().if_contains("actual_hash_algorithm")) {
        if (!alg->is_string() ||
            (alg->as_string() != "file-sha256" && alg->as_string() != "sha256")) {
          return bad("subject '" + written +
                     "' was hashed with an algorithm other than file-sha256; model_signing "
                     "verifies Digests/v0.1 statements with SHA-256 only");
        }
      }
    }
    RAMPART_ASSIGN_OR_RETURN(std::string name, CanonicalName(written, "subject"));
    if (name != written) st.notes.push_back("subject '" + written + "' read as '" + name + "'");
    if (!names.insert(name).second) return bad("subject '" + name + "' is listed twice");
    st.resources.push_back({name, std::string(sha->as_string()), "sha256"});
  }
  st.serialization = Serialization{};  // files, sha256, no symlinks, no ignore_paths
  std::vector<std::string> digests;
  for (const auto& r : st.resources) digests.push_back(r.digest);
  RAMPART_ASSIGN_OR_RETURN(st.root_digest, RootDigest(digests));
  st.notes.push_back(std::string("model_signing 0.2 statement (") +
                     std::string(kDigestsV01PredicateType) +
                     "): one subject per file, read as the files method with SHA-256; it signs "
                     "no root digest (the one shown is computed over the listed files)");
  return st;
}

}  // namespace

Result<Statement> ParseStatement(std::string_view payload) {
  const auto& bad = BadStatement;
  auto doc = ParseJson(payload, JsonLimits{.max_bytes = 256u << 20, .max_depth = 16}, "statement");
  if (!doc) return bad("not JSON: " + doc.error().message());
  if (!doc->is_object()) return bad("not an object");
  const auto& o = doc->as_object();
  for (const auto& kv : o) {
    if (kv.key() != "_type" && kv.key() != "subject" && kv.key() != "predicateType" &&
        kv.key() != "predicate") {
      return bad("unexpected field '" + std::string(kv.key()) + "'");
    }
  }
  const auto* type = o.if_contains("_type");
  if (type == nullptr || !type->is_string() || type->as_string() != kStatementType) {
    return bad("_type must be " + std::string(kStatementType));
  }
  const auto* pt = o.if_contains("predicateType");
  if (pt == nullptr || !pt->is_string()) return bad("predicateType is missing");
  Statement st;
  st.predicate_type = std::string(pt->as_string());
  if (st.predicate_type == kOmsPredicateType) return ParseSignatureV1(o, std::move(st));
  if (st.predicate_type == kDigestsV01PredicateType) return ParseDigestsV01(o, std::move(st));
  std::string why;
  if (st.predicate_type.starts_with("https://model_signing/")) {
    // DigestOfDigests, DigestOfShardDigests, ShardDigests: model_signing 0.2
    // library payloads its CLI never wrote and model_signing 1.x refuses.
    why =
        " (an experimental model_signing 0.2 payload that model_signing itself no longer "
        "verifies; re-sign the model)";
  }
  return bad("predicateType is '" + st.predicate_type + "', not " + std::string(kOmsPredicateType) +
             " or " + std::string(kDigestsV01PredicateType) + why);
}

Result<std::string> SignModel(const fs::path& model, const Signer& signer,
                              const SignOptions& options, Statement* statement_out) {
  if (!signer.chain.empty()) {
    RAMPART_ASSIGN_OR_RETURN(auto leaf_key, OmsPublicKey::FromCertificate(signer.chain[0]));
    RAMPART_ASSIGN_OR_RETURN(auto a, leaf_key.Der());
    RAMPART_ASSIGN_OR_RETURN(auto b, signer.key.public_key().Der());
    if (a != b)
      return InvalidArgumentError("the signing certificate does not match the private key");
  }
  HashOptions ho = options.hash;
  for (const auto& d : DefaultIgnorePaths()) {
    if (std::find(ho.ignore_paths.begin(), ho.ignore_paths.end(), d) == ho.ignore_paths.end()) {
      ho.ignore_paths.push_back(d);
    }
  }
  RAMPART_ASSIGN_OR_RETURN(auto resources, HashModel(model, ho));
  std::string alg(DigestAlgorithmName(ho.algorithm));
  json::array res;
  std::vector<std::string> digests;
  for (const auto& r : resources) {
    res.push_back(json::object{{"name", r.name}, {"digest", r.digest}, {"algorithm", alg}});
    digests.push_back(r.digest);
  }
  RAMPART_ASSIGN_OR_RETURN(std::string root, RootDigest(digests));
  json::object ser;
  ser["method"] = ho.shard_size ? "shards" : "files";
  ser["hash_type"] = alg;
  if (ho.shard_size) ser["shard_size"] = *ho.shard_size;
  ser["allow_symlinks"] = ho.allow_symlinks;
  json::array ignore;
  std::vector<std::string> sorted = ho.ignore_paths;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& p : sorted) ignore.push_back(json::value(p));
  ser["ignore_paths"] = std::move(ignore);
  std::string name = options.model_name;
  if (name.empty()) {
    std::error_code ec;
    name = fs::weakly_canonical(fs::absolute(model), ec).filename().string();
    if (name.empty()) name = "model";
  }
  json::object statement;
  statement["_type"] = kStatementType;
  statement["subject"] =
      json::array{json::object{{"name", name}, {"digest", json::object{{"sha256", root}}}}};
  statement["predicateType"] = kOmsPredicateType;
  statement["predicate"] =
      json::object{{"resources", std::move(res)}, {"serialization", std::move(ser)}};
  std::string payload = ToJson(statement);
  RAMPART_ASSIGN_OR_RETURN(auto sig, signer.key.Sign(Pae(kInTotoPayloadType, payload)));
  json::object vm;
  if (signer.chain.empty()) {
    RAMPART_ASSIGN_OR_RETURN(std::string hint, signer.key.public_key().Hint());
    vm["publicKey"] = json::object{{"hint", hint}};
  } else {
    json::array certs;
    for (const auto& c : signer.chain) {
      RAMPART_ASSIGN_OR_RETURN(auto der, c.ToDer());
      certs.push_back(json::object{{"rawBytes", Base64Encode(der)}});
    }
    vm["x509CertificateChain"] = json::object{{"certificates", std::move(certs)}};
  }
  vm["tlogEntries"] = json::array{};
  json::object bundle;
  bundle["mediaType"] = kBundleMediaType;
  bundle["verificationMaterial"] = std::move(vm);
  bundle["dsseEnvelope"] = json::object{
      {"payload", Base64Encode(payload)},
      {"payloadType", kInTotoPayloadType},
      {"signatures", json::array{json::object{{"sig", Base64Encode(sig)}, {"keyid", ""}}}}};
  if (statement_out != nullptr) {
    RAMPART_ASSIGN_OR_RETURN(*statement_out, ParseStatement(payload));
  }
  return ToPrettyJson(bundle) + "\n";
}

Result<Statement> VerifyBundleSignature(const ParsedBundle& b, const Trust& trust,
                                        std::vector<std::string>* notes) {
  std::optional<OmsPublicKey> key;
  if (notes && b.media_version != "0.3" && b.method != SigningMethod::kSigstore) {
    notes->push_back("Sigstore bundle media type v" + b.media_version +
                     " (model_signing writes v0.3; the media type is not signed)");
  }
  switch (b.method) {
    case SigningMethod::kSigstore:
      return UnauthenticatedError(
          "this bundle uses Sigstore keyless signing (a Fulcio certificate and Rekor entries), "
          "which Rampart does not verify; use the key or certificate method");
    case SigningMethod::kKey: {
      if (!trust.key)
        return InvalidArgumentError("this bundle was signed with a key: pass --key PUBLIC.pem");
      if (!b.key_hint.empty()) {
        RAMPART_ASSIGN_OR_RETURN(std::string hint, trust.key->Hint());
        if (hint != b.key_hint) {
          return UnauthenticatedError("the public key does not match the bundle's key hint " +
                                      b.key_hint);
        }
      } else {
        // model_signing before 1.0 put the key itself (PEM, or DER) in the
        // bundle instead of a hint; it must be the key the user trusts.
        auto named =
            b.key_raw.starts_with("-----BEGIN")
                ? OmsPublicKey::FromPem(b.key_raw)
                : OmsPublicKey::FromDer(crypto::ByteView(
                      reinterpret_cast<const std::uint8_t*>(b.key_raw.data()), b.key_raw.size()));
        if (!named) {
          return InvalidArgumentError(
              "invalid OMS bundle: publicKey.rawBytes is not a usable "
              "public key: " +
              named.error().message());
        }
        RAMPART_ASSIGN_OR_RETURN(auto want, trust.key->Der());
        RAMPART_ASSIGN_OR_RETURN(auto have, named->Der());
        if (want != have) {
          return UnauthenticatedError(
              "the public key does not match the key in the bundle (publicKey.rawBytes)");
        }
        if (notes) notes->push_back("older bundle: publicKey.rawBytes instead of a hint");
      }
      key = *trust.key;
      break;
    }
    case SigningMethod::kCertificate: {
      if (trust.anchors.empty()) {
        return InvalidArgumentError(
            "this bundle was signed with a certificate: pass --cert-chain with the CA certificates "
            "you trust");
      }
      std::vector<crypto::Certificate> certs;
      for (const auto& der : b.certificates) {
        auto c = crypto::Certificate::FromDer(der);
        if (!c)
          return InvalidArgumentError("invalid OMS bundle: a certificate does not parse: " +
                                      c.error().message());
        certs.push_back(std::move(*c));
      }
      std::vector<crypto::Certificate> rest(certs.begin() + 1, certs.end());
      RAMPART_RETURN_IF_ERROR(VerifyChain(certs[0], rest, trust.anchors, trust.now));
      RAMPART_ASSIGN_OR_RETURN(auto k, OmsPublicKey::FromCertificate(certs[0]));
      key = std::move(k);
      break;
    }
  }
  // The DSSE v1 PAE with the curve's hash; then what model_signing 0.2
  // signed: its PAE (PaeCompat) with, first, the curve's hash (what the
  // reference's key verifier tries) and then SHA-256 (what 0.2 really used,
  // and what the reference's certificate verifier tries).
  struct Encoding {
    std::string pae;
    OmsDigest digest;
    std::string label;
    const char* note;
  };
  std::vector<Encoding> tries;
  tries.push_back({Pae(b.payload_type, b.payload), OmsDigest::kForCurve,
                   "the DSSE v1 PAE with " + std::string(key->DigestName()), nullptr});
  std::string compat = PaeCompat(b.payload_type, b.payload);
  tries.push_back({compat, OmsDigest::kForCurve,
                   "model_signing 0.2's PAE with " + std::string(key->DigestName()),
                   "signature over model_signing 0.2's PAE encoding (DSSEV1 and the payload as "
                   "a Python bytes literal)"});
  if (key->DigestName(OmsDigest::kSha256) != key->DigestName()) {
    tries.push_back({std::move(compat), OmsDigest::kSha256, "model_signing 0.2's PAE with SHA-256",
                     "signature over model_signing 0.2's PAE encoding with SHA-256 (0.2 hashed "
                     "with SHA-256 whatever the curve)"});
  }
  for (const auto& sig : b.signatures) {
    for (const auto& t : tries) {
      if (key->Verify(t.pae, sig, t.digest).ok()) {
        if (notes && t.note) notes->push_back(t.note);
        return ParseStatement(b.payload);
      }
    }
  }
  std::string tried;
  for (std::size_t i = 0; i < tries.size(); ++i) {
    tried += (i == 0 ? "" : i + 1 == tries.size() ? " and " : ", ") + tries[i].label;
  }
  return UnauthenticatedError(
      std::string("the DSSE signature does not verify with the ") +
      (b.method == SigningMethod::kKey ? "trusted key" : "signing certificate's key") + " (tried " +
      tried + "): the payload or signature was altered, or another key signed it");
}

Result<VerifyReport> VerifyModel(const fs::path& model, std::string_view bundle_json,
                                 const Trust& trust, const VerifyOptions& options) {
  RAMPART_ASSIGN_OR_RETURN(ParsedBundle b, ParseBundle(bundle_json));
  VerifyReport rep;
  rep.method = b.method;
  RAMPART_ASSIGN_OR_RETURN(rep.statement, VerifyBundleSignature(b, trust, &rep.notes));
  const Statement& st = rep.statement;
  rep.notes.insert(rep.notes.end(), st.notes.begin(), st.notes.end());
  const Serialization& ser = st.serialization;
  std::string base = BaseAlgorithm(ser.hash_type);
  if (base != ser.hash_type)
    rep.notes.push_back("hash_type '" + ser.hash_type + "' read as " + base);
  auto alg = ParseDigestAlgorithm(base);
  if (!alg) return InvalidArgumentError("cannot verify: " + alg.error().message());
  HashOptions ho;
  ho.algorithm = *alg;
  ho.allow_symlinks = ser.allow_symlinks;
  ho.threads = options.threads;
  ho.ignore_paths = DefaultIgnorePaths();
  if (ser.ignore_paths)
    ho.ignore_paths.insert(ho.ignore_paths.end(), ser.ignore_paths->begin(),
                           ser.ignore_paths->end());
  std::error_code ec;
  bool is_dir = fs::is_directory(model, ec);
  auto relativize = [&](const std::string& p) -> std::optional<std::string> {
    fs::path pp(p);
    if (pp.is_relative() && !fs::exists(pp, ec)) return p;
    auto a = fs::weakly_canonical(pp, ec);
    auto root = fs::weakly_canonical(model, ec);
    auto rel = a.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") return std::nullopt;
    return rel.generic_string();
  };
  for (const auto& p : options.extra_ignore_paths) {
    if (auto r = relativize(p)) ho.ignore_paths.push_back(*r);
  }
  if (options.signature_path && is_dir) {
    if (auto r = relativize(options.signature_path->string())) ho.ignore_paths.push_back(*r);
  }
  RAMPART_ASSIGN_OR_RETURN(auto files, EnumerateModel(model, ho));
  std::map<std::string, const ModelFile*> local;
  for (const auto& f : files) local[f.name] = &f;
  std::string single = is_dir ? "" : model.filename().string();
  auto resolve = [&](std::string name) {
    // The reference implementation names a single-file model ".".
    if (!is_dir && name == ".") {
      rep.notes.push_back("resource \".\" read as the single file " + single);
      return single;
    }
    return name;
  };
  std::vector<HashJob> jobs;
  std::vector<const Resource*> job_res;
  std::set<std::string> signed_files;
  if (ser.method == "files") {
    for (const auto& r : st.resources) {
      std::string n = resolve(r.name);
      signed_files.insert(n);
      auto it = local.find(n);
      if (it == local.end()) {
        rep.missing.push_back(n);
        continue;
      }
      jobs.push_back({it->second->path, 0, it->second->size});
      job_res.push_back(&r);
    }
  } else {
    std::uint64_t shard = *ser.shard_size;
    std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> ranges;
    for (const auto& r : st.resources) {
      std::string path;
      std::uint64_t s = 0, e = 0;
      if (!ParseShardName(r.name, &path, &s, &e)) {
        return InvalidArgumentError("invalid OMS statement: shard resource '" + r.name +
                                    "' is not path:start:end");
      }
      path = resolve(path);
      signed_files.insert(path);
      auto it = local.find(path);
      if (it == local.end()) {
        if (std::find(rep.missing.begin(), rep.missing.end(), path) == rep.missing.end())
          rep.missing.push_back(path);
        continue;
      }
      ranges[path].push_back({s, e});
      if (e > it->second->size || e - s > shard) continue;  // reported as a size change below
      jobs.push_back({it->second->path, s, e});
      job_res.push_back(&r);
    }
    for (auto& [path, rs] : ranges) {
      std::uint64_t size = local[path]->size;
      std::vector<std::pair<std::uint64_t, std::uint64_t>> want;
      for (std::uint64_t s = 0; s < size; s += shard)
        want.push_back({s, std::min(size, s + shard)});
      std::sort(rs.begin(), rs.end());
      // An empty file may be listed as path:0:0 (reference) or omitted (spec).
      if (size == 0 && rs.size() == 1 &&
          rs[0] == std::make_pair<std::uint64_t, std::uint64_t>(0, 0))
        continue;
      if (rs != want) {
        rep.changed.push_back({path, "shards of the signed size", "size " + std::to_string(size)});
      }
    }
  }
  RAMPART_ASSIGN_OR_RETURN(auto digests, HashRanges(jobs, ho.algorithm, ho.threads));
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    rep.checked++;
    if (digests[i] != job_res[i]->digest) {
      std::string n = resolve(job_res[i]->name);
      rep.changed.push_back({n, job_res[i]->digest, digests[i]});
    }
  }
  if (!options.ignore_unsigned_files) {
    for (const auto& f : files) {
      if (signed_files.contains(f.name)) continue;
      // Empty files have no shards.
      if (ser.method == "shards" && f.size == 0) continue;
      rep.extra.push_back(f.name);
    }
  }
  return rep;
}

}  // namespace rampart::artifacts
