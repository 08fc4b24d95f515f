// Routes FFmpeg's own log lines into our log: FFmpeg's errors about a bad file are reported by
// our calls as a Status with the reason, so its messages go to debug level instead of stderr.
#pragma once

namespace pw::media {

// Installs the callback once; safe to call from several places.
void RouteFfmpegLogs();

}  // namespace pw::media
