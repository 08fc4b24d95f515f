#include "store/sqlite_count_index.h"

#include <string>

namespace pw::store {
namespace {

constexpr std::string_view kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

std::string AsString(const std::vector<uint8_t>& blob) { return std::string(blob.begin(), blob.end()); }

// chunk, t_start, t_end, samples, summary[, instances]
ChunkRow ReadChunk(const Stmt& s, bool with_instances) {
  ChunkRow c;
  c.chunk = static_cast<int>(s.Int(0));
  c.t_start = s.Real(1);
  c.t_end = s.Real(2);
  c.samples = static_cast<int>(s.Int(3));
  c.summary = AsString(s.Blob(4));
  if (with_instances) c.instances = AsString(s.Blob(5));
  return c;
}

// key, video_id, model_hash, params, sample_fps, chunk_seconds, chunks_total, state, error, created_at,
// updated_at, chunks done, samples done
IndexRow ReadIndexRow(const Stmt& s) {
  IndexRow r;
  r.key = s.Text(0);
  r.video_id = s.Text(1);
  r.model_hash = s.Text(2);
  r.params_json = s.Text(3);
  r.sample_fps = s.Real(4);
  r.chunk_seconds = s.Real(5);
  r.chunks_total = static_cast<int>(s.Int(6));
  r.state = s.Text(7);
  r.error = s.Text(8);
  r.created_at = s.Text(9);
  r.updated_at = s.Text(10);
  r.chunks_done = static_cast<int>(s.Int(11));
  r.samples_done = s.Int(12);
  return r;
}

class SqliteCountIndexStore final : public CountIndexStore {
 public:
  SqliteCountIndexStore(Db& db, std::mutex& mu) : db_(db), mu_(mu) {}

  core::Status UpsertIndex(const IndexRow& r) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare(
        "INSERT INTO count_indexes(key, video_id, model_hash, params, sample_fps, chunk_seconds, chunks_total, "
        "state, error, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,'', " + std::string(kNow) + ", " +
        std::string(kNow) + ") ON CONFLICT(key) DO UPDATE SET chunks_total = excluded.chunks_total");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, r.key).Bind(2, r.video_id).Bind(3, r.model_hash).Bind(4, r.params_json);
    stmt->Bind(5, r.sample_fps).Bind(6, r.chunk_seconds).Bind(7, int64_t{r.chunks_total}).Bind(8, r.state);
    return stmt->Run();
  }

  core::Status SetIndexState(const std::string& key, const std::string& state, const std::string& error) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare("UPDATE count_indexes SET state = ?, error = ?, updated_at = " + std::string(kNow) +
                            " WHERE key = ?");
    if (!stmt.ok()) return stmt.status();
    return stmt->Bind(1, state).Bind(2, error).Bind(3, key).Run();
  }

  core::Result<std::vector<IndexRow>> ListIndexes(const std::string& video_id) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare(
        "SELECT i.key, i.video_id, i.model_hash, i.params, i.sample_fps, i.chunk_seconds, i.chunks_total, i.state, "
        "i.error, i.created_at, i.updated_at, (SELECT count(*) FROM count_chunks c WHERE c.index_key = i.key), "
        "(SELECT coalesce(sum(samples), 0) FROM count_chunks c WHERE c.index_key = i.key) "
        "FROM count_indexes i WHERE (?1 = '' OR i.video_id = ?1) ORDER BY i.created_at DESC, i.key");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, video_id);
    return CollectRows(*stmt, ReadIndexRow);
  }

  core::Status PutChunk(const std::string& key, const ChunkRow& c) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_);
    if (!tx.ok()) return tx.status();
    auto stmt = db_.Prepare(
        "INSERT OR REPLACE INTO count_chunks(index_key, chunk, t_start, t_end, samples, summary, instances) "
        "VALUES (?,?,?,?,?,?,?)");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, key).Bind(2, int64_t{c.chunk}).Bind(3, c.t_start).Bind(4, c.t_end).Bind(5, int64_t{c.samples});
    stmt->BindBlob(6, c.summary.data(), c.summary.size()).BindBlob(7, c.instances.data(), c.instances.size());
    PW_RETURN_IF_ERROR(stmt->Run());
    auto touch = db_.Prepare("UPDATE count_indexes SET updated_at = " + std::string(kNow) + " WHERE key = ?");
    if (!touch.ok()) return touch.status();
    PW_RETURN_IF_ERROR(touch->Bind(1, key).Run());
    return tx->Commit();
  }

  core::Result<std::vector<ChunkRow>> ChunkSummaries(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare(
        "SELECT chunk, t_start, t_end, samples, summary FROM count_chunks WHERE index_key = ? ORDER BY chunk");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, key);
    return CollectRows(*stmt, [](const Stmt& row) { return ReadChunk(row, false); });
  }

  core::Result<std::optional<ChunkRow>> GetChunk(const std::string& key, int chunk) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare(
        "SELECT chunk, t_start, t_end, samples, summary, instances FROM count_chunks WHERE index_key = ? AND chunk = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, key).Bind(2, int64_t{chunk});
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<ChunkRow>();
    return std::optional<ChunkRow>(ReadChunk(*stmt, true));
  }

  core::Status DeleteIndex(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_);
    if (!tx.ok()) return tx.status();
    for (const char* sql : {"DELETE FROM count_chunks WHERE index_key = ?", "DELETE FROM count_indexes WHERE key = ?"}) {
      auto stmt = db_.Prepare(sql);
      if (!stmt.ok()) return stmt.status();
      PW_RETURN_IF_ERROR(stmt->Bind(1, key).Run());
    }
    return tx->Commit();
  }

 private:
  Db& db_;
  std::mutex& mu_;
};

}  // namespace

std::unique_ptr<CountIndexStore> MakeSqliteCountIndexStore(Db& db, std::mutex& mu) {
  return std::make_unique<SqliteCountIndexStore>(db, mu);
}

}  // namespace pw::store
