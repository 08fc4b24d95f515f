#include "store/migrations.h"

namespace pw::store {

const std::vector<Migration>& SqliteMigrations() {
  static const std::vector<Migration> migrations = {
      {1, "meta", R"sql(
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
        INSERT INTO meta(key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
      )sql"},
  };
  return migrations;
}

}  // namespace pw::store
