// Signed notes and checkpoints: interoperability with the Go reference
// implementation (golang.org/x/mod/sumdb/note test vectors) and an
// independent byte-level check of the C2SP rules.
#include "ledger/note.h"

#include <gtest/gtest.h>

#include "core/crypto.h"
#include "core/encoding.h"
#include "ledger/checkpoint.h"

namespace rampart::ledger {
namespace {

// Public test vectors of golang.org/x/mod/sumdb/note (note_test.go).
constexpr std::string_view kGoSigner =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kGoVerifier =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoSigned =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr std::string_view kGoEnochSig =
    "\xE2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

TEST(NoteTest, SignsExactlyLikeTheReferenceImplementation) {
  auto signer = NoteSigner::Parse(kGoSigner);
  ASSERT_TRUE(signer.has_value()) << signer.error().ToString();
  EXPECT_EQ(signer->key_id(), 0xc74f20a3u);
  EXPECT_EQ(signer->verifier().ToString(), kGoVerifier);
  EXPECT_EQ(signer->ToString(), kGoSigner);
  auto signed_note = SignNote(kGoText, *signer);
  ASSERT_TRUE(signed_note.has_value());
  EXPECT_EQ(*signed_note, kGoSigned);  // Ed25519 is deterministic: byte for byte
}

TEST(NoteTest, OpensReferenceNotesAndIgnoresUnknownKeys) {
  auto v = NoteVerifier::Parse(kGoVerifier);
  ASSERT_TRUE(v.has_value());
  auto n = OpenNote(std::string(kGoSigned) + std::string(kGoEnochSig), *v);
  ASSERT_TRUE(n.has_value()) << n.error().ToString();
  EXPECT_EQ(n->text, kGoText);
  EXPECT_EQ(n->signatures.size(), 2u);
  // Only the unknown key's signature: rejected.
  std::string only_enoch = std::string(kGoText) + "\n" + std::string(kGoEnochSig);
  EXPECT_FALSE(OpenNote(only_enoch, *v).has_value());
}

TEST(NoteTest, RejectsMalformedNotesAndBadSignatures) {
  auto v = NoteVerifier::Parse(kGoVerifier);
  ASSERT_TRUE(v.has_value());
  std::string good(kGoSigned);
  std::vector<std::string> bad = {
      std::string(kGoText),
      std::string(kGoText) + "\n",
      good.substr(0, good.size() - 1),  // no final newline
      "\x01" + good,                    // control character
      "\xff" + good,                    // not UTF-8
      good + "Unexpected line.\n",
      std::string(kGoText) + "\n-- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8p=\n",
  };
  for (const std::string& m : bad) EXPECT_FALSE(OpenNote(m, *v).has_value()) << m;
  // A flipped text byte breaks the signature.
  std::string flipped = good;
  flipped[3] ^= 0x20;
  auto r = OpenNote(flipped, *v);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kUnauthenticated);
  // Too many signatures.
  std::string many(kGoText);
  many += "\n";
  for (int i = 0; i < 101; ++i) many += good.substr(good.find("\xE2\x80\x94"));
  EXPECT_FALSE(OpenNote(many, *v).has_value());
}

TEST(NoteTest, KeyTextsRejectManglings) {
  EXPECT_FALSE(
      NoteVerifier::Parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .has_value());
  EXPECT_FALSE(
      NoteVerifier::Parse("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .has_value());
  EXPECT_FALSE(
      NoteVerifier::Parse("PeterNeumann+c74f20a3+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .has_value());
  EXPECT_FALSE(NoteVerifier::Parse("PeterNeumann+c74f20a3").has_value());
  EXPECT_FALSE(NoteSigner::Parse(
                   "PRIVATE+KEY+PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                   .has_value());
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(
      IsValidKeyName("a\xE2\x80\x83"
                     "b"));  // U+2003 EM SPACE
  EXPECT_TRUE(IsValidKeyName("acme.ai/ledger"));
}

// An independent reading of the checkpoint bytes against the C2SP rules,
// using only core crypto, not the ledger's note parser.
TEST(CheckpointTest, ByteForByteAgainstTheSpecRules) {
  auto signer = NoteSigner::Generate("acme.ai/ledger");
  ASSERT_TRUE(signer.has_value());
  Checkpoint cp;
  cp.origin = "acme.ai/ledger";
  cp.size = 20852163;
  for (std::size_t i = 0; i < cp.root.size(); ++i) cp.root[i] = static_cast<std::uint8_t>(i * 7);
  auto note = SignCheckpoint(cp, *signer);
  ASSERT_TRUE(note.has_value());

  const std::string root_b64 = Base64Encode(cp.root);
  const std::string body = "acme.ai/ledger\n20852163\n" + root_b64 + "\n";
  ASSERT_TRUE(note->starts_with(body + "\n"));
  std::string sig_line = note->substr(body.size() + 1);
  // "— " is E2 80 94 20; then the key name, a space, base64, newline; nothing else.
  ASSERT_EQ(sig_line.substr(0, 4), "\xE2\x80\x94\x20");
  ASSERT_EQ(sig_line.back(), '\n');
  std::string rest = sig_line.substr(4, sig_line.size() - 5);
  ASSERT_EQ(rest.substr(0, 15), "acme.ai/ledger ");
  auto raw = Base64Decode(rest.substr(15));
  ASSERT_TRUE(raw.has_value());
  ASSERT_EQ(raw->size(), 4u + 64u);

  // key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian.
  auto pub_b64 = signer->verifier().ToString();
  auto pub = Base64Decode(pub_b64.substr(pub_b64.find('+', pub_b64.find('+') + 1) + 1));
  ASSERT_TRUE(pub.has_value());
  ASSERT_EQ(pub->size(), 33u);
  ASSERT_EQ((*pub)[0], 0x01);
  std::string id_input = "acme.ai/ledger\n";
  id_input.push_back('\x01');
  id_input.append(reinterpret_cast<const char*>(pub->data() + 1), 32);
  auto digest = crypto::Sha256(id_input);
  EXPECT_TRUE(std::equal(digest.begin(), digest.begin() + 4, raw->begin()));

  // The signature covers exactly the body, final newline included.
  auto key = crypto::PublicKey::FromRawEd25519(crypto::ByteView(pub->data() + 1, 32));
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(key->Verify(crypto::AsBytes(body), crypto::ByteView(raw->data() + 4, 64),
                          crypto::SignatureFormat::kRaw)
                  .ok());

  auto opened = OpenCheckpoint(*note, signer->verifier());
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  EXPECT_EQ(opened->size, cp.size);
  EXPECT_EQ(opened->root, cp.root);
}

TEST(CheckpointTest, ParsesStrictly) {
  std::string root = Base64Encode(std::vector<std::uint8_t>(32, 1));
  EXPECT_TRUE(ParseCheckpointText("o\n0\n" + root + "\n").has_value());
  EXPECT_TRUE(ParseCheckpointText("o\n5\n" + root + "\next\n").has_value());
  EXPECT_FALSE(ParseCheckpointText("o\n05\n" + root + "\n").has_value());
  EXPECT_FALSE(ParseCheckpointText("o\n-5\n" + root + "\n").has_value());
  EXPECT_FALSE(ParseCheckpointText("o\n5\n" + root).has_value());
  EXPECT_FALSE(ParseCheckpointText("o\n5\nAAAA\n").has_value());
  EXPECT_FALSE(ParseCheckpointText("\n5\n" + root + "\n").has_value());
  EXPECT_FALSE(ParseCheckpointText("o\n5\n" + root + "\n\n").has_value());
  EXPECT_FALSE(ParseCheckpointText("o\n99999999999999999999999\n" + root + "\n").has_value());
}

TEST(CheckpointTest, WrongOriginOrKeyIsRejected) {
  auto a = NoteSigner::Generate("a.example/log");
  auto b = NoteSigner::Generate("a.example/log");
  ASSERT_TRUE(a && b);
  Checkpoint cp{"a.example/log", 1, {}, {}};
  auto note = SignCheckpoint(cp, *a);
  ASSERT_TRUE(note.has_value());
  EXPECT_TRUE(OpenCheckpoint(*note, a->verifier()).has_value());
  EXPECT_FALSE(OpenCheckpoint(*note, b->verifier()).has_value());
  Checkpoint other{"b.example/log", 1, {}, {}};
  auto note2 = SignCheckpoint(other, *a);
  EXPECT_FALSE(OpenCheckpoint(*note2, a->verifier()).has_value());
}

}  // namespace
}  // namespace rampart::ledger
