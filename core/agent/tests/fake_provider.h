// A provider for the agent's unit tests: each call answers with what a
// test function returns for the request. (The scripted mock in
// mock_provider/ is the full-featured one; these tests need only canned
// items and errors.)

#ifndef GOOSE_CORE_AGENT_TESTS_FAKE_PROVIDER_H_
#define GOOSE_CORE_AGENT_TESTS_FAKE_PROVIDER_H_

#include <atomic>
#include <functional>
#include <variant>
#include <vector>

#include "core/model/provider.h"

namespace goose::testing {

using FakeAnswer = std::variant<std::vector<StreamItem>, ProviderError>;

inline StreamItem TextItem(const std::string& id, const std::string& text) {
  StreamItem item;
  item.message_id = id;
  item.delta.role = Role::kAssistant;
  item.delta.content.emplace_back(TextContent{text});
  return item;
}

inline StreamItem ToolItem(const std::string& id, const std::string& call_id,
                           const std::string& name, Json args) {
  StreamItem item;
  item.message_id = id;
  item.delta.role = Role::kAssistant;
  item.delta.content.emplace_back(
      ToolRequestContent{call_id, ToolResult<ToolCall>::Success(ToolCall{name, std::move(args)})});
  return item;
}

class FakeProvider : public Provider {
 public:
  using Script = std::function<FakeAnswer(const ProviderRequest&)>;
  explicit FakeProvider(Script script) : script_(std::move(script)) {}

  std::string name() const override { return "fake"; }
  std::string model() const override { return "fake-model"; }

  std::unique_ptr<ReplyStream> Stream(const ProviderRequest& request) override {
    ++streams_;
    return std::make_unique<FakeStream>(script_(request));
  }

  Result<Completion, ProviderError> Complete(const ProviderRequest& request) override {
    ++completes_;
    FakeAnswer a = script_(request);
    if (auto* e = std::get_if<ProviderError>(&a)) return *e;
    MessageAssembler assembler;
    for (const StreamItem& i : std::get<std::vector<StreamItem>>(a)) assembler.Add(i);
    Completion c;
    c.message = assembler.messages().empty() ? Message::Assistant("") : assembler.messages()[0];
    return c;
  }

  int streams() const { return streams_.load(); }
  int completes() const { return completes_.load(); }

 private:
  class FakeStream : public ReplyStream {
   public:
    explicit FakeStream(FakeAnswer answer) : answer_(std::move(answer)) {}
    bool Next(StreamItem* item) override {
      if (cancelled_.load()) {
        error_ = ProviderError{ProviderErrorKind::kCancelled, "cancelled", 0, {}};
        return false;
      }
      if (auto* e = std::get_if<ProviderError>(&answer_)) {
        error_ = *e;
        return false;
      }
      auto& items = std::get<std::vector<StreamItem>>(answer_);
      if (next_ >= items.size()) return false;
      *item = items[next_++];
      return true;
    }
    const std::optional<ProviderError>& error() const override { return error_; }
    void Cancel() override { cancelled_.store(true); }

   private:
    FakeAnswer answer_;
    size_t next_ = 0;
    std::optional<ProviderError> error_;
    std::atomic<bool> cancelled_{false};
  };

  Script script_;
  std::atomic<int> streams_{0};
  std::atomic<int> completes_{0};
};

}  // namespace goose::testing

#endif  // GOOSE_CORE_AGENT_TESTS_FAKE_PROVIDER_H_
