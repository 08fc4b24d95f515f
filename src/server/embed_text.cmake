# cmake -DIN=<text file> -DOUT=<.cpp> -DFUNCTION=<name> -P embed_text.cmake
# Writes a C++ source whose pw::server::<FUNCTION>() returns IN's text. The text goes in as raw
# string pieces of at most 16000 bytes (compilers need not accept longer literals), joined once.
file(READ "${IN}" text)
string(LENGTH "${text}" size)
set(pieces "")
set(pos 0)
while(pos LESS size)
  string(SUBSTRING "${text}" ${pos} 16000 piece)
  string(APPEND pieces "      R\"pw_embed(${piece})pw_embed\",\n")
  math(EXPR pos "${pos} + 16000")
endwhile()
file(WRITE "${OUT}.tmp" "// Generated from ${IN} by embed_text.cmake; do not edit.
#include <string>
#include <string_view>

namespace pw::server {

std::string_view ${FUNCTION}() {
  static const std::string text = [] {
    static const char* const pieces[] = {
${pieces}      nullptr};
    std::string all;
    for (const char* const* p = pieces; *p != nullptr; ++p) all += *p;
    return all;
  }();
  return text;
}

}  // namespace pw::server
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
