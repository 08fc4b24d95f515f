// pigweight backup / restore with the real binary: a backup taken while weighings are being saved
// holds every weighing acknowledged before it started, passes its own check, and restores into a
// fresh data directory that a new server serves; restoring over data keeps the old files aside.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "support/test_support.h"

namespace pw::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json Json(const CurlResponse& r) {
  auto j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

CurlResponse Post(const ServerProcess& s, const std::string& path, const json& body) {
  return Fetch(s.Url(path), {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body.dump()});
}

std::set<int64_t> StoredIds(const ServerProcess& s) {
  std::set<int64_t> ids;
  auto r = Fetch(s.Url("/api/weighings?limit=1000"));
  EXPECT_EQ(r.status, 200) << r.body;
  const json list = Json(r);  // kept: a range-for over a temporary's member would dangle
  for (const auto& item : list["items"]) ids.insert(item["id"].get<int64_t>());
  return ids;
}

TEST(Backup, ASnapshotTakenDuringWritesRestoresIntoAFreshDataDir) {
  TempDir dir;
  ServerProcess::Options o;
  o.data_dir = dir.path() / "farm";
  auto server = std::make_unique<ServerProcess>(o);
  ASSERT_EQ(Post(*server, "/api/cameras", {{"id", "pen1"}, {"url", "rtsp://127.0.0.1:9/cam"}, {"enabled", false}}).status, 201);

  std::mutex mu;
  std::set<int64_t> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto r = Post(*server, "/api/weighings", {{"count", 12}, {"total_kg", 300 + i}, {"note", "backup"}});
      if (r.status != 201) return;
      std::lock_guard lock(mu);
      acknowledged.insert(Json(r)["id"].get<int64_t>());
    }
  });
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard lock(mu);
    if (acknowledged.size() >= 5) break;
  }
  std::set<int64_t> before;
  {
    std::lock_guard lock(mu);
    before = acknowledged;
  }
  const fs::path backup = dir.path() / "backup";
  auto made = RunCommand({PigweightBinary(), "backup", "--out", backup.string(), "--data-dir", o.data_dir.string()});
  stop = true;
  writer.join();
  ASSERT_EQ(made.exit_code, 0) << made.err;
  json report = json::parse(made.out);
  EXPECT_GE(report["database"]["weighings"].get<long long>(), static_cast<long long>(before.size()));
  EXPECT_GT(report["database"]["schema_version"].get<int>(), 0);
  EXPECT_TRUE(fs::exists(backup / "pigweight.db"));
  EXPECT_FALSE(fs::exists(backup / "pigweight.db-wal")) << "the copy must stand alone";
  EXPECT_TRUE(fs::exists(backup / "cameras.json"));
  server->Stop();

  // Restore into an empty data directory and serve it.
  ServerProcess::Options fresh;
  fresh.data_dir = dir.path() / "new-machine";
  auto restored = RunCommand({PigweightBinary(), "restore", "--from", backup.string(), "--data-dir", fresh.data_dir.string()});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  ServerProcess again(fresh);
  auto ids = StoredIds(again);
  EXPECT_EQ(static_cast<long long>(ids.size()), report["database"]["weighings"].get<long long>());
  for (int64_t id : before) EXPECT_TRUE(ids.count(id)) << "weighing " << id << " acknowledged before the backup is missing";
  EXPECT_EQ(Fetch(again.Url("/api/cameras/pen1")).status, 200);
  again.Stop();

  // Restoring over existing data keeps what it replaces.
  auto over = RunCommand({PigweightBinary(), "restore", "--from", backup.string(), "--data-dir", o.data_dir.string()});
  ASSERT_EQ(over.exit_code, 0) << over.err;
  int kept = 0;
  for (const auto& e : fs::directory_iterator(o.data_dir)) {
    if (e.path().filename().string().starts_with("pigweight.db.before-restore-")) ++kept;
  }
  EXPECT_EQ(kept, 1);
}

TEST(Backup, RefusesWhatIsNotABackupAndLeavesTheDataAlone) {
  TempDir dir;
  fs::create_directories(dir.path() / "junk");
  WriteFile(dir.path() / "junk" / "pigweight.db", "this is not a database");
  fs::create_directories(dir.path() / "data");
  WriteFile(dir.path() / "data" / "pigweight.db", "precious");
  auto r = RunCommand({PigweightBinary(), "restore", "--from", (dir.path() / "junk").string(), "--data-dir",
                       (dir.path() / "data").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not usable"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(dir.path() / "data" / "pigweight.db"), "precious");
  auto none = RunCommand({PigweightBinary(), "backup", "--out", (dir.path() / "b").string(), "--data-dir",
                          (dir.path() / "nothing").string()});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("no database"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace pw::test
