// Aligned columns for the text screens, coloured after padding so escapes never skew widths.
#pragma once

#include <string>
#include <vector>

#include "kubectl-plugin/output.h"

namespace tidemark::kubectl {

enum class Tone { kPlain, kGood, kBad, kWarn, kDim };

struct Cell {
  std::string text;
  Tone tone = Tone::kPlain;
};

// Header in bold, every line indented by `indent` spaces; the last column is not padded.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<Cell>>& rows, const Paint& paint,
                        int indent = 2);

std::string Painted(const Cell& cell, const Paint& paint);

}  // namespace tidemark::kubectl
