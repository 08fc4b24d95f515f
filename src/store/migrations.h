// The SQLite schema, as an ordered list of migrations. Append, never edit a released one: a
// database remembers which versions it has applied (table schema_migrations).
#pragma once

#include <string_view>
#include <vector>

namespace pw::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

const std::vector<Migration>& SqliteMigrations();

}  // namespace pw::store
