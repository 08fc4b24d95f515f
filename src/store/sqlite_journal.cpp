#include "store/sqlite_journal.h"

#include <string>
#include <type_traits>

namespace pw::store {
namespace {

constexpr std::string_view kColumns =
    "w.id, w.created_utc, w.created_local, w.station, w.source, w.count, w.auto_count, w.raw_count, "
    "w.confidence, w.override, w.total_kg, w.avg_kg, w.shares, w.note, w.model_hash, w.created_by, "
    "w.deleted_utc, w.revision, (SELECT count(*) FROM weighing_evidence e WHERE e.weighing_id = w.id)";

std::optional<int> OptInt(const Stmt& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  return static_cast<int>(s.Int(col));
}

WeighingRow ReadRow(const Stmt& s) {
  WeighingRow r;
  r.id = s.Int(0);
  r.created_utc = s.Text(1);
  r.created_local = s.Text(2);
  r.station = s.Text(3);
  r.source_json = s.Text(4);
  r.count = static_cast<int>(s.Int(5));
  r.auto_count = OptInt(s, 6);
  r.raw_count = OptInt(s, 7);
  if (!s.IsNull(8)) r.confidence = s.Real(8);
  r.override_count = s.Int(9) != 0;
  r.total_kg = s.Real(10);
  r.avg_kg = s.Real(11);
  r.shares_json = s.Text(12);
  r.note = s.Text(13);
  r.model_hash = s.Text(14);
  r.created_by = s.Text(15);
  if (!s.IsNull(16)) r.deleted_utc = s.Text(16);
  r.revision = static_cast<int>(s.Int(17));
  r.has_evidence = s.Int(18) > 0;
  return r;
}

template <typename T>
void BindOpt(Stmt& s, int pos, const std::optional<T>& v) {
  if (v) {
    if constexpr (std::is_integral_v<T>) {
      s.Bind(pos, static_cast<int64_t>(*v));
    } else if constexpr (std::is_same_v<T, std::string>) {
      s.Bind(pos, std::string_view(*v));
    } else {
      s.Bind(pos, static_cast<double>(*v));
    }
  } else {
    s.BindNull(pos);
  }
}

// "2026-11-29T09:12:03+03:00" -> "2026-11-29"
std::string LocalDate(const std::string& local) { return local.substr(0, 10); }

class SqliteJournal final : public Journal {
 public:
  SqliteJournal(Db& db, std::mutex& mu) : db_(db), mu_(mu) {}

  core::Result<WeighingRow> Insert(const WeighingRow& row, const std::string& evidence_jpeg,
                                   const std::string& evidence_json) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_);
    if (!tx.ok()) return tx.status();
    auto stmt = db_.Prepare(
        "INSERT INTO weighings(created_utc, created_local, local_date, station, source, count, "
        "auto_count, raw_count, confidence, override, total_kg, avg_kg, shares, note, model_hash, "
        "created_by, revision) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, row.created_utc).Bind(2, row.created_local).Bind(3, LocalDate(row.created_local));
    stmt->Bind(4, row.station).Bind(5, row.source_json).Bind(6, int64_t{row.count});
    BindOpt(*stmt, 7, row.auto_count);
    BindOpt(*stmt, 8, row.raw_count);
    BindOpt(*stmt, 9, row.confidence);
    stmt->Bind(10, int64_t{row.override_count}).Bind(11, row.total_kg).Bind(12, row.avg_kg);
    stmt->Bind(13, row.shares_json).Bind(14, row.note).Bind(15, row.model_hash).Bind(16, row.created_by);
    PW_RETURN_IF_ERROR(stmt->Run());
    WeighingRow stored = row;
    stored.id = db_.LastInsertId();
    stored.revision = 1;
    stored.deleted_utc.reset();
    stored.has_evidence = !evidence_jpeg.empty();
    if (stored.has_evidence) {
      auto ev = db_.Prepare("INSERT INTO weighing_evidence(weighing_id, jpeg, instances) VALUES (?,?,?)");
      if (!ev.ok()) return ev.status();
      ev->Bind(1, stored.id).BindBlob(2, evidence_jpeg.data(), evidence_jpeg.size()).Bind(3, evidence_json);
      PW_RETURN_IF_ERROR(ev->Run());
    }
    PW_RETURN_IF_ERROR(tx->Commit());
    return stored;
  }

  core::Result<std::optional<WeighingRow>> Get(int64_t id) override {
    std::lock_guard lock(mu_);
    return GetLocked(id);
  }

  core::Result<JournalPage> List(const JournalQuery& q) override {
    std::string where = " WHERE 1=1";
    if (!q.include_deleted) where += " AND w.deleted_utc IS NULL";
    if (!q.from_date.empty()) where += " AND w.local_date >= :from";
    if (!q.to_date.empty()) where += " AND w.local_date <= :to";
    if (!q.station.empty()) where += " AND w.station = :station";
    auto bind = [&](Stmt& s) {
      if (int i = sqlite3_bind_parameter_index(s.raw(), ":from"); i > 0) s.Bind(i, q.from_date);
      if (int i = sqlite3_bind_parameter_index(s.raw(), ":to"); i > 0) s.Bind(i, q.to_date);
      if (int i = sqlite3_bind_parameter_index(s.raw(), ":station"); i > 0) s.Bind(i, q.station);
    };
    std::lock_guard lock(mu_);
    JournalPage page;
    auto count = db_.Prepare("SELECT count(*) FROM weighings w" + where);
    if (!count.ok()) return count.status();
    bind(*count);
    auto counted = count->Step();
    if (!counted.ok()) return counted.status();
    page.total = count->Int(0);
    auto stmt = db_.Prepare("SELECT " + std::string(kColumns) + " FROM weighings w" + where +
                            " ORDER BY w.id DESC LIMIT :limit OFFSET :offset");
    if (!stmt.ok()) return stmt.status();
    bind(*stmt);
    stmt->Bind(sqlite3_bind_parameter_index(stmt->raw(), ":limit"), int64_t{q.limit});
    stmt->Bind(sqlite3_bind_parameter_index(stmt->raw(), ":offset"), q.offset);
    auto items = CollectRows(*stmt, ReadRow);
    if (!items.ok()) return items.status();
    page.items = std::move(items).value();
    return page;
  }

  core::Status Update(const WeighingRow& row, const WeighingHistoryRow& history) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_);
    if (!tx.ok()) return tx.status();
    auto current = GetLocked(row.id);
    if (!current.ok()) return current.status();
    if (!*current) return core::Status::NotFound("no weighing " + std::to_string(row.id));
    if ((*current)->revision != row.revision - 1) {
      return core::Status::Conflict("weighing " + std::to_string(row.id) +
                                    " was changed by someone else (now revision " +
                                    std::to_string((*current)->revision) + "); reload it and try again");
    }
    auto hist = db_.Prepare(
        "INSERT INTO weighing_history(weighing_id, revision, changed_utc, action, actor, old) "
        "VALUES (?,?,?,?,?,?)");
    if (!hist.ok()) return hist.status();
    hist->Bind(1, row.id).Bind(2, int64_t{row.revision - 1}).Bind(3, history.changed_utc);
    hist->Bind(4, history.action).Bind(5, history.actor).Bind(6, history.old_json);
    PW_RETURN_IF_ERROR(hist->Run());
    auto stmt = db_.Prepare(
        "UPDATE weighings SET station = ?, count = ?, override = ?, total_kg = ?, avg_kg = ?, "
        "shares = ?, note = ?, deleted_utc = ?, revision = ? WHERE id = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, row.station).Bind(2, int64_t{row.count}).Bind(3, int64_t{row.override_count});
    stmt->Bind(4, row.total_kg).Bind(5, row.avg_kg).Bind(6, row.shares_json).Bind(7, row.note);
    BindOpt(*stmt, 8, row.deleted_utc);
    stmt->Bind(9, int64_t{row.revision}).Bind(10, row.id);
    PW_RETURN_IF_ERROR(stmt->Run());
    return tx->Commit();
  }

  core::Result<std::vector<WeighingHistoryRow>> History(int64_t id) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare(
        "SELECT revision, changed_utc, action, actor, old FROM weighing_history WHERE weighing_id = ? "
        "ORDER BY revision");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id);
    return CollectRows(*stmt, [](const Stmt& s) {
      return WeighingHistoryRow{static_cast<int>(s.Int(0)), s.Text(1), s.Text(2), s.Text(3), s.Text(4)};
    });
  }

  core::Result<std::optional<Evidence>> GetEvidence(int64_t id) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare("SELECT jpeg, instances FROM weighing_evidence WHERE weighing_id = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<Evidence>();
    auto blob = stmt->Blob(0);
    return std::optional<Evidence>(Evidence{std::string(blob.begin(), blob.end()), stmt->Text(1)});
  }

  core::Result<std::vector<std::string>> ReferencedVideos() override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare(
        "SELECT DISTINCT json_extract(source, '$.video_id') FROM weighings "
        "WHERE json_valid(source) AND json_extract(source, '$.kind') = 'video' "
        "AND json_type(source, '$.video_id') = 'text'");
    if (!stmt.ok()) return stmt.status();
    return CollectRows(*stmt, [](const Stmt& s) { return s.Text(0); });
  }

 private:
  core::Result<std::optional<WeighingRow>> GetLocked(int64_t id) {
    auto stmt = db_.Prepare("SELECT " + std::string(kColumns) + " FROM weighings w WHERE w.id = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<WeighingRow>();
    return std::optional<WeighingRow>(ReadRow(*stmt));
  }

  Db& db_;
  std::mutex& mu_;
};

}  // namespace

std::unique_ptr<Journal> MakeSqliteJournal(Db& db, std::mutex& mu) {
  return std::make_unique<SqliteJournal>(db, mu);
}

}  // namespace pw::store
