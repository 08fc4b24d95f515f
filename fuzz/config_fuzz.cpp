// Fuzzes configuration input: the config file (TOML or JSON, chosen by the first byte) and the
// text of setting values as they come from the environment. Input layout:
// <kind byte><file bytes>["\n%%\n"<value lines>], each value line <setting selector byte><value>.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/config.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pw::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  using namespace pw;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto [file_bytes, values] = fuzz::SplitOnce(in, "\n%%\n");
  const auto path = fuzz::ScratchDir() / ((data[0] & 1) ? "config.json" : "config.toml");
  fuzz::WriteBytes(path, file_bytes);

  core::ConfigInputs file_only;
  file_only.file = path;
  auto loaded = core::LoadConfig(file_only);
  if (loaded.ok()) (void)core::DescribeConfig(loaded->config);

  int lines = 0;
  while (!values.empty() && lines++ < 4) {
    auto [line, rest] = fuzz::SplitOnce(values, "\n");
    values = rest;
    if (line.empty()) continue;
    // The line's first byte picks the setting, the rest is its value as an environment variable.
    const auto& settings = core::Settings();
    const auto& s = settings[static_cast<unsigned char>(line[0]) % settings.size()];
    core::ConfigInputs env_only;
    env_only.env[s.env] = std::string(line.substr(1));
    auto r = core::LoadConfig(env_only);
    if (r.ok()) (void)core::DescribeConfig(r->config);
  }
  return 0;
}
