// pigweight: one binary, several subcommands (see `pigweight --help`).
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "app/commands.h"
#include "core/log.h"

int main(int argc, char** argv) {
  pw::core::Timeline::Get();  // zero of the start-up timeline
  CLI::App app{"PigWeight: counts pigs on a weighing-pen scale from an overhead camera"};
  app.require_subcommand(1);
  app.set_version_flag("--version", PW_VERSION);
  std::map<CLI::App*, pw::app::Command> commands;
  auto add = [&](pw::app::Command c) { commands[app.get_subcommands({}).back()] = std::move(c); };
  add(pw::app::AddServe(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  return 2;
}
