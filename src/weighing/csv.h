// The journal as CSV for spreadsheets: UTF-8, one header row, one row per weighing.
// separator ',' — numbers with a decimal point; separator ';' — for Excel on RU/EU locales:
// decimal comma and a UTF-8 byte-order mark so Excel reads Cyrillic notes correctly. Fields with
// the separator, quotes or line breaks are quoted (RFC 4180). Formula-like text (=, +, -, @ at the
// start of a note or station) is prefixed with ' so a spreadsheet never runs it.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "store/journal.h"

namespace pw::weighing {

std::string JournalCsv(const std::vector<store::WeighingRow>& rows, char separator);

// The header row's column names, in order.
const std::vector<std::string>& JournalCsvColumns();

}  // namespace pw::weighing
