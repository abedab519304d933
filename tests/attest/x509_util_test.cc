// The chain check with CRLs: a certificate its issuer revoked is refused, a
// chain without its issuer's CRL is refused, an unrevoked one passes.
// Certificates and CRLs are made by the openssl CLI at test time.
#include "attest/x509_util.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "testing/testing.h"

namespace rampart::attest {
namespace {

class X509UtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = tmp_.path().string();
    std::string script = R"(set -e
cd ")" + dir + R"("
cat > ca.cnf <<'X'
[ca]
default_ca = ca
[ca]
dir = .
database = index.txt
new_certs_dir = .
certificate = root.pem
private_key = root.key
default_md = sha256
default_crl_days = 30
policy = p
serial = serial
[p]
commonName = supplied
[v3_ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:false
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
X
touch index.txt; echo 01 > serial
openssl ecparam -name prime256v1 -genkey -noout -out root.key
openssl req -new -x509 -key root.key -subj /CN=Test-Root -days 3650 -out root.pem -config ca.cnf -extensions v3_ca
for n in good bad; do
  openssl ecparam -name prime256v1 -genkey -noout -out $n.key
  openssl req -new -key $n.key -subj /CN=$n -out $n.csr -config ca.cnf
  openssl ca -batch -config ca.cnf -extensions leaf -days 365 -in $n.csr -out $n.pem -notext 2>/dev/null
done
openssl ca -config ca.cnf -revoke bad.pem 2>/dev/null
openssl ca -config ca.cnf -gencrl -out root.crl 2>/dev/null
)";
    auto r = testing::Run({"/bin/sh", "-c", script});
    RAMPART_NEEDS(r.exit_code == 0, "the openssl CLI (" + r.err + ")");
  }
  crypto::Certificate Cert(const char* name) {
    auto c = crypto::Certificate::FromPem(*ReadFile(tmp_.path() / name));
    EXPECT_TRUE(c.has_value());
    return *c;
  }
  testing::TempDir tmp_;
};

TEST_F(X509UtilTest, RevokedCertificateIsRefused) {
  auto root = Cert("root.pem");
  auto crl = Crl::Parse(crypto::AsBytes(*ReadFile(tmp_.path() / "root.crl")));
  ASSERT_TRUE(crl.has_value()) << crl.error().message();
  auto now = std::chrono::system_clock::now();
  EXPECT_TRUE(VerifyChain(Cert("good.pem"), {}, {root}, {*crl}, now, "chain").ok());
  Status st = VerifyChain(Cert("bad.pem"), {}, {root}, {*crl}, now, "PCK chain");
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(), "PCK chain: certificate revoked (certificate 0 of the chain)");
  // Without CRLs the revocation is not known: callers that need it pass them.
  EXPECT_TRUE(VerifyChain(Cert("bad.pem"), {}, {root}, {}, now, "chain").ok());
  // A CRL that has expired (its nextUpdate is 30 days away).
  st = VerifyChain(Cert("good.pem"), {}, {root}, {*crl}, now + std::chrono::days(60), "chain");
  EXPECT_NE(st.message().find("CRL has expired"), std::string::npos) << st.message();
  EXPECT_TRUE(IsSelfSigned(root));
  EXPECT_FALSE(IsSelfSigned(Cert("good.pem")));
  EXPECT_TRUE(IssuedBy(Cert("good.pem"), root));
  EXPECT_FALSE(IssuedBy(root, Cert("good.pem")));
}

TEST(CrlTest, GarbageIsRefused) {
  std::string junk = "not a CRL";
  EXPECT_FALSE(Crl::Parse(crypto::AsBytes(junk)).has_value());
  std::string pem = "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
  EXPECT_FALSE(Crl::Parse(crypto::AsBytes(pem)).has_value());
}

TEST(DerIntegerTest, SmallNonNegativeOnly) {
  EXPECT_EQ(DerSmallInteger(std::vector<std::uint8_t>{0x02, 0x01, 0x05}).value(), 5u);
  EXPECT_EQ(DerSmallInteger(std::vector<std::uint8_t>{0x02, 0x02, 0x00, 0xc1}).value(), 193u);
  EXPECT_FALSE(DerSmallInteger(std::vector<std::uint8_t>{0x02, 0x01, 0xc1}).has_value());
  EXPECT_FALSE(DerSmallInteger(std::vector<std::uint8_t>{0x04, 0x01, 0x05}).has_value());
  EXPECT_FALSE(DerSmallInteger(std::vector<std::uint8_t>{0x02, 0x05, 0x05}).has_value());
}

}  // namespace
}  // namespace rampart::attest
