// pw_gen_scene: the scene generator without the server (same flags as `pigweight gen-scene`).
#include <CLI/CLI.hpp>

#include "scenegen/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"Synthetic weighing-pen scenes with exact ground truth"};
  pw::scenegen::GenSceneOptions options;
  pw::scenegen::AddGenSceneFlags(app, options);
  CLI11_PARSE(app, argc, argv);
  return pw::scenegen::GenSceneMain(options);
}
