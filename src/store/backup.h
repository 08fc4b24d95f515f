// Backup of the SQLite database while the server runs: SQLite's online backup API copies the
// database as of one moment (a consistent snapshot: every committed weighing up to then, nothing
// half-written) while readers and writers carry on. The copy is then checked (integrity_check)
// and written atomically (a temporary name, fsync, rename), so a backup file is either whole or
// absent.
#pragma once

#include <filesystem>

#include "core/status.h"

namespace pw::store {

struct BackupInfo {
  std::filesystem::path file;
  std::uintmax_t bytes = 0;
  int schema_version = 0;
  long long weighings = 0;  // rows in the journal (deleted ones included), for the operator's check
  long long videos = 0;
};

// Copies DATA_DIR/pigweight.db to `out` (a file path; its folder must exist; an existing file is
// replaced only once the new copy is complete and checked). kNotFound when there is no database.
core::Result<BackupInfo> BackupDatabase(const std::filesystem::path& data_dir, const std::filesystem::path& out);

}  // namespace pw::store
