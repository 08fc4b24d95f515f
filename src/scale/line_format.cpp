#include "scale/line_format.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/text.h"

namespace pw::scale {
namespace {

using core::Result;
using core::Status;

constexpr std::size_t kMaxNumberChars = 15;  // digits and point: more is garbage, not a weight

bool IsFramingByte(char c) {
  return c == '\r' || c == '\n' || c == '\x02' || c == '\x03' || c == '\0' || c == ' ' || c == '\t';
}

std::string_view TrimFraming(std::string_view s) {
  while (!s.empty() && IsFramingByte(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsFramingByte(s.back())) s.remove_suffix(1);
  return s;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Printable excerpt of a rejected line for error messages (control bytes as \xNN, cut at 40).
std::string Excerpt(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) out += c;
    else out += fmt::format("\\x{:02x}", u);
  }
  if (s.size() > 40) out += "...";
  return out;
}

Status Garbage(std::string_view line, std::string_view why) {
  return Status::Unprocessable(fmt::format("scale line '{}' is not a weight: {}", Excerpt(line), why));
}

bool InTokenList(std::string_view text, std::string_view list) {
  std::string want = Upper(core::TrimBlanks(text));
  while (!list.empty()) {
    auto comma = list.find(',');
    if (Upper(core::TrimBlanks(list.substr(0, comma))) == want) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// "+0056.0", "- 12.5", "56": sign, optional spaces, digits with at most one point.
std::optional<double> ParseNumber(std::string_view s) {
  s = core::TrimBlanks(s);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s = core::TrimBlanks(s.substr(1));
  }
  if (s.empty() || s.size() > kMaxNumberChars) return std::nullopt;
  int points = 0;
  for (char c : s) {
    if (c == '.') ++points;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  if (points > 1 || s == ".") return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return negative ? -v : v;
}

// Fills value/unit/kg of `r` from a number and a unit text (empty: the format's default unit).
Status SetWeight(std::string_view line, std::string_view number, std::string_view unit,
                 const LineFormat& format, Reading& r) {
  if (core::TrimBlanks(number).empty()) return Garbage(line, "no number where the weight should be (e.g. ST,GS,+0056.0kg)");
  auto value = ParseNumber(number);
  if (!value) return Garbage(line, fmt::format("'{}' is not a number", Excerpt(number)));
  unit = core::TrimBlanks(unit);
  if (!std::all_of(unit.begin(), unit.end(), [](unsigned char c) { return std::isalpha(c) != 0; }))
    return Garbage(line, fmt::format("unexpected text '{}' after the number", Excerpt(unit)));
  if (unit.empty()) unit = format.default_unit;
  auto factor = KgPerUnit(unit);
  if (!factor) return Garbage(line, fmt::format("unknown unit '{}' (known: kg, g, t, lb)", Excerpt(unit)));
  r.value = *value;
  r.unit = Upper(unit) == "LBS" ? "lb" : std::string(unit);
  std::transform(r.unit.begin(), r.unit.end(), r.unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  r.kg = *value * *factor;
  return Status::Ok();
}

// Splits "+0056.0 kg" into number and unit at the first letter.
std::pair<std::string_view, std::string_view> SplitNumberUnit(std::string_view s) {
  s = core::TrimBlanks(s);
  auto letter = std::find_if(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c) != 0; });
  auto at = static_cast<std::size_t>(letter - s.begin());
  return {s.substr(0, at), s.substr(at)};
}

Status ApplyDefaultFlag(std::string_view line, std::string_view field, Reading& r) {
  std::string f = Upper(core::TrimBlanks(field));
  if (f == "ST") r.indicator_stable = true;
  else if (f == "US") r.indicator_stable = false;
  else if (f == "GS" || f == "GW" || f == "G") r.net = false;
  else if (f == "NT" || f == "NW" || f == "N") r.net = true;
  else if (f == "OL") return Status::Unprocessable("the scale indicator reports overload (OL): the load is over its capacity");
  else return Garbage(line, fmt::format("unknown flag '{}' (expected ST/US/OL, GS/NT)", Excerpt(field)));
  return Status::Ok();
}

Result<Reading> ParseDefault(std::string_view line, const LineFormat& format) {
  std::vector<std::string_view> fields;
  for (std::string_view rest = line;;) {
    auto comma = rest.find(',');
    fields.push_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (fields.size() > 5) return Garbage(line, "too many comma-separated fields");
  Reading r;
  for (std::size_t i = 0; i + 1 < fields.size(); ++i) PW_RETURN_IF_ERROR(ApplyDefaultFlag(line, fields[i], r));
  auto [number, unit] = SplitNumberUnit(fields.back());
  PW_RETURN_IF_ERROR(SetWeight(line, number, unit, format, r));
  return r;
}

Result<Reading> ParseRegex(std::string_view line, const LineFormat& format) {
  std::match_results<std::string_view::const_iterator> m;
  try {
    if (!std::regex_match(line.begin(), line.end(), m, *format.regex))
      return Garbage(line, fmt::format("does not match the configured format '{}'", format.spec));
  } catch (const std::regex_error& e) {  // e.g. error_complexity on a hostile line
    return Garbage(line, fmt::format("the format's regex gave up: {}", e.what()));
  }
  auto group = [&](int i) -> std::string_view {
    if (i <= 0 || !m[i].matched) return {};
    return {&*m[i].first, static_cast<std::size_t>(m[i].length())};
  };
  Reading r;
  PW_RETURN_IF_ERROR(SetWeight(line, group(format.value_group), group(format.unit_group), format, r));
  if (format.stable_group > 0) r.indicator_stable = InTokenList(group(format.stable_group), format.stable_tokens);
  if (format.net_group > 0) r.net = InTokenList(group(format.net_group), format.net_tokens);
  return r;
}

// Refuses repeat counts {n,m} and back-references \n above 999: no line needs them, and
// libstdc++'s regex compiler overflows a signed long reading a long one (undefined behaviour,
// found by fuzz/scale_line_fuzz) and builds one NFA state per repeat.
Status CheckRegexNumbers(std::string_view pattern) {
  bool in_class = false, in_repeat = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    bool counted = in_repeat || (i > 0 && pattern[i - 1] == '\\' && !in_class);
    if (c >= '0' && c <= '9' && counted) {
      std::size_t end = pattern.find_first_not_of("0123456789", i);
      if (end == std::string_view::npos) end = pattern.size();
      if (end - i > 3) {
        return Status::InvalidArgument(fmt::format(
            "scale format: the number {} in the regex is too large (repeats and back-references stop at 999)",
            pattern.substr(i, end - i)));
      }
      i = end - 1;
      continue;
    }
    if (c == '\\') {
      if (i + 1 < pattern.size() && !(pattern[i + 1] >= '0' && pattern[i + 1] <= '9')) ++i;  // an escaped char
      continue;
    }
    if (in_class) in_class = c != ']';
    else if (c == '[') in_class = true;
    else if (c == '{') in_repeat = true;
    else if (c == '}') in_repeat = false;
  }
  return Status::Ok();
}

// Rewrites "(?<name>" groups to plain "(" and records each role's group number.
Status TranslateNamedGroups(std::string_view pattern, std::string& out, LineFormat& f) {
  int group = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += pattern.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(' && pattern.substr(i, 3) == "(?<") {
      auto close = pattern.find('>', i);
      if (close == std::string_view::npos) return Status::InvalidArgument("scale format: unterminated (?<name> group");
      std::string_view name = pattern.substr(i + 3, close - i - 3);
      ++group;
      int* slot = name == "value" ? &f.value_group : name == "unit" ? &f.unit_group
                : name == "stable" ? &f.stable_group : name == "net" ? &f.net_group : nullptr;
      if (!slot) return Status::InvalidArgument(fmt::format("scale format: unknown group name '{}' (use value, unit, stable, net)", name));
      if (*slot) return Status::InvalidArgument(fmt::format("scale format: group '{}' appears twice", name));
      *slot = group;
      out += '(';
      i = close;
      continue;
    } else if (c == '(' && (i + 1 >= pattern.size() || pattern[i + 1] != '?')) {
      ++group;
    }
    out += c;
  }
  return Status::Ok();
}

}  // namespace

std::optional<double> KgPerUnit(std::string_view unit) {
  std::string u = Upper(core::TrimBlanks(unit));
  if (u == "KG") return 1.0;
  if (u == "G") return 0.001;
  if (u == "T") return 1000.0;
  if (u == "LB" || u == "LBS") return 0.45359237;
  return std::nullopt;
}

Result<LineFormat> LineFormat::FromSpec(std::string_view spec, std::string_view default_unit) {
  LineFormat f;
  if (!KgPerUnit(default_unit))
    return Status::InvalidArgument(fmt::format("scale default unit '{}' is unknown (use kg, g, t or lb)", default_unit));
  f.default_unit = std::string(default_unit);
  spec = core::TrimBlanks(spec);
  if (spec.empty() || spec == "default") return f;
  constexpr std::string_view kRegex = "regex:";
  if (spec.substr(0, kRegex.size()) != kRegex)
    return Status::InvalidArgument(fmt::format(
        "scale format '{}' is not understood: use 'default' or 'regex:<pattern with (?<value>...)>'", spec));
  std::string pattern;
  PW_RETURN_IF_ERROR(TranslateNamedGroups(spec.substr(kRegex.size()), pattern, f));
  if (f.value_group == 0) return Status::InvalidArgument("scale format: the regex needs a (?<value>...) group");
  PW_RETURN_IF_ERROR(CheckRegexNumbers(pattern));
  try {
    f.regex = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    return Status::InvalidArgument(fmt::format("scale format: invalid regex '{}': {}", pattern, e.what()));
  }
  f.spec = std::string(spec);
  return f;
}

Result<Reading> ParseLine(std::string_view line, const LineFormat& format) {
  if (line.size() > kMaxLineBytes)
    return Status::TooLarge(fmt::format("scale line of {} bytes dropped (longest accepted: {})", line.size(), kMaxLineBytes));
  std::string_view body = TrimFraming(line);
  if (body.empty()) return Garbage(line, "empty line");
  for (char c : body) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u >= 0x7f) return Garbage(line, fmt::format("control or non-ASCII byte 0x{:02x}", u));
  }
  return format.regex ? ParseRegex(body, format) : ParseDefault(body, format);
}

}  // namespace pw::scale
