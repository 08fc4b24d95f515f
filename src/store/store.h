// Store: the persistence seam. Everything PigWeight keeps (video index, count cache, journal)
// goes through interfaces reached from here, so the embedded SQLite default and the networked
// backends (PostgreSQL/Redis, for many nodes) are interchangeable.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/count_index.h"
#include "store/journal.h"
#include "store/videos.h"

namespace pw::store {

class Store {
 public:
  virtual ~Store() = default;
  virtual std::string backend() const = 0;  // "sqlite"
  virtual std::string location() const = 0; // file path or server address, for logs
  virtual int schema_version() const = 0;
  // A cheap round trip to the backend (readiness probes).
  virtual core::Status Check() = 0;

  virtual VideoCatalog& videos() = 0;
  virtual Journal& journal() = 0;
  virtual CountIndexStore& count_indexes() = 0;
};

// Opens (creating if needed) DATA_DIR/pigweight.db and brings its schema up to date. Refuses a
// database written by a newer PigWeight (schema version above this build's).
core::Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& data_dir);

}  // namespace pw::store
