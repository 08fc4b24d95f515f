// Engine: loading states, priorities, deadlines, quotas, routing under concurrent load and
// shutdown, on a tiny YOLO-shaped model (microseconds per forward) so the suite stays fast.
#include "infer/engine.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "infer/test_models.h"
#include "support/test_support.h"

namespace pw::infer {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

cv::Mat Grey(int level, cv::Size size = {128, 96}) { return cv::Mat(size, CV_8UC3, cv::Scalar::all(level)); }

InferRequest Request(int level, Priority priority = Priority::kInteractive) {
  InferRequest r;
  r.frame = Grey(level);
  r.priority = priority;
  return r;
}

class InferEngineTest : public ::testing::Test {
 protected:
  EngineOptions Options(int workers = 1) {
    test::SaveModel(test::MakeTinyDetectModel(64), dir_ / "tiny.onnx");
    EngineOptions o;
    o.model_path = dir_ / "tiny.onnx";
    o.cache_dir = dir_ / "models";
    o.workers = workers;
    o.postprocess.conf_threshold = 0.01f;  // the tiny model scores a grey level L as L/255
    return o;
  }
  std::unique_ptr<Engine> ReadyEngine(EngineOptions o) {
    auto e = std::make_unique<Engine>(std::move(o));
    e->Preload();
    EXPECT_EQ(e->WaitUntilSettled(30s), EngineState::kReady) << e->Snapshot().reason;
    return e;
  }

  // Occupies the single worker: the returned request's callback blocks until Release().
  void Block(Engine& engine) {
    std::promise<void> started;
    auto started_future = started.get_future();
    ASSERT_TRUE(engine.Submit(Request(50), [this, &started](InferResult r) {
      gate_status_ = r.status;
      started.set_value();
      release_.get_future().wait();
    }).ok());
    started_future.wait();
  }
  void Release() { release_.set_value(); }

  pw::test::TempDir dir_;
  std::promise<void> release_;
  core::Status gate_status_;
};

TEST_F(InferEngineTest, PreloadReturnsAtOnceAndServesFrameCoordinates) {
  Engine engine(Options());
  EXPECT_EQ(engine.Snapshot().state, EngineState::kNotLoaded);
  // Returns while the import is still running (loading happens on the engine's own thread).
  EXPECT_EQ(engine.Preload(), EngineState::kImporting);
  ASSERT_EQ(engine.WaitUntilSettled(30s), EngineState::kReady);

  InferResult r = engine.Submit(Request(204)).get();  // 128x96 frame → 64x48 content, pad_y 8
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.instances.size(), 1u);
  EXPECT_NEAR(r.instances[0].score, 204.f / 255, 1e-3);
  EXPECT_NEAR(r.instances[0].box.x, 48, 0.5);
  EXPECT_NEAR(r.instances[0].box.y, 32, 0.5);
  EXPECT_NEAR(r.instances[0].box.width, 32, 0.5);
  EXPECT_EQ(r.frame_size, cv::Size(128, 96));

  const EngineStatus s = engine.Snapshot();
  EXPECT_EQ(s.completed, 1u);
  ASSERT_TRUE(s.model.has_value());
  EXPECT_EQ(s.model->class_names, std::vector<std::string>{"pig"});
  EXPECT_EQ(s.latency.at("forward").samples, 1u);
  const auto j = s.ToJson();
  EXPECT_EQ(j["state"], "ready");
  EXPECT_EQ(j["queues"]["interactive"]["quota"], 16);
  EXPECT_TRUE(j["load_timings_ms"].contains("load_workers"));
  EXPECT_EQ(j["hash"].get<std::string>().size(), 64u);
}

TEST_F(InferEngineTest, FirstSubmitLoadsTheModelOnDemand) {
  Engine engine(Options());
  InferResult r = engine.Submit(Request(100)).get();
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(engine.Snapshot().state, EngineState::kReady);
}

TEST_F(InferEngineTest, MissingModelFailsWithReasonAndSubmitAnswersUnavailable) {
  EngineOptions o = Options();
  o.model_path = dir_ / "missing.onnx";
  Engine engine(o);
  InferResult queued = engine.Submit(Request(100)).get();  // queued while loading, then failed
  EXPECT_EQ(queued.status.code(), core::Code::kUnavailable);
  ASSERT_EQ(engine.WaitUntilSettled(30s), EngineState::kFailed);
  const EngineStatus s = engine.Snapshot();
  EXPECT_NE(s.reason.find("does not exist"), std::string::npos) << s.reason;
  auto st = engine.Submit(Request(100), [](InferResult) {});
  EXPECT_EQ(st.code(), core::Code::kUnavailable);
  EXPECT_EQ(st.message(), s.reason);
  EXPECT_EQ(s.ToJson()["state"], "failed");
}

TEST_F(InferEngineTest, BrokenModelFailsAndPreloadRetriesAfterTheFileIsFixed) {
  EngineOptions o = Options();
  pw::test::WriteFile(o.model_path, "this is not a model");
  Engine engine(o);
  engine.Preload();
  ASSERT_EQ(engine.WaitUntilSettled(30s), EngineState::kFailed);
  EXPECT_NE(engine.Snapshot().reason.find("ONNX"), std::string::npos);
  test::SaveModel(test::MakeTinyDetectModel(64), o.model_path);
  engine.Preload();
  EXPECT_EQ(engine.WaitUntilSettled(30s), EngineState::kReady);
}

TEST_F(InferEngineTest, InteractiveOvertakesQueuedLiveAndBackgroundWork) {
  auto engine = ReadyEngine(Options());
  Block(*engine);
  std::mutex mu;
  std::vector<Priority> order;
  auto record = [&](Priority p) {
    return [&, p](InferResult r) {
      EXPECT_TRUE(r.status.ok());
      std::lock_guard lock(mu);
      order.push_back(p);
    };
  };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine->Submit(Request(60, Priority::kBackground), record(Priority::kBackground)).ok());
  ASSERT_TRUE(engine->Submit(Request(60, Priority::kLive), record(Priority::kLive)).ok());
  ASSERT_TRUE(engine->Submit(Request(60, Priority::kInteractive), record(Priority::kInteractive)).ok());
  Release();
  for (auto t0 = Clock::now(); Clock::now() - t0 < 10s;) {
    std::this_thread::sleep_for(1ms);
    std::lock_guard lock(mu);
    if (order.size() == 5) break;
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(order[0], Priority::kInteractive);
  EXPECT_EQ(order[1], Priority::kLive);
}

TEST_F(InferEngineTest, InteractiveRequestCutsIntoABackgroundBatchBetweenFrames) {
  auto engine = ReadyEngine(Options());
  Block(*engine);
  std::mutex mu;
  std::vector<std::string> order;
  std::atomic<int> done{0};
  auto record = [&](std::string name) {
    std::lock_guard lock(mu);
    order.push_back(std::move(name));
    done++;
  };
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(engine->Submit(Request(60, Priority::kBackground), [&, i](InferResult r) {
      EXPECT_TRUE(r.status.ok());
      EXPECT_EQ(r.batch_size, i == 0 ? 4 : 3);  // taken as a batch of 4, the rest retaken
      if (i == 0) {  // arrives while the batch is being worked through
        EXPECT_TRUE(engine->Submit(Request(60), [&](InferResult) { record("interactive"); }).ok());
      }
      record("bg" + std::to_string(i));
    }).ok());
  }
  Release();
  for (auto t0 = Clock::now(); done < 5 && Clock::now() - t0 < 10s;) std::this_thread::sleep_for(1ms);
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<std::string>{"bg0", "interactive", "bg1", "bg2", "bg3"}));
}

// Strict priority starved background indexing under sustained live + interactive load; every
// queue with waiting work now gets a turn after `fair_share_after` frames of other priorities.
TEST_F(InferEngineTest, WaitingLowerQueuesGetAMinimumShareUnderSustainedInteractiveLoad) {
  EngineOptions o = Options();
  o.fair_share_after = 4;
  auto engine = ReadyEngine(o);
  Block(*engine);
  std::mutex mu;
  std::vector<std::string> order;
  std::atomic<int> done{0};
  auto submit = [&](Priority p, std::string name) {
    ASSERT_TRUE(engine->Submit(Request(60, p), [&, name](InferResult r) {
      EXPECT_TRUE(r.status.ok()) << r.status.ToString();
      std::lock_guard lock(mu);
      order.push_back(name);
      done++;
    }).ok());
  };
  for (int i = 0; i < 12; ++i) submit(Priority::kInteractive, "I" + std::to_string(i));
  for (int i = 0; i < 2; ++i) submit(Priority::kLive, "L" + std::to_string(i));
  for (int i = 0; i < 2; ++i) submit(Priority::kBackground, "B" + std::to_string(i));
  Release();
  for (auto t0 = Clock::now(); done < 16 && Clock::now() - t0 < 10s;) std::this_thread::sleep_for(1ms);
  std::lock_guard lock(mu);
  // Batches of 4 interactive frames; after 4 frames passed over, live then background get one
  // forward each (their batch yields after the first frame to the waiting interactive work).
  EXPECT_EQ(order, (std::vector<std::string>{"I0", "I1", "I2", "I3", "L0", "B0", "I4", "I5", "I6", "I7",
                                             "L1", "B1", "I8", "I9", "I10", "I11"}));
  const EngineStatus s = engine->Snapshot();
  EXPECT_EQ(s.fair_turns[0], 0u);
  EXPECT_EQ(s.fair_turns[1], 2u);
  EXPECT_EQ(s.fair_turns[2], 2u);
  EXPECT_EQ(s.ToJson()["queues"]["background"]["fair_turns"], 2);
}

TEST_F(InferEngineTest, StrictPriorityWhenTheMinimumShareIsOff) {
  EngineOptions o = Options();
  o.fair_share_after = 0;
  auto engine = ReadyEngine(o);
  Block(*engine);
  std::mutex mu;
  std::vector<Priority> order;
  std::atomic<int> done{0};
  auto submit = [&](Priority p) {
    ASSERT_TRUE(engine->Submit(Request(60, p), [&, p](InferResult) {
      std::lock_guard lock(mu);
      order.push_back(p);
      done++;
    }).ok());
  };
  for (int i = 0; i < 2; ++i) submit(Priority::kBackground);
  for (int i = 0; i < 8; ++i) submit(Priority::kInteractive);
  Release();
  for (auto t0 = Clock::now(); done < 10 && Clock::now() - t0 < 10s;) std::this_thread::sleep_for(1ms);
  std::lock_guard lock(mu);
  ASSERT_EQ(order.size(), 10u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(order[i], Priority::kInteractive) << i;
  EXPECT_EQ(engine->Snapshot().fair_turns[2], 0u);
}

TEST_F(InferEngineTest, FullQueueAnswersBusyAtOnceWithoutBlockingOtherPriorities) {
  EngineOptions o = Options();
  o.queue_quota = {2, 2, 2};
  auto engine = ReadyEngine(o);
  Block(*engine);
  std::atomic<int> answered{0};
  auto count = [&](InferResult) { answered++; };
  EXPECT_TRUE(engine->Submit(Request(60, Priority::kBackground), count).ok());
  EXPECT_TRUE(engine->Submit(Request(60, Priority::kBackground), count).ok());
  // The only worker is blocked: an answer here proves the full queue did not wait for it.
  auto busy = engine->Submit(Request(60, Priority::kBackground), count);
  EXPECT_EQ(busy.code(), core::Code::kBusy);
  EXPECT_NE(busy.message().find("background"), std::string::npos);
  EXPECT_TRUE(engine->Submit(Request(60, Priority::kInteractive), count).ok());
  const EngineStatus s = engine->Snapshot();
  EXPECT_EQ(s.rejected_busy, 1u);
  EXPECT_EQ(s.queue_depth[static_cast<int>(Priority::kBackground)], 2u);
  EXPECT_EQ(s.queue_depth[static_cast<int>(Priority::kInteractive)], 1u);
  Release();
  engine->Shutdown();
  EXPECT_EQ(answered.load(), 3);  // every accepted request answered exactly once
}

TEST_F(InferEngineTest, ExpiredRequestIsAnsweredTimedOutAndNeverRun) {
  auto engine = ReadyEngine(Options());
  auto past = Request(60);
  past.deadline = Clock::now() - 1ms;
  EXPECT_EQ(engine->Submit(std::move(past), [](InferResult) {}).code(), core::Code::kTimedOut);

  Block(*engine);
  auto soon = Request(60, Priority::kLive);
  soon.deadline = Clock::now() + 20ms;
  auto late = engine->Submit(std::move(soon));
  auto fine = engine->Submit(Request(70, Priority::kBackground));
  std::this_thread::sleep_for(60ms);
  Release();
  const InferResult r = late.get();
  EXPECT_EQ(r.status.code(), core::Code::kTimedOut);
  EXPECT_TRUE(r.instances.empty());
  EXPECT_GE(r.queue_ms, 20);
  EXPECT_TRUE(fine.get().status.ok());
  const EngineStatus s = engine->Snapshot();
  EXPECT_EQ(s.timed_out, 2u);
  EXPECT_EQ(s.completed, 2u);  // the blocking request and `fine`, never the late one
}

TEST_F(InferEngineTest, RoutesEachResultToItsRequesterUnderConcurrentLoad) {
  EngineOptions o = Options(2);
  o.queue_quota = {64, 64, 64};
  auto engine = ReadyEngine(o);
  constexpr int kThreads = 8, kPerThread = 20;
  std::atomic<int> wrong{0}, ok{0};
  std::vector<std::thread> submitters;
  for (int t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&, t] {
      std::vector<std::pair<int, std::future<InferResult>>> mine;
      for (int i = 0; i < kPerThread; ++i) {
        const int level = 20 + (t * kPerThread + i) % 200;
        const auto priority = static_cast<Priority>((t + i) % 3);
        InferRequest req = Request(level, priority);
        req.frame = Grey(level, {96, 96});  // square: no grey-114 padding cells to outscore it
        mine.emplace_back(level, engine->Submit(std::move(req)));
      }
      for (auto& [level, f] : mine) {
        InferResult r = f.get();
        if (!r.status.ok()) continue;
        ok++;
        if (r.instances.size() != 1 || std::abs(r.instances[0].score - level / 255.f) > 1e-3) wrong++;
      }
    });
  }
  for (auto& t : submitters) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  const EngineStatus s = engine->Snapshot();
  EXPECT_EQ(s.completed, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_GE(s.mean_batch, 1.0);
  EXPECT_LE(s.mean_batch, 4.0);
  EXPECT_GT(s.latency.at("total").p95_ms, 0);
}

TEST_F(InferEngineTest, ShutdownWithWorkInFlightCancelsQueuedAndFinishesTheRunningBatch) {
  auto engine = ReadyEngine(Options());
  Block(*engine);
  std::vector<std::future<InferResult>> queued;
  for (int i = 0; i < 5; ++i) queued.push_back(engine->Submit(Request(60, Priority::kBackground)));
  std::thread stopper([&] { engine->Shutdown(); });
  for (auto& f : queued) EXPECT_EQ(f.get().status.code(), core::Code::kCancelled);
  Release();
  stopper.join();
  EXPECT_TRUE(gate_status_.ok());
  EXPECT_EQ(engine->Submit(Request(60), [](InferResult) {}).code(), core::Code::kCancelled);
  EXPECT_EQ(engine->Snapshot().cancelled, 5u);
}

}  // namespace
}  // namespace pw::infer
