// `pigweight scale-sim`: runs a ScaleSimulator in the foreground (demos, manual tests, scripts).
//
// Prints one JSON line {"port":N,"url":"tcp://127.0.0.1:N"} on stdout once listening (so a
// script can use --port 0), then serves until SIGINT/SIGTERM or --duration-s.
// Exit codes: 0 ok, 1 cannot listen, 2 bad options.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "scale/simulator.h"

namespace pw::scale {

// Registers the `scale-sim` subcommand and returns the function that runs it after parsing
// (same shape as pw::app::Command).
std::function<int()> AddScaleSimCommand(CLI::App& app);

// Runs the simulator until a signal or `duration_s` (0: no limit). Blocks SIGINT/SIGTERM in the
// calling thread while it runs.
int RunScaleSim(const SimulatorOptions& options, double duration_s);

}  // namespace pw::scale
