#include "server/gzip.h"

#include <zlib.h>

#include <cctype>
#include <stdexcept>

namespace pw::server {

std::string Gzip(std::string_view data, int level) {
  z_stream zs{};
  // windowBits 15 + 16: gzip wrapper instead of zlib's.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, data.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

bool AcceptsGzip(std::string_view header) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    std::string token;
    std::string params;
    auto semi = item.find(';');
    for (char c : item.substr(0, semi)) {
      if (!std::isspace(static_cast<unsigned char>(c))) token += static_cast<char>(std::tolower(c));
    }
    if (token != "gzip" && token != "*") continue;
    if (semi != std::string_view::npos) {
      for (char c : item.substr(semi + 1)) {
        if (!std::isspace(static_cast<unsigned char>(c))) params += c;
      }
      if (params == "q=0" || params == "q=0.0" || params == "q=0.00" || params == "q=0.000") return false;
    }
    return true;
  }
  return false;
}

}  // namespace pw::server
