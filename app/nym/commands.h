#pragma once

namespace CLI {
class App;
}

namespace nym::cli {

// Each subcommand registers itself on the app; its callback runs the command and sets the exit code.
void addInspect(CLI::App &app, int &exitCode);
void addSimulate(CLI::App &app, int &exitCode);
void addConvert(CLI::App &app, int &exitCode);
void addTrain(CLI::App &app, int &exitCode);
void addPredict(CLI::App &app, int &exitCode);
void addExplain(CLI::App &app, int &exitCode);

}   // namespace nym::cli
