// The OpenAPI 3 document of the HTTP API (docs/openapi.json), embedded in the binary at build time
// (see embed_text.cmake) so GET /api/openapi.json answers wherever the server runs.
// tests/integration/openapi_test.cpp checks it against the router: no route undocumented, no
// documented route missing. Thread-safe: immutable data.
#pragma once

#include <string_view>

namespace pw::server {

// The document's JSON text, as written in docs/openapi.json.
std::string_view OpenApiDocument();

}  // namespace pw::server
