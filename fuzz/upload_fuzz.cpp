// Fuzzes resumable uploads (library/uploads): the state an upload keeps on disk (<id>.json, which a
// crash or a full disk may leave damaged, and the .part file whose size is the offset), the offset
// a client claims in Upload-Offset, and the bytes it appends.
// Input layout: <part size byte><meta json>"\n%%\n"<Upload-Offset text>"\n%%\n"<body>.
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "library/uploads.h"
#include "library/video_library.h"
#include "store/store.h"

namespace {

using namespace pw;

struct World {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<library::VideoLibrary> library;
  std::unique_ptr<library::Uploads> uploads;
};
World* world = nullptr;  // lives for the whole process (the library owns a thread)

void Check(bool ok) {
  if (!ok) std::abort();
}

// As the PATCH handler reads Upload-Offset.
std::optional<std::uint64_t> ParseOffset(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::Quiet();
  world = new World;
  world->store = store::OpenSqliteStore(fuzz::ScratchDir() / "data").value();
  library::LibraryOptions options;
  options.data_dir = fuzz::ScratchDir() / "data";
  world->library = std::make_unique<library::VideoLibrary>(options, world->store->videos());
  world->uploads = std::make_unique<library::Uploads>(fuzz::ScratchDir() / "uploads", 1u << 20, *world->library);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t part_size = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto [meta, rest] = fuzz::SplitOnce(in, "\n%%\n");
  auto [offset_text, body] = fuzz::SplitOnce(rest, "\n%%\n");

  const std::string id = "0123456789abcdef01234567";
  const auto dir = fuzz::ScratchDir() / "uploads";
  fuzz::WriteBytes(dir / (id + ".json"), meta);
  fuzz::WriteBytes(dir / (id + ".part"), std::string(part_size, 'x'));

  auto& uploads = *world->uploads;
  (void)library::Uploads::ValidId(std::string(offset_text));
  auto state = uploads.Get(id);
  if (state.ok()) Check(state->offset == part_size);
  if (auto offset = ParseOffset(offset_text)) {
    auto append = uploads.BeginAppend(id, *offset);
    if (append.ok()) {
      Check(state.ok() && *offset == state->offset);
      auto half = body.size() / 2;
      if ((*append)->Write(body.data(), half).ok()) (void)(*append)->Write(body.data() + half, body.size() - half);
      auto closed = (*append)->Close();
      Check(closed.ok() && (closed->offset <= closed->length || closed->offset == part_size));
    }
  }
  (void)uploads.Abort(id);
  return 0;
}
