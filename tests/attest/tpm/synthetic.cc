#include "synthetic.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <stdexcept>

namespace rampart::attest::tpm::synthetic {

Bytes SignAttest(const crypto::PrivateKey& key, const Bytes& attest, bool pss) {
  Bytes o;
  if (key.type() == crypto::KeyType::kRsa) {
    Bytes sig;
    if (pss) {
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      EVP_PKEY_CTX* pctx = nullptr;
      EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, key.get());
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
      std::size_t n = 0;
      EVP_DigestSign(ctx, nullptr, &n, attest.data(), attest.size());
      sig.resize(n);
      EVP_DigestSign(ctx, sig.data(), &n, attest.data(), attest.size());
      sig.resize(n);
      EVP_MD_CTX_free(ctx);
    } else {
      auto s = key.Sign(attest, crypto::SignatureFormat::kDer, crypto::HashAlgorithm::kSha256);
      if (!s) throw std::runtime_error(s.error().ToString());
      sig = *s;
    }
    Be16(&o, pss ? kAlgRsapss : kAlgRsassa);
    Be16(&o, kAlgSha256);
    Tpm2b(&o, sig);
    return o;
  }
  auto s = key.Sign(attest, crypto::SignatureFormat::kRaw, crypto::HashAlgorithm::kSha256);
  if (!s) throw std::runtime_error(s.error().ToString());
  std::size_t half = s->size() / 2;
  Be16(&o, kAlgEcdsa);
  Be16(&o, kAlgSha256);
  Tpm2b(&o, Bytes(s->begin(), s->begin() + half));
  Tpm2b(&o, Bytes(s->begin() + half, s->end()));
  return o;
}

EventLogBuilder::EventLogBuilder(std::vector<std::uint16_t> algs) : algs_(std::move(algs)) {
  Bytes spec;
  Append(&spec, std::string_view("Spec ID Event03\0", 16));
  Le32(&spec, 0);  // platformClass
  spec.push_back(0);
  spec.push_back(2);
  spec.push_back(0);
  spec.push_back(2);  // uintnSize
  Le32(&spec, static_cast<std::uint32_t>(algs_.size()));
  for (auto a : algs_) {
    Le16(&spec, a);
    Le16(&spec, static_cast<std::uint16_t>(TpmDigestSize(a)));
  }
  spec.push_back(0);
  Le32(&out_, 0);
  Le32(&out_, kEvNoAction);
  out_.resize(out_.size() + 20, 0);
  Le32(&out_, static_cast<std::uint32_t>(spec.size()));
  Append(&out_, spec);
}

void EventLogBuilder::Add(std::uint32_t pcr, std::uint32_t type, const Bytes& data,
                          const Bytes* measured) {
  Le32(&out_, pcr);
  Le32(&out_, type);
  Le32(&out_, static_cast<std::uint32_t>(algs_.size()));
  for (auto a : algs_) {
    Le16(&out_, a);
    Bytes d = TpmDigest(a, measured ? *measured : data);
    Append(&out_, d);
    if (a == kAlgSha256 && type != kEvNoAction) extends_.emplace_back(pcr, d);
  }
  Le32(&out_, static_cast<std::uint32_t>(data.size()));
  Append(&out_, data);
}

void WriteBoot(const BootSpec& s, EventLogBuilder* b) {
  auto bytes = [](std::string_view v) { return Bytes(v.begin(), v.end()); };
  Bytes version = Utf16("RAMPART-FW 1.0");
  version.push_back(0);
  version.push_back(0);
  b->Add(0, kEvSCrtmVersion, version);
  Bytes blob(16, 0);  // UEFI_PLATFORM_FIRMWARE_BLOB: base, length
  Bytes fw = bytes(s.firmware_blob);
  b->Add(0, kEvEfiPlatformFirmwareBlob, blob, &fw);
  for (int i = 0; i < s.extra_events; ++i) b->Add(0, kEvPostCode, "POST code " + std::to_string(i));
  b->Add(7, kEvEfiVariableDriverConfig,
         EfiVariable("SecureBoot", {s.secure_boot ? std::uint8_t{1} : std::uint8_t{0}}));
  b->Add(7, kEvEfiVariableDriverConfig, EfiVariable("PK", bytes("platform key")));
  b->Add(7, kEvEfiVariableDriverConfig, EfiVariable("KEK", bytes("key exchange key")));
  b->Add(7, kEvEfiVariableDriverConfig, EfiVariable("db", bytes("allowed signatures")));
  b->Add(7, kEvEfiVariableDriverConfig, EfiVariable("dbx", bytes("forbidden signatures")));
  for (std::uint32_t pcr = 0; pcr <= 7; ++pcr) b->Add(pcr, kEvSeparator, Bytes(4, 0));
  Bytes load(32, 0);  // UEFI_IMAGE_LOAD_EVENT without a device path
  Bytes shim = bytes(s.shim), grub = bytes(s.grub);
  b->Add(4, kEvEfiBootServicesApplication, load, &shim);
  b->Add(4, kEvEfiBootServicesApplication, load, &grub);
  Bytes cmd = bytes("kernel_cmdline: " + s.cmdline);
  cmd.push_back(0);
  b->Add(8, kEvIpl, cmd);
  Bytes kpath = bytes(s.kernel_path), kernel = bytes(s.kernel);
  kpath.push_back(0);
  b->Add(9, kEvIpl, kpath, &kernel);
  Bytes ipath = bytes("/initrd.img-6.1.0-rampart"), initrd = bytes(s.initrd);
  ipath.push_back(0);
  b->Add(9, kEvIpl, ipath, &initrd);
}

ImaLine MakeImaLine(std::string_view path, std::string_view content) {
  auto h = crypto::Sha256(content);
  Bytes file(h.begin(), h.end());
  Bytes td;
  Le32(&td, 7 + 1 + 32);
  Append(&td, std::string_view("sha256:\0", 8));
  Append(&td, file);
  Le32(&td, static_cast<std::uint32_t>(path.size() + 1));
  Append(&td, path);
  td.push_back(0);
  ImaLine l;
  l.line = "10 " + HexEncode(TpmDigest(kAlgSha1, td)) + " ima-ng sha256:" + HexEncode(file) + " " +
           std::string(path) + "\n";
  l.sha256_extend = TpmDigest(kAlgSha256, td);
  return l;
}

}  // namespace rampart::attest::tpm::synthetic
