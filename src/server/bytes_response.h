// BytesResponse: an in-memory body (an HLS segment, a JPEG) answered with the same HTTP caching
// rules as files: ETag + If-None-Match (304), single Range (206/416), HEAD.
#pragma once

#include <string>

#include "server/http.h"

namespace pw::server {

Response BytesResponse(const Request& req, const std::string& bytes, const std::string& mime,
                       const std::string& etag, const std::string& cache_control);

}  // namespace pw::server
