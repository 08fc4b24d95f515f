// Helpers shared by the fuzz targets: a per-process scratch directory (under $PW_FUZZ_SCRATCH, set by
// scripts/fuzz so a crashed run leaves nothing behind, else in /dev/shm when it exists, so writing an
// input to a file per run stays cheap) and a file writer.
#pragma once

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace pw::fuzz {

// Silences our logs: a fuzzer runs millions of inputs, most of them rejected with a warning.
inline void Quiet() { spdlog::set_level(spdlog::level::off); }

// A directory that lives as long as the fuzzing process (removed at exit).
inline const std::filesystem::path& ScratchDir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      const char* env = std::getenv("PW_FUZZ_SCRATCH");
      std::filesystem::path base = env && *env                              ? std::filesystem::path(env)
                                   : std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                          : std::filesystem::temp_directory_path();
      path = base / ("pw-fuzz-" + std::to_string(::getpid()));
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static Dir dir;
  return dir.path;
}

inline void WriteBytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Splits the input at the first occurrence of `sep` (the rest is empty when absent).
inline std::pair<std::string_view, std::string_view> SplitOnce(std::string_view in, std::string_view sep) {
  auto at = in.find(sep);
  if (at == std::string_view::npos) return {in, {}};
  return {in.substr(0, at), in.substr(at + sep.size())};
}

}  // namespace pw::fuzz
