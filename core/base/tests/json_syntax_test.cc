#include "core/base/json_syntax.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace goose {
namespace {

// Feeds `text` in pieces of `piece` bytes.
bool Accepts(std::string_view text, size_t piece, size_t max_depth = 128) {
  JsonSyntax syntax(max_depth);
  for (size_t at = 0; at < text.size(); at += piece) {
    if (!syntax.Feed(text.substr(at, piece))) return false;
  }
  return syntax.Finish();
}

// What nlohmann says, fed whole and byte by byte.
void ExpectAsNlohmann(std::string_view text) {
  const bool expected = nlohmann::json::accept(text);
  EXPECT_EQ(Accepts(text, text.size() + 1), expected) << text;
  EXPECT_EQ(Accepts(text, 1), expected) << text << " (byte by byte)";
}

TEST(JsonSyntaxTest, AcceptsWhatNlohmannAccepts) {
  for (const char* text :
       {"{}", "[]", " {\"a\" : [1, -2.5e+3, 0, -0, 1E9, true, false, null, \"x\"]} \n", "\"s\"",
        "0", "12", "-0.0e-0", "[[[[]]]]", "{\"a\":{\"b\":{}}}", "\"\\u00e9\\ud83d\\ude00\"",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"",
        "{\"role\":\"user\",\"created\":1,\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}"}) {
    ExpectAsNlohmann(text);
  }
}

TEST(JsonSyntaxTest, RefusesWhatNlohmannRefuses) {
  for (const char* text : {"",
                           " ",
                           "{",
                           "}",
                           "[1,]",
                           "{\"a\":1,}",
                           "{,}",
                           "[,1]",
                           "01",
                           "1.",
                           ".5",
                           "1e",
                           "+1",
                           "-",
                           "tru",
                           "nul",
                           "truex",
                           "{\"a\" 1}",
                           "{1:2}",
                           "[1 2]",
                           "\"open",
                           "\"\\x\"",
                           "\"\\u12G4\"",
                           "\"\\udc00\"",
                           "\"\\ud800\"",
                           "\"\\ud800x\"",
                           "\"\\ud800\\n\"",
                           "\"\x01\"",
                           "\"\xC0\xAF\"",
                           "\"\xED\xA0\x80\"",
                           "\"\xF4\x90\x80\x80\"",
                           "\"\xE2\x82\"",
                           "\"\x80\"",
                           "1e999",
                           "-1e400",
                           "{} {}",
                           "[] x",
                           "{\"a\":1}}",
                           "[1]]"}) {
    ExpectAsNlohmann(text);
    EXPECT_FALSE(Accepts(text, 3)) << text;
  }
}

TEST(JsonSyntaxTest, SaysWhyAndWhatTheTopValueIs) {
  JsonSyntax object;
  ASSERT_TRUE(object.Feed("{\"a\":[1]}"));
  EXPECT_TRUE(object.Finish());
  EXPECT_TRUE(object.top_is_object());

  JsonSyntax array;
  ASSERT_TRUE(array.Feed("[{}]"));
  EXPECT_TRUE(array.Finish());
  EXPECT_FALSE(array.top_is_object());

  JsonSyntax torn;
  ASSERT_TRUE(torn.Feed("{\"a\":\"b"));
  EXPECT_FALSE(torn.Finish());
  EXPECT_EQ(torn.error(), "the JSON text ends early");

  JsonSyntax bad;
  EXPECT_FALSE(bad.Feed("[1,]"));
  EXPECT_FALSE(bad.Feed("[]"));  // stays refused
  EXPECT_EQ(bad.error(), "not a JSON value");
}

TEST(JsonSyntaxTest, BoundsDepthNumbersAndRefusesAByteOrderMark) {
  const std::string deep = std::string(10, '[') + std::string(10, ']');
  EXPECT_TRUE(Accepts(deep, 4, 10));
  EXPECT_FALSE(Accepts(deep, 4, 9));
  EXPECT_FALSE(Accepts("\xEF\xBB\xBF{}", 1));
  EXPECT_FALSE(Accepts(std::string("0\0garbage", 9), 1));  // nlohmann stops at the NUL
  EXPECT_FALSE(Accepts("0." + std::string(JsonSyntax::kMaxNumberChars, '1'), 100));
  EXPECT_TRUE(Accepts("0." + std::string(JsonSyntax::kMaxNumberChars - 3, '1'), 100));
}

TEST(JsonSyntaxTest, KeepsNothingOfALargeString) {
  // A 16 MiB string is checked in pieces; the checker's own size does not
  // grow with it (nothing but its state is kept).
  JsonSyntax syntax;
  ASSERT_TRUE(syntax.Feed("{\"text\":\""));
  const std::string piece(64 * 1024, 'x');
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(syntax.Feed(piece));
  ASSERT_TRUE(syntax.Feed("\"}"));
  EXPECT_TRUE(syntax.Finish());
}

}  // namespace
}  // namespace goose
