// The pigweight subcommands. Each Add* registers its CLI11 subcommand and returns the function
// that runs it (after parsing); exit codes: 0 ok, 1 runtime failure, 2 bad configuration/usage.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>

#include "core/status.h"

namespace pw::app {

using Command = std::function<int()>;

// The process environment as a map (the only place that reads it; config decides what is used).
std::map<std::string, std::string> CurrentEnvironment();

// Prints "pigweight: <message>" to stderr and returns the exit code for `st`: 2 for
// kInvalidArgument (bad configuration or usage), 1 otherwise.
int Fail(const core::Status& st);

Command AddServe(CLI::App& app);
Command AddGenScene(CLI::App& app);
Command AddProbe(CLI::App& app);
Command AddIndex(CLI::App& app);
Command AddCount(CLI::App& app);
Command AddModel(CLI::App& app);
Command AddLibrary(CLI::App& app);
Command AddEval(CLI::App& app);
Command AddBackup(CLI::App& app);
Command AddRestore(CLI::App& app);

}  // namespace pw::app
