// OpenAIProtocol's frame encoder writes text chunks from a template; the
// bytes must be exactly what dumping the chunk's JSON object gives.

#include <gtest/gtest.h>

#include <string>

#include "core/base/json.h"
#include "mock_provider/openai_protocol.h"

namespace goose::mock {
namespace {

// The JSON of one "data: <json>\n\n" frame, and the frame's JSON text.
std::pair<Json, std::string> FramePayload(const std::string& frame) {
  const std::string prefix = "data: ";
  EXPECT_EQ(frame.substr(0, prefix.size()), prefix) << frame;
  EXPECT_EQ(frame.substr(frame.size() - 2), "\n\n") << frame;
  std::string payload = frame.substr(prefix.size(), frame.size() - prefix.size() - 2);
  Result<Json> json = JsonParse(payload, "frame");
  EXPECT_TRUE(json.ok()) << payload;
  return {json.ok() ? *json : Json(), payload};
}

TEST(OpenAIEncoderTest, TextChunkFramesAreTheDumpOfTheChunkObject) {
  OpenAIProtocol protocol;
  WireRequest request;
  request.model = "model \"quoted\"";
  std::unique_ptr<FrameEncoder> encoder = protocol.NewEncoder(request, 7, TokenUsage{});
  const std::string texts[] = {"plain words",
                               "with \"quotes\" and \\ backslash",
                               "tab\tnewline\ncarriage\r",
                               "\xC3\xBCn\xC3\xAF c\xC3\xB6"
                               "de",
                               std::string("\x01 control \x1f and \x7f", 18),
                               "invalid \xFF utf-8",
                               ""};
  size_t message = 0;
  for (const std::string& text : texts) {
    for (bool first : {true, false}) {
      TurnEvent ev;
      ev.kind = TurnEvent::Kind::kChunk;
      ev.message_index = message;
      ev.first_in_message = first;
      ev.text = text;
      std::string frame;
      encoder->Chunk(ev, &frame);
      auto [json, payload] = FramePayload(frame);
      EXPECT_EQ(JsonDump(json), payload) << "not byte-identical to the JSON dump";
      Json delta = {{"content", JsonParse(JsonDump(Json(text)), "text").value()}};
      if (first) delta["role"] = "assistant";
      EXPECT_EQ(json["choices"][0]["delta"], delta) << payload;
      EXPECT_TRUE(json["choices"][0]["finish_reason"].is_null());
      EXPECT_EQ(json["id"], "chatcmpl-7-" + std::to_string(message));
      EXPECT_EQ(json["model"], request.model);
      EXPECT_EQ(json["object"], "chat.completion.chunk");
    }
    ++message;  // every message id gets its own template
  }
}

}  // namespace
}  // namespace goose::mock
