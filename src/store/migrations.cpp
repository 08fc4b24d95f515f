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
      {3, "weighings", R"sql(
        CREATE TABLE weighings (
          id            INTEGER PRIMARY KEY AUTOINCREMENT,
          created_utc   TEXT NOT NULL,
          created_local TEXT NOT NULL,
          local_date    TEXT NOT NULL,       -- YYYY-MM-DD of created_local (filters)
          station       TEXT NOT NULL,
          source        TEXT NOT NULL,       -- JSON
          count         INTEGER NOT NULL CHECK (count >= 1),
          auto_count    INTEGER,
          raw_count     INTEGER,
          confidence    REAL,
          override      INTEGER NOT NULL,
          total_kg      REAL NOT NULL CHECK (total_kg > 0),
          avg_kg        REAL NOT NULL,
          shares        TEXT NOT NULL DEFAULT '',
          note          TEXT NOT NULL DEFAULT '',
          model_hash    TEXT NOT NULL DEFAULT '',
          created_by    TEXT NOT NULL DEFAULT '',
          deleted_utc   TEXT,
          revision      INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX weighings_by_date ON weighings(local_date, id);
        CREATE INDEX weighings_by_station ON weighings(station, local_date, id);
        CREATE TABLE weighing_history (
          weighing_id INTEGER NOT NULL REFERENCES weighings(id),
          revision    INTEGER NOT NULL,      -- the revision these old values belonged to
          changed_utc TEXT NOT NULL,
          action      TEXT NOT NULL,         -- amend, delete
          actor       TEXT NOT NULL DEFAULT '',
          old         TEXT NOT NULL,         -- JSON of the replaced values
          PRIMARY KEY (weighing_id, revision)
        );
        CREATE TABLE weighing_evidence (
          weighing_id INTEGER PRIMARY KEY REFERENCES weighings(id),
          jpeg        BLOB NOT NULL,
          instances   TEXT NOT NULL DEFAULT '[]'
        );
      )sql"},
      {4, "count_index", R"sql(
        CREATE TABLE count_indexes (
          key           TEXT PRIMARY KEY,   -- video id | model hash | params hash
          video_id      TEXT NOT NULL,
          model_hash    TEXT NOT NULL,
          params        TEXT NOT NULL,      -- JSON
          sample_fps    REAL NOT NULL,
          chunk_seconds REAL NOT NULL,
          chunks_total  INTEGER NOT NULL,
          state         TEXT NOT NULL,
          error         TEXT NOT NULL DEFAULT '',
          created_at    TEXT NOT NULL,
          updated_at    TEXT NOT NULL
        );
        CREATE INDEX count_indexes_by_video ON count_indexes(video_id);
        CREATE TABLE count_chunks (
          index_key TEXT NOT NULL REFERENCES count_indexes(key) ON DELETE CASCADE,
          chunk     INTEGER NOT NULL,
          t_start   REAL NOT NULL,
          t_end     REAL NOT NULL,
          samples   INTEGER NOT NULL,
          summary   BLOB NOT NULL,
          instances BLOB NOT NULL,
          PRIMARY KEY (index_key, chunk)
        );
      )sql"},
      {5, "auth", R"sql(
        CREATE TABLE users (
          name          TEXT PRIMARY KEY,
          role          TEXT NOT NULL,       -- viewer, operator, admin
          password_hash TEXT NOT NULL,       -- crypto_pwhash_str (Argon2id)
          created_utc   TEXT NOT NULL,
          disabled      INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE sessions (
          id_hash      TEXT PRIMARY KEY,     -- BLAKE2b of the cookie's random id (never the id)
          user         TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
          created_utc  TEXT NOT NULL,
          expires_ms   INTEGER NOT NULL      -- Unix time, ms; pushed forward while in use
        );
        CREATE INDEX sessions_by_user ON sessions(user);
        CREATE TABLE api_tokens (
          id            INTEGER PRIMARY KEY AUTOINCREMENT,
          name          TEXT NOT NULL,
          role          TEXT NOT NULL,
          hash          TEXT NOT NULL UNIQUE, -- BLAKE2b of the token (shown once, never stored)
          created_by    TEXT NOT NULL DEFAULT '',
          created_utc   TEXT NOT NULL,
          last_used_utc TEXT,
          revoked_utc   TEXT
        );
      )sql"},
  };
  return migrations;
}

}  // namespace pw::store
