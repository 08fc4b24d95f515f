#include "core/rate.h"

#include <charconv>
#include <cmath>

namespace pw::core {

std::string Rate::ToString() const {
  const char* unit = period_s == 1 ? "s" : period_s == 60 ? "min" : "h";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, count);
  return std::string(buf, ec == std::errc() ? end : buf) + "/" + unit;
}

Result<std::optional<Rate>> ParseRate(const std::string& text) {
  if (text == "off" || text == "0") return std::optional<Rate>();
  const auto bad = [&] {
    return Status::InvalidArgument("expected a rate such as 30/s, 20/min or 100/h, or off (got '" + text + "')");
  };
  auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0) return bad();
  double count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + slash, count);
  if (ec != std::errc() || end != text.data() + slash || !std::isfinite(count) || count <= 0) return bad();
  const std::string unit = text.substr(slash + 1);
  Rate r{count, 0};
  if (unit == "s") r.period_s = 1;
  else if (unit == "min") r.period_s = 60;
  else if (unit == "h") r.period_s = 3600;
  else return bad();
  return std::optional<Rate>(r);
}

}  // namespace pw::core
