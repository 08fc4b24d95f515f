// LineFormat and ParseLine: turn one line of a weighing indicator's continuous output into a
// Reading (weight in kg, the indicator's own stability flag if it sends one, gross/net).
//
// The default format understands the common family
//     ST,GS,+0056.0kg     US,NT,-12.5 lb     OL,GS,+9999.9kg (overload → error)
// (flags ST/US/OL, GS/GW/G = gross, NT/NW/N = net; sign, decimals, spaces, unit kg/g/t/lb/lbs)
// and bare numbers ("  56.0 kg", "0056.0") that carry no stability flag.
// Other indicators: a regex spec with named roles, see LineFormat::FromSpec.
//
// ParseLine is a pure function: no I/O, no state, never throws; every rejected line gives a
// Status (kUnprocessable for garbage, kTooLarge for lines over kMaxLineBytes) whose message says
// what was wrong. Leading/trailing CR, LF, STX (0x02), ETX (0x03), NUL and spaces are ignored.
// Thread-safety: a LineFormat is immutable after FromSpec and may be shared between threads.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pw::scale {

// Longest line (without terminator) an indicator may send; longer ones are dropped as garbage.
inline constexpr std::size_t kMaxLineBytes = 256;

struct Reading {
  double value = 0;                     // as sent, in `unit`
  std::string unit;                     // normalised: "kg", "g", "t" or "lb"
  double kg = 0;                        // value converted to kilograms
  std::optional<bool> indicator_stable; // the indicator's ST/US flag; empty when it sends none
  bool net = false;                     // true for a net (tared) weight
};

// Kilograms per `unit` ("kg", "g", "t", "lb", "lbs", case-insensitive); empty when unknown.
std::optional<double> KgPerUnit(std::string_view unit);

struct LineFormat {
  // "" or "default": the built-in family above.
  // "regex:<ECMAScript regex>": the whole (trimmed) line must match; roles are named groups
  //   (?<value>...)  required, a signed decimal number (spaces after the sign allowed)
  //   (?<unit>...)   optional; when absent or empty the line is in `default_unit`
  //   (?<stable>...) optional; the indicator is stable when the text is one of stable_tokens,
  //                  unstable otherwise
  //   (?<net>...)    optional; net when the text is one of net_tokens
  //   e.g. regex:(?<stable>[SU])\s+(?<value>[-+]?[0-9.]+)\s*(?<unit>kg|lb)
  // Errors: kInvalidArgument naming the problem (bad regex, missing value group, unknown unit).
  static core::Result<LineFormat> FromSpec(std::string_view spec, std::string_view default_unit = "kg");

  std::string spec = "default";
  std::string default_unit = "kg";
  std::string stable_tokens = "ST,S,STABLE";  // comma-separated, case-insensitive
  std::string net_tokens = "NT,NW,N,NET";
  // Set for regex formats (shared: std::regex is costly to copy and immutable after build).
  std::shared_ptr<const std::regex> regex;
  int value_group = 0, unit_group = 0, stable_group = 0, net_group = 0;  // 0: role absent
};

// Parses one line (terminators optional). Never throws.
core::Result<Reading> ParseLine(std::string_view line, const LineFormat& format);

}  // namespace pw::scale
