#include "core/base/file_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/base/json.h"
#include "harness/test_util.h"

namespace goose {
namespace {

using ::testing::HasSubstr;

TEST(FileIoTest, WriteFileThenReadFileGivesTheBytesBack) {
  testing::ScopedTempDir dir;
  const std::filesystem::path file = dir.path() / "a.bin";
  const std::string bytes("one\0two\n", 8);
  ASSERT_TRUE(WriteFile(file, bytes).ok());
  Result<std::string> read = ReadFile(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, bytes);
}

TEST(FileIoTest, WriteFileReplacesWhatWasThere) {
  testing::ScopedTempDir dir;
  const std::filesystem::path file = dir.path() / "a.txt";
  ASSERT_TRUE(WriteFile(file, "a longer first text").ok());
  ASSERT_TRUE(WriteFile(file, "short").ok());
  EXPECT_EQ(*ReadFile(file), "short");
  ASSERT_TRUE(WriteFile(file, "").ok());
  EXPECT_EQ(*ReadFile(file), "");
}

TEST(FileIoTest, WriteFileIntoAMissingFolderNamesThePath) {
  testing::ScopedTempDir dir;
  const std::filesystem::path file = dir.path() / "missing" / "a.txt";
  Status s = WriteFile(file, "x");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("cannot write " + file.string()));
  EXPECT_THAT(s.message(), HasSubstr("No such file or directory"));
}

TEST(FileIoTest, ReadFileOfAMissingFileIsNotFoundAndNamesThePath) {
  testing::ScopedTempDir dir;
  const std::filesystem::path file = dir.path() / "nothing";
  Result<std::string> read = ReadFile(file);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(read.status().message(), HasSubstr(file.string()));
}

TEST(FileIoTest, ReadFileOfAFolderIsAnIoError) {
  testing::ScopedTempDir dir;
  Result<std::string> read = ReadFile(dir.path());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kIoError);
}

TEST(FileIoTest, ReadJsonFileParsesAndNamesThePathInItsErrors) {
  testing::ScopedTempDir dir;
  const std::filesystem::path good = dir.path() / "good.json";
  const std::filesystem::path bad = dir.path() / "bad.json";
  ASSERT_TRUE(WriteFile(good, R"({"a": [1, 2]})").ok());
  ASSERT_TRUE(WriteFile(bad, "{").ok());
  Result<Json> json = ReadJsonFile(good);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ((*json)["a"][1], 2);
  Result<Json> broken = ReadJsonFile(bad);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(broken.status().message(), HasSubstr(bad.string()));
  EXPECT_EQ(ReadJsonFile(dir.path() / "none.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace goose
