#pragma once

#include <QRgb>

#include <vector>

// Colour-blind-aware palettes as scanpy uses them (plotting/palettes.py): vega_20_scanpy ("default_20"), Zeileis et
// al.'s 28 ("default_28") and godsnot's 102, chosen by the number of categories as scanpy does; and matplotlib's
// viridis for continuous values (perceptually uniform, readable with every common colour-vision deficiency).
// palettes.cpp was generated from matplotlib's tab20/viridis tables and scanpy's lists.
namespace nym::ui::palettes {

// `categories` opaque colours.
std::vector<QRgb> categorical(int categories);
// Viridis at t in [0, 1] (clamped; NaN gives the low end).
QRgb viridis(double t);

}   // namespace nym::ui::palettes
