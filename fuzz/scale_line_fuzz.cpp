// Fuzzes the scale indicator's line parser: the byte stream goes through LineSplitter (as from a
// TCP or serial link), and every line through ParseLine with the default format and a regex format.
// A line that starts with "regex:" in the input is also compiled as a user-given format spec.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "scale/line_format.h"
#include "scale/line_splitter.h"

namespace {

using namespace pw::scale;

void Check(bool ok) {
  if (!ok) std::abort();
}

const LineFormat& RegexFormat() {
  static const LineFormat f =
      LineFormat::FromSpec(R"(regex:(?<stable>[SU])\s+(?<net>[GN])\s+(?<value>[-+]?\s*[0-9.]+)\s*(?<unit>kg|lb|g|t)?)", "kg")
          .value();
  return f;
}

void ParseAll(std::string_view line, const LineFormat& format) {
  auto r = ParseLine(line, format);
  if (r.ok()) {
    Check(std::isfinite(r->kg));
    Check(KgPerUnit(r->unit).has_value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pw::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static const LineFormat kDefault = LineFormat::FromSpec("default").value();
  LineSplitter splitter;
  // Feed in two pieces so a line cut across reads is exercised too.
  auto lines = splitter.Feed(bytes.substr(0, size / 2));
  auto more = splitter.Feed(bytes.substr(size / 2));
  lines.insert(lines.end(), more.begin(), more.end());
  for (const auto& line : lines) {
    Check(!line.empty() && line.size() <= kMaxLineBytes);
    ParseAll(line, kDefault);
    ParseAll(line, RegexFormat());
    if (line.rfind("regex:", 0) == 0 && line.size() < 64) {
      // User-given specs (SCALE_FORMAT): a bad regex must be a Status, never an exception or UB.
      // They are only compiled, not run: std::regex has no step limit, so a pattern with nested
      // repeats such as (.*+)* backtracks exponentially on any line — that is the operator's regex,
      // not a parser bug.
      (void)LineFormat::FromSpec(line);
    }
  }
  ParseAll(bytes, kDefault);  // the raw input as one line (overlong, control bytes)
  return 0;
}
