#pragma once

#include <cstdint>
#include <string>
#include <vector>

// Colour-blind-aware palettes as scanpy uses them (plotting/palettes.py): vega_20_scanpy ("default_20"), Zeileis et
// al.'s 28 ("default_28") and godsnot's 102, chosen by the number of categories as scanpy does; and matplotlib's
// viridis for continuous values (perceptually uniform, readable with every common colour-vision deficiency).
// palettes.cpp was generated from matplotlib's tab20/viridis tables and scanpy's lists. Colours are 0xAARRGGBB
// (Qt's QRgb), so the browser and the exports (uns/<column>_colors) use the very same values.
namespace nym::palettes {

// Cells without a value (Unassigned, missing): light grey.
inline constexpr std::uint32_t kNoValue = 0xffc8c8c8u;

// `categories` opaque colours.
std::vector<std::uint32_t> categorical(int categories);
// Viridis at t in [0, 1] (clamped; NaN gives the low end).
std::uint32_t viridis(double t);
// "#rrggbb", the form anndata files keep colours in.
std::string hex(std::uint32_t rgb);

}   // namespace nym::palettes
