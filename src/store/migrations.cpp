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
      {2, "videos", R"sql(
        CREATE TABLE videos (
          id           TEXT PRIMARY KEY,   -- content id
          path         TEXT NOT NULL,
          name         TEXT NOT NULL,
          uploaded     INTEGER NOT NULL,
          size         INTEGER NOT NULL,
          probe        TEXT NOT NULL,      -- JSON
          keyframes    BLOB NOT NULL,      -- media::KeyframeIndex::ToBlob
          thumbs_state TEXT NOT NULL DEFAULT 'pending',
          thumbs_error TEXT NOT NULL DEFAULT '',
          created_at   TEXT NOT NULL
        );
      )sql"},
  };
  return migrations;
}

}  // namespace pw::store
