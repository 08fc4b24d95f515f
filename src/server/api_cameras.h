// Camera routes (thin: they call live::CameraManager):
//   GET/POST /api/cameras, GET/PATCH/DELETE /api/cameras/{id}, POST /api/cameras/{id}/start|stop,
//   GET /api/cameras/{id}/snapshot[?overlay=1]  latest frame as JPEG (503 + reason until a first frame),
//   GET /api/cameras/{id}/mjpeg                 multipart/x-mixed-replace, one shared encode per camera,
//   GET /api/snapshot?camera=, GET /api/video_feed?camera=  aliases (camera defaults to the first).
// Credentials in camera URLs are never echoed back (live::MaskedUrl). Work that can block (file
// writes, stopping a camera, JPEG encoding) runs on `pool`, never on the network threads.
#pragma once

#include "core/thread_pool.h"
#include "live/camera_manager.h"
#include "server/router.h"

namespace pw::server {

// `cameras` and `pool` must outlive the router.
void AddCameraRoutes(Router& router, live::CameraManager& cameras, core::ThreadPool& pool);

}  // namespace pw::server
