// Where a weighing's evidence comes from: the picture and instances of a video position (the
// background index's stable span when there is one) or of a camera's latest counted frame.
#pragma once

#include "infer/engine.h"
#include "library/frame_counts.h"
#include "library/indexer.h"
#include "live/camera_manager.h"
#include "weighing/journal_service.h"

namespace pw::app {

weighing::EvidenceProvider MakeEvidenceProvider(library::FrameCounter& counter, library::Indexer& indexer,
                                                live::CameraManager& cameras, infer::Engine& engine);

}  // namespace pw::app
