// Fuzzes the video probe with mutated media files: each input is written to a scratch file (Probe
// reads a path, as for uploads and videos registered in place) and probed; a successful probe is
// also turned into its JSON, as the API does.
#include <cstdint>
#include <string_view>

extern "C" {
#include <libavutil/log.h>
}
#include <nlohmann/json.hpp>

#include "fuzz_util.h"
#include "media/probe.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  av_log_set_level(AV_LOG_QUIET);
  pw::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pw;
  const auto path = fuzz::ScratchDir() / "input.bin";
  fuzz::WriteBytes(path, std::string_view(reinterpret_cast<const char*>(data), size));
  auto info = media::Probe(path);
  if (info.ok()) (void)media::ToJson(*info).dump();
  return 0;
}
