#include "kubectl-plugin/table.h"

#include <algorithm>

namespace tidemark::kubectl {

std::string Painted(const Cell& cell, const Paint& paint) {
  switch (cell.tone) {
    case Tone::kGood:
      return paint.Good(cell.text);
    case Tone::kBad:
      return paint.Bad(cell.text);
    case Tone::kWarn:
      return paint.Warn(cell.text);
    case Tone::kDim:
      return paint.Dim(cell.text);
    case Tone::kPlain:
      break;
  }
  return cell.text;
}

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<Cell>>& rows, const Paint& paint,
                        int indent) {
  std::vector<size_t> width(header.size(), 0);
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size() && c < width.size(); ++c)
      width[c] = std::max(width[c], row[c].text.size());
  const std::string pad(static_cast<size_t>(indent), ' ');
  auto line = [&](const std::vector<Cell>& cells, bool bold) {
    std::string out = pad;
    for (size_t c = 0; c < cells.size() && c < width.size(); ++c) {
      const bool last = c + 1 == cells.size();
      std::string text = bold ? paint.Bold(cells[c].text) : Painted(cells[c], paint);
      out += text;
      if (!last) out += std::string(width[c] - cells[c].text.size() + 2, ' ');
    }
    return out + "\n";
  };
  std::vector<Cell> head;
  for (const auto& h : header) head.push_back({h});
  std::string out = line(head, true);
  for (const auto& row : rows) out += line(row, false);
  return out;
}

}  // namespace tidemark::kubectl
