// gzip compression (zlib) for text responses. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace pw::server {

std::string Gzip(std::string_view data, int level = 6);
// Whether an Accept-Encoding header admits gzip (absent, or with q=0, does not).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace pw::server
