// The SQLite Journal, sharing the store's connection and the lock that serialises it.
// Internal to the store module.
#pragma once

#include <memory>
#include <mutex>

#include "store/journal.h"
#include "store/sqlite.h"

namespace pw::store {

std::unique_ptr<Journal> MakeSqliteJournal(Db& db, std::mutex& mu);

}  // namespace pw::store
