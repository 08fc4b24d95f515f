// The background indexer on generated weighing videos with the real demo model, a real store and
// the real video library.
#include <gtest/gtest.h>

#include <thread>

#include "library/frame_counts.h"
#include "library/indexer.h"
#include "store/store.h"
#include "support/test_support.h"

namespace pw::library {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::TempDir;

// Renders a weighing video with the scene generator (once per seed for the whole suite).
fs::path Video(int seed) {
  static TempDir* dir = new TempDir();  // lives for the process: the suite's videos
  fs::path out = dir->path() / ("pen" + std::to_string(seed));
  if (!fs::exists(out / "video.mp4")) {
    auto r = test::RunCommand({test::PigweightBinary(), "gen-scene", "--seed", std::to_string(seed), "--count", "10",
                               "--width", "320", "--height", "192", "--images", "0", "--video", "12", "--fps", "10",
                               "--gop", "25", "--out", out.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  return out / "video.mp4";
}

// One "server": store, library and engine over a data directory.
struct Stack {
  explicit Stack(const fs::path& data) {
    auto opened = store::OpenSqliteStore(data);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(opened).value();
    LibraryOptions lo;
    lo.data_dir = data;
    library = std::make_unique<VideoLibrary>(lo, store->videos());
    infer::EngineOptions eo;
    eo.model_path = PW_DEMO_MODEL;
    eo.cache_dir = data / "models";
    eo.workers = 2;
    engine = std::make_unique<infer::Engine>(eo);
  }
  std::string Register(const fs::path& file) {
    auto r = library->RegisterFile(file);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? (*r)["id"].get<std::string>() : "";
  }
  std::unique_ptr<store::Store> store;
  std::unique_ptr<VideoLibrary> library;
  std::unique_ptr<infer::Engine> engine;
};

struct Events {
  std::mutex mu;
  std::vector<std::pair<std::string, int>> chunks;  // (video, chunk) in completion order
  Indexer::Notify Sink() {
    return [this](const std::string& video, const nlohmann::json& e, const std::string&) {
      if (e["type"] != "index_chunk") return;
      std::lock_guard lock(mu);
      chunks.emplace_back(video, e["chunk"].get<int>());
    };
  }
  std::vector<std::pair<std::string, int>> Snapshot() {
    std::lock_guard lock(mu);
    return chunks;
  }
};

IndexerOptions Options(int jobs = 1) {
  IndexerOptions o;
  o.sample_fps = 5;
  o.chunk_seconds = 2;
  o.jobs = jobs;
  o.auto_index = false;
  o.model_path = PW_DEMO_MODEL;
  return o;
}

nlohmann::json WaitFor(Indexer& ix, const std::string& id, const std::function<bool(const nlohmann::json&)>& done) {
  nlohmann::json s;
  for (auto deadline = std::chrono::steady_clock::now() + 180s; std::chrono::steady_clock::now() < deadline;) {
    auto status = ix.Status(id);
    EXPECT_TRUE(status.ok());
    s = *status;
    if (done(s)) return s;
    EXPECT_NE(s["state"], "failed") << s.dump();
    if (s["state"] == "failed") return s;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "indexer did not get there: " << s.dump();
  return s;
}

bool Done(const nlohmann::json& s) { return s["state"] == "done"; }

void EnqueueWhenReady(Indexer& ix, const std::string& id);

// Starts the indexer and indexes the whole video.
void IndexFully(Indexer& ix, const std::string& id) {
  ix.Start();
  EnqueueWhenReady(ix, id);
  WaitFor(ix, id, Done);
}

// Waits for Enqueue to be accepted (the indexer hashes the model first).
void EnqueueWhenReady(Indexer& ix, const std::string& id) {
  for (int i = 0; i < 500; ++i) {
    auto st = ix.Enqueue(id);
    if (st.ok()) return;
    ASSERT_EQ(st.code(), core::Code::kUnavailable) << st.ToString();
    std::this_thread::sleep_for(10ms);
  }
  FAIL() << "the indexer never became ready";
}

TEST(Indexer, EverySampledFrameMatchesADirectInferenceOfThatFrame) {
  TempDir dir;
  Stack s(dir / "data");
  std::string id = s.Register(Video(901));
  Indexer ix(Options(), *s.library, *s.engine, s.store->count_indexes());
  ix.Start();
  EnqueueWhenReady(ix, id);
  auto status = WaitFor(ix, id, Done);
  ASSERT_EQ(status["samples_total"], 60);  // 12 s at 5 samples/s
  ASSERT_EQ(status["chunks_total"], 6);

  FrameCounter direct(*s.library, *s.engine, 0.5f);
  int compared = 0;
  for (int k = 0; k < 60; ++k) {
    double t = k / 5.0;
    auto indexed = ix.Nearest(id, t);
    ASSERT_TRUE(indexed.ok() && indexed->has_value()) << t;
    const IndexedFrame& f = **indexed;
    EXPECT_NEAR(f.sample.t, t, 1e-6);  // 10 fps video: every sample is a frame of its own
    auto single = direct.CountAt(id, f.sample.t, {});
    ASSERT_TRUE(single.ok()) << single.status().ToString();
    EXPECT_EQ(single->t_frame, f.sample.t);
    EXPECT_EQ(single->raw_count, f.sample.raw_count) << "t=" << t;
    ASSERT_EQ(single->instances.size(), f.instances.instances.size()) << "t=" << t;
    for (size_t i = 0; i < single->instances.size(); ++i) {
      const auto& a = single->instances[i];
      const auto& b = f.instances.instances[i];
      EXPECT_NEAR(a.box.x, b.box.x, 0.05) << "t=" << t;
      EXPECT_NEAR(a.box.width, b.box.width, 0.05) << "t=" << t;
      EXPECT_NEAR(a.score, b.score, 1e-3) << "t=" << t;
    }
    compared++;
  }
  EXPECT_EQ(compared, 60);
}

TEST(Indexer, NearestAnswersTheClosestIndexedFrameAtEveryBoundary) {
  TempDir dir;
  Stack s(dir / "data");
  std::string id = s.Register(Video(901));
  Indexer ix(Options(), *s.library, *s.engine, s.store->count_indexes());
  IndexFully(ix, id);
  auto at = [&](double t) { return (*ix.Nearest(id, t))->sample.t; };
  EXPECT_NEAR(at(-3), 0.0, 1e-9);
  EXPECT_NEAR(at(0.29), 0.2, 1e-9);
  EXPECT_NEAR(at(0.31), 0.4, 1e-9);
  EXPECT_NEAR(at(1.99), 2.0, 1e-9);   // across a chunk boundary
  EXPECT_NEAR(at(2.09), 2.0, 1e-9);
  EXPECT_NEAR(at(11.9), 11.8, 1e-9);  // the last sample
  EXPECT_NEAR(at(500), 11.8, 1e-9);
  auto counts = ix.Counts(id, 0, 1e9, 12);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)["indexed"], 60);
  EXPECT_EQ((*counts)["n"], nlohmann::json::parse("[5,5,5,5,5,5,5,5,5,5,5,5]"));
}

TEST(Indexer, ResumesWithoutRedoingFinishedChunksAndEndsAsAnUninterruptedRun) {
  TempDir dir;
  fs::path video = Video(902);
  std::string id;
  std::set<int> first_run;
  {
    Stack s(dir / "interrupted");
    id = s.Register(video);
    Events events;
    Indexer ix(Options(), *s.library, *s.engine, s.store->count_indexes(), events.Sink());
    ix.Start();
    EnqueueWhenReady(ix, id);
    WaitFor(ix, id, [](const nlohmann::json& j) { return j.value("chunks_done", 0) >= 2; });
    ix.Stop();  // mid-run, as a crash would (the chunk in progress is lost)
    for (const auto& [v, c] : events.Snapshot()) first_run.insert(c);
  }
  ASSERT_GE(first_run.size(), 2u);
  ASSERT_LT(first_run.size(), 6u);

  Stack s(dir / "interrupted");
  Events events;
  Indexer resumed(Options(), *s.library, *s.engine, s.store->count_indexes(), events.Sink());
  resumed.Start();  // picks the unfinished index up by itself
  WaitFor(resumed, id, Done);
  for (const auto& [v, c] : events.Snapshot()) EXPECT_FALSE(first_run.count(c)) << "chunk " << c << " was redone";
  EXPECT_EQ(events.Snapshot().size() + first_run.size(), 6u);

  Stack clean(dir / "uninterrupted");
  clean.Register(video);
  Indexer straight(Options(), *clean.library, *clean.engine, clean.store->count_indexes());
  IndexFully(straight, id);
  for (int k = 0; k < 60; ++k) {
    auto a = (*resumed.Nearest(id, k / 5.0))->sample;
    auto b = (*straight.Nearest(id, k / 5.0))->sample;
    EXPECT_EQ(a.count, b.count) << k;
    EXPECT_EQ(a.raw_count, b.raw_count) << k;
    EXPECT_EQ(a.stable, b.stable) << k;
    EXPECT_NEAR(a.confidence, b.confidence, 1e-4) << k;
  }
}

TEST(Indexer, AnIndexOfAnotherModelOrSettingsIsNeverServed) {
  TempDir dir;
  Stack s(dir / "data");
  std::string id = s.Register(Video(901));
  {
    Indexer ix(Options(), *s.library, *s.engine, s.store->count_indexes());
    IndexFully(ix, id);
  }
  IndexerOptions changed = Options();
  changed.counting.count_score = 0.6f;
  Indexer ix(changed, *s.library, *s.engine, s.store->count_indexes());
  ix.Start();
  EnqueueWhenReady(ix, id);
  ASSERT_TRUE(ix.Pause(id).ok());
  auto status = ix.Status(id);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ((*status)["other_indexes"].size(), 1u);  // the old one is kept and shown
  EXPECT_EQ((*status)["other_indexes"][0]["state"], "done");
  EXPECT_NE((*status)["chunks_done"], 6);
  // Where the new index has nothing yet, nothing from the old one is answered.
  int answered = 0;
  for (int k = 0; k < 60; ++k) answered += (*ix.Nearest(id, k / 5.0)).has_value() ? 1 : 0;
  EXPECT_EQ(answered, (*status)["samples_done"].get<int>());

  IndexerOptions drop = changed;
  drop.keep_old = false;
  drop.counting.count_score = 0.7f;
  ix.Stop();
  Indexer dropping(drop, *s.library, *s.engine, s.store->count_indexes());
  dropping.Start();
  EnqueueWhenReady(dropping, id);
  (void)dropping.Pause(id);
  EXPECT_EQ((*dropping.Status(id))["other_indexes"].size(), 0u);
  EXPECT_EQ(s.store->count_indexes().ListIndexes(id)->size(), 1u);
}

TEST(Indexer, ThePlayheadsRegionIsIndexedNext) {
  TempDir dir;
  Stack s(dir / "data");
  std::string id = s.Register(Video(903));
  Events events;
  Indexer ix(Options(), *s.library, *s.engine, s.store->count_indexes(), events.Sink());
  ix.Start();
  EnqueueWhenReady(ix, id);
  ix.Playhead(id, 10.5);  // chunk 5 of 0..5
  WaitFor(ix, id, Done);
  auto order = events.Snapshot();
  ASSERT_EQ(order.size(), 6u);
  // At most the chunk already under way comes before the playhead's one; then it goes on from there.
  size_t position = std::find(order.begin(), order.end(), std::make_pair(id, 5)) - order.begin();
  EXPECT_LE(position, 1u);
}

TEST(Indexer, TwoVideosTakeTurns) {
  TempDir dir;
  Stack s(dir / "data");
  std::string a = s.Register(Video(901));
  std::string b = s.Register(Video(902));
  Events events;
  Indexer ix(Options(1), *s.library, *s.engine, s.store->count_indexes(), events.Sink());
  ix.Start();
  EnqueueWhenReady(ix, a);
  EnqueueWhenReady(ix, b);
  WaitFor(ix, a, Done);
  WaitFor(ix, b, Done);
  auto order = events.Snapshot();
  ASSERT_EQ(order.size(), 12u);
  // One worker, two videos: neither gets more than one chunk ahead of the other.
  int ahead = 0, worst = 0;
  for (const auto& [video, chunk] : order) {
    ahead += video == a ? 1 : -1;
    worst = std::max(worst, std::abs(ahead));
  }
  EXPECT_LE(worst, 2);
}

}  // namespace
}  // namespace pw::library
