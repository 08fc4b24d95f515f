// Small text helpers for parsing settings and headers: blanks (spaces and tabs) trimmed, and
// comma- (or other) separated lists. Views into the caller's text; nothing is copied.
#pragma once

#include <string_view>
#include <vector>

namespace pw::core {

// `s` without leading and trailing spaces and tabs.
std::string_view TrimBlanks(std::string_view s);

// The items of `s` between `sep`, each trimmed of blanks; empty items are kept ("a,,b" → a, "", b;
// "" → one empty item).
std::vector<std::string_view> SplitList(std::string_view s, char sep = ',');

}  // namespace pw::core
