// Minimum-cost assignment (Hungarian method, O(n²·m)) between the rows and columns of a cost
// matrix — the tracker's optimal matching of tracks to detections.
//
// Thread-safety: pure function.
#pragma once

#include <vector>

namespace pw::counting {

// `cost` is rows × cols, row-major. Returns, for each row, the column assigned to it or -1 (when
// there are more rows than columns). Every column is used at most once; the total cost of the
// assigned pairs is minimal among assignments of min(rows, cols) pairs.
std::vector<int> SolveAssignment(const std::vector<double>& cost, int rows, int cols);

}  // namespace pw::counting
