// Video library routes: resumable uploads (tus 1.0 semantics), registering files in place, the
// video list, HLS VOD, frame at time, thumbnails. Handlers only parse, call the library on the
// work pool and map the result.
#pragma once

#include "core/thread_pool.h"
#include "library/uploads.h"
#include "library/video_library.h"
#include "server/router.h"
#include "server/ws_hub.h"

namespace pw::server {

struct VideoRoutesContext {
  library::VideoLibrary& library;
  library::Uploads& uploads;
  core::ThreadPool& pool;  // blocking work (probe, remux, decode)
  WsHub& hub;
};

void AddVideoRoutes(Router& router, VideoRoutesContext ctx);

// Decodes standard base64 (tus Upload-Metadata values); nullopt when malformed.
std::optional<std::string> DecodeBase64(std::string_view in);

}  // namespace pw::server
