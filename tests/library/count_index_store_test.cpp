#include <gtest/gtest.h>

#include "store/store.h"
#include "support/test_support.h"

namespace pw::store {
namespace {

IndexRow Row(const std::string& key, const std::string& video) {
  IndexRow r;
  r.key = key;
  r.video_id = video;
  r.model_hash = "m";
  r.params_json = "{}";
  r.sample_fps = 5;
  r.chunk_seconds = 30;
  r.chunks_total = 3;
  r.state = "queued";
  return r;
}

TEST(CountIndexStore, KeepsChunksPerIndexAndListsProgress) {
  test::TempDir dir;
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok());
  auto& ix = (*store)->count_indexes();
  ASSERT_TRUE(ix.UpsertIndex(Row("v1|m|p", "v1")).ok());
  ASSERT_TRUE(ix.UpsertIndex(Row("v1|m2|p", "v1")).ok());
  ASSERT_TRUE(ix.PutChunk("v1|m|p", {1, 30, 60, 150, "summary", "instances"}).ok());
  ASSERT_TRUE(ix.PutChunk("v1|m|p", {0, 0, 30, 150, "s0", "i0"}).ok());
  ASSERT_TRUE(ix.SetIndexState("v1|m|p", "running", "").ok());
  ASSERT_TRUE(ix.UpsertIndex(Row("v1|m|p", "v1")).ok());  // again: keeps chunks and state

  auto list = ix.ListIndexes("v1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  const IndexRow& mine = (*list)[0].key == "v1|m|p" ? (*list)[0] : (*list)[1];
  EXPECT_EQ(mine.chunks_done, 2);
  EXPECT_EQ(mine.samples_done, 300);
  EXPECT_EQ(mine.state, "running");

  auto summaries = ix.ChunkSummaries("v1|m|p");
  ASSERT_TRUE(summaries.ok());
  ASSERT_EQ(summaries->size(), 2u);
  EXPECT_EQ((*summaries)[0].chunk, 0);
  EXPECT_EQ((*summaries)[1].summary, "summary");
  EXPECT_TRUE((*summaries)[1].instances.empty());  // not loaded with the summaries
  auto chunk = ix.GetChunk("v1|m|p", 1);
  ASSERT_TRUE(chunk.ok() && chunk->has_value());
  EXPECT_EQ((*chunk)->instances, "instances");
  EXPECT_FALSE(ix.GetChunk("v1|m|p", 2)->has_value());

  ASSERT_TRUE(ix.DeleteIndex("v1|m|p").ok());
  EXPECT_EQ(ix.ListIndexes("v1")->size(), 1u);
  EXPECT_TRUE(ix.ChunkSummaries("v1|m|p")->empty());
}

}  // namespace
}  // namespace pw::store
