// The SQLite CountIndexStore, sharing the store's connection and its lock. Internal to the store.
#pragma once

#include <memory>
#include <mutex>

#include "store/count_index.h"
#include "store/sqlite.h"

namespace pw::store {

std::unique_ptr<CountIndexStore> MakeSqliteCountIndexStore(Db& db, std::mutex& mu);

}  // namespace pw::store
