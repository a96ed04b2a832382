// PollSidecarStatus: silent sidecars are waited for side by side, never more than the bound at
// once, and every answer lands at its pod's index.
#include "operator/controller/sidecar_poll.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace tidemark::controller {
namespace {

using Clock = std::chrono::steady_clock;

// Every call takes `delay` (as a sidecar whose packets are dropped takes the whole deadline);
// an IP starting with "bad" gets an error, any other its own IP back.
class SlowSidecars : public SidecarClient {
 public:
  explicit SlowSidecars(std::chrono::milliseconds delay) : delay_(delay) {}
  Result<std::string> Status(const std::string& ip) override {
    const int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(delay_);
    --in_flight_;
    if (ip.rfind("bad", 0) == 0) return MakeError(ErrorCode::kIo, "no answer from " + ip);
    return ip;
  }
  Result<SidecarAnswer> RequestBackup(const std::string&) override {
    return MakeError(ErrorCode::kIo, "not used");
  }
  std::atomic<int> max_in_flight_{0};

 private:
  std::chrono::milliseconds delay_;
  std::atomic<int> in_flight_{0};
};

TEST(SidecarPoll, SilentSidecarsCostOneDeadlineTogetherNotOneEach) {
  SlowSidecars sidecars(std::chrono::milliseconds(300));
  const std::vector<std::string> ips = {"10.0.0.1", "bad-10.0.0.2", "10.0.0.3"};
  const auto start = Clock::now();
  auto answers = PollSidecarStatus(sidecars, ips, 8);
  const auto took = Clock::now() - start;
  // One after another would be 900 ms.
  EXPECT_LT(took, std::chrono::milliseconds(750));
  EXPECT_EQ(sidecars.max_in_flight_.load(), 3);
  ASSERT_EQ(answers.size(), 3u);
  ASSERT_TRUE(answers[0]);
  EXPECT_EQ(*answers[0], "10.0.0.1");
  ASSERT_FALSE(answers[1]);
  EXPECT_NE(answers[1].error().ToString().find("bad-10.0.0.2"), std::string::npos);
  ASSERT_TRUE(answers[2]);
  EXPECT_EQ(*answers[2], "10.0.0.3");
}

TEST(SidecarPoll, NeverMoreThanTheBoundAtOnce) {
  SlowSidecars sidecars(std::chrono::milliseconds(20));
  std::vector<std::string> ips;
  for (int i = 0; i < 12; ++i) ips.push_back("10.0.1." + std::to_string(i));
  auto answers = PollSidecarStatus(sidecars, ips, 3);
  EXPECT_LE(sidecars.max_in_flight_.load(), 3);
  ASSERT_EQ(answers.size(), ips.size());
  for (size_t i = 0; i < ips.size(); ++i) {
    ASSERT_TRUE(answers[i]) << i;
    EXPECT_EQ(*answers[i], ips[i]);
  }
  EXPECT_TRUE(PollSidecarStatus(sidecars, {}, 3).empty());
}

}  // namespace
}  // namespace tidemark::controller
