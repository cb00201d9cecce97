#pragma once

#include "core/export/palettes.h"

// The browser draws with core's palettes (the exports write the same colours into uns/<column>_colors).
namespace nym::ui {
namespace palettes = nym::palettes;
}   // namespace nym::ui
