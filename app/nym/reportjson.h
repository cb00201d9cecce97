#pragma once

#include <nlohmann/json_fwd.hpp>

namespace nym {
struct PreflightReport;
struct GeneOverlap;
}   // namespace nym

namespace nym::cli {

nlohmann::json toJson(const PreflightReport &report);
nlohmann::json toJson(const GeneOverlap &overlap);
// Human-readable report for a terminal.
std::string toText(const PreflightReport &report);

}   // namespace nym::cli
