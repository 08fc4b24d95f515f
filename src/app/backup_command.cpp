// pigweight backup / pigweight restore: what an admin needs to keep a farm's journal safe.
//
// backup: a consistent snapshot of the database taken while the server runs (store/backup.h),
// the camera list, and with --with-media the uploaded videos and camera recordings (copied once:
// a file already in the backup with the same size is skipped, so a nightly run is incremental).
// Derived data (thumbnails, HLS and model caches) is not copied: the server rebuilds it.
// restore: with the server stopped, puts a backup in place; what it replaces is kept beside it
// (pigweight.db.before-restore-<time>), never deleted.
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "core/config.h"
#include "store/backup.h"

namespace pw::app {
namespace {

namespace fs = std::filesystem;

core::Result<fs::path> DataDir(const std::string& flag) {
  core::ConfigInputs inputs;
  inputs.env = CurrentEnvironment();
  if (!flag.empty()) inputs.flags["data_dir"] = flag;
  auto config = core::LoadConfig(inputs);
  if (!config.ok()) return config.status();
  return config->config.data_dir;
}

// Copies `from` to `to` through a temporary name unless `to` exists with the same size.
core::Result<bool> CopyIfChanged(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (fs::exists(to, ec) && fs::file_size(to, ec) == fs::file_size(from, ec)) return false;
  fs::create_directories(to.parent_path(), ec);
  const fs::path tmp = to.string() + ".partial";
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::rename(tmp, to, ec);
  if (ec) return core::Status::Unavailable("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
  return true;
}

struct Copied {
  int files = 0;
  int skipped = 0;
  std::uintmax_t bytes = 0;
};

core::Status CopyTree(const fs::path& from, const fs::path& to, Copied* copied) {
  std::error_code ec;
  if (!fs::is_directory(from, ec)) return core::Status::Ok();
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.ends_with(".part") || name.ends_with(".partial")) continue;  // unfinished: not a video yet
    auto done = CopyIfChanged(it->path(), to / fs::relative(it->path(), from, ec));
    if (!done.ok()) return done.status();
    if (*done) {
      ++copied->files;
      copied->bytes += fs::file_size(it->path(), ec);
    } else {
      ++copied->skipped;
    }
  }
  return ec ? core::Status::Unavailable("cannot read " + from.string() + ": " + ec.message()) : core::Status::Ok();
}

std::string Stamp() {
  std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::gmtime(&now));
  return buf;
}

}  // namespace

Command AddBackup(CLI::App& app) {
  auto out = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  auto media = std::make_shared<bool>(false);
  CLI::App* sub = app.add_subcommand(
      "backup", "Back up the journal and settings while the server runs (database snapshot, cameras; --with-media: videos and recordings)");
  sub->add_option("--out", *out, "Backup folder (created; a later backup into it refreshes it)")->required();
  sub->add_option("--data-dir", *data_dir, "The server's DATA_DIR (default: $DATA_DIR or ./data)");
  sub->add_flag("--with-media", *media, "Also copy uploaded videos and camera recordings (only files not copied before)");
  return [out, data_dir, media] {
    auto dir = DataDir(*data_dir);
    if (!dir.ok()) return Fail(dir.status());
    std::error_code ec;
    fs::create_directories(*out, ec);
    if (ec) return Fail(core::Status::Unavailable("cannot create " + *out + ": " + ec.message()));
    auto db = store::BackupDatabase(*dir, fs::path(*out) / "pigweight.db");
    if (!db.ok()) return Fail(db.status());
    nlohmann::json report = {{"database", {{"file", db->file.string()}, {"bytes", db->bytes},
                                           {"schema_version", db->schema_version}, {"weighings", db->weighings},
                                           {"videos", db->videos}}}};
    if (fs::exists(*dir / "cameras.json", ec)) {
      if (auto c = CopyIfChanged(*dir / "cameras.json", fs::path(*out) / "cameras.json"); !c.ok()) return Fail(c.status());
      report["cameras"] = (fs::path(*out) / "cameras.json").string();
    }
    if (*media) {
      Copied copied;
      for (const char* folder : {"videos", "recordings"}) {
        if (auto st = CopyTree(*dir / folder, fs::path(*out) / folder, &copied); !st.ok()) return Fail(st);
      }
      report["media"] = {{"files_copied", copied.files}, {"bytes_copied", copied.bytes}, {"unchanged", copied.skipped}};
    }
    report["note"] = "Videos registered where they lie (outside DATA_DIR) are not copied: back up their folders too.";
    std::cout << report.dump(2) << "\n";
    return 0;
  };
}

Command AddRestore(CLI::App& app) {
  auto from = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("restore", "Put a backup made by `pigweight backup` in place (stop the server first)");
  sub->add_option("--from", *from, "Backup folder")->required();
  sub->add_option("--data-dir", *data_dir, "The server's DATA_DIR (default: $DATA_DIR or ./data)");
  return [from, data_dir] {
    auto dir = DataDir(*data_dir);
    if (!dir.ok()) return Fail(dir.status());
    const fs::path backup_db = fs::path(*from) / "pigweight.db";
    std::error_code ec;
    if (!fs::exists(backup_db, ec)) return Fail(core::Status::InvalidArgument("no pigweight.db in " + *from + ": not a backup folder"));
    // Check the backup (a copy of it must pass integrity_check) before touching anything.
    fs::create_directories(*dir, ec);
    auto check = store::BackupDatabase(*from, *dir / ".restore-check.db");
    fs::remove(*dir / ".restore-check.db", ec);
    if (!check.ok()) return Fail(core::Status::Unavailable("the backup is not usable: " + check.status().message()));
    const std::string aside = ".before-restore-" + Stamp();
    for (const char* name : {"pigweight.db", "pigweight.db-wal", "pigweight.db-shm", "cameras.json"}) {
      if (fs::exists(*dir / name, ec)) {
        fs::rename(*dir / name, *dir / (std::string(name) + aside), ec);
        if (ec) return Fail(core::Status::Unavailable("cannot move " + (*dir / name).string() + " aside: " + ec.message()));
      }
    }
    auto db = CopyIfChanged(backup_db, *dir / "pigweight.db");
    if (!db.ok()) return Fail(db.status());
    if (fs::exists(fs::path(*from) / "cameras.json", ec)) {
      if (auto c = CopyIfChanged(fs::path(*from) / "cameras.json", *dir / "cameras.json"); !c.ok()) return Fail(c.status());
    }
    Copied copied;
    for (const char* folder : {"videos", "recordings"}) {
      if (auto st = CopyTree(fs::path(*from) / folder, *dir / folder, &copied); !st.ok()) return Fail(st);
    }
    nlohmann::json report = {{"restored", (*dir / "pigweight.db").string()}, {"schema_version", check->schema_version},
                             {"weighings", check->weighings}, {"videos", check->videos},
                             {"media_files_copied", copied.files},
                             {"previous_files_kept_as", "*" + aside}};
    std::cout << report.dump(2) << "\n";
    return 0;
  };
}

}  // namespace pw::app
