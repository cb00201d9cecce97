#pragma once

namespace CLI {
class App;
}

namespace nym::cli {

// The commands that need LibTorch live in a separately loaded module (libnym_engine.so, next to the executable):
// loading LibTorch costs about 0.5 s and 160 MB, which `nym inspect`, `simulate` and `convert` never pay.
inline constexpr const char *kTrainSummary = "Train scNym on labelled data and label the target data";
inline constexpr const char *kPredictSummary = "Label files with a trained model";
inline constexpr const char *kExplainSummary = "Rank the genes that drove a model's labels (saliency)";
inline constexpr const char *kReviewApplySummary = "Apply a review saved in Nym Studio (.nymproj) to its target file";
inline constexpr const char *kUmapSummary = "Lay out cells in a UMAP map of their embedding (obsm/X_umap)";
bool isEngineCommand(const char *name);
// Loads the engine module and runs the command line there; returns the exit code.
int runEngine(int argc, char **argv);
// Parses and runs a CLI11 app the same way in both halves: help, version, one-line errors.
int runApp(CLI::App &app, int argc, char **argv, const int &exitCode);

// Each subcommand registers itself on the app; its callback runs the command and sets the exit code.
void addInspect(CLI::App &app, int &exitCode);
void addSimulate(CLI::App &app, int &exitCode);
void addConvert(CLI::App &app, int &exitCode);
void addTrain(CLI::App &app, int &exitCode);
void addPredict(CLI::App &app, int &exitCode);
void addExplain(CLI::App &app, int &exitCode);
void addUmap(CLI::App &app, int &exitCode);
void addReviewApply(CLI::App &app, int &exitCode);

}   // namespace nym::cli
