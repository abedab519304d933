#include "core/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace rampart {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart-file-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FileTest, WriteAtomicThenRead) {
  auto p = dir_ / "out.txt";
  ASSERT_TRUE(WriteFileAtomic(p, "first").ok());
  ASSERT_TRUE(WriteFileAtomic(p, "second", 0600).ok());
  EXPECT_EQ(*ReadFile(p), "second");
  // No temporary files are left behind.
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_)) {
    (void)e;
    ++n;
  }
  EXPECT_EQ(n, 1);
}

TEST_F(FileTest, ReadErrorsNameThePath) {
  auto missing = ReadFile(dir_ / "nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.error().message().find("nope"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_).error().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(WriteFileAtomic(dir_ / "big", std::string(100, 'x')).ok());
  EXPECT_FALSE(ReadFile(dir_ / "big", 99).has_value());
  EXPECT_TRUE(ReadFile(dir_ / "big", 100).has_value());
}

TEST_F(FileTest, WriteIntoMissingDirectoryFailsCleanly) {
  EXPECT_FALSE(WriteFileAtomic(dir_ / "no" / "such" / "file", "x").ok());
}

}  // namespace
}  // namespace rampart
