#include "counting/assignment.h"

#include <algorithm>
#include <limits>

namespace pw::counting {
namespace {

// Classic potentials formulation for n <= m; a(i, j) is the cost of row i (1..n), column j (1..m).
template <typename Cost>
std::vector<int> Hungarian(int n, int m, Cost a) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0), v(m + 1, 0), minv(m + 1);
  std::vector<int> p(m + 1, 0), way(m + 1, 0);
  std::vector<char> used(m + 1);
  for (int i = 1; i <= n; ++i) {
    p[0] = i;
    int j0 = 0;
    std::fill(minv.begin(), minv.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int i0 = p[j0];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = a(i0, j) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  std::vector<int> row_of_col(m, -1);
  for (int j = 1; j <= m; ++j) {
    if (p[j] > 0) row_of_col[j - 1] = p[j] - 1;
  }
  return row_of_col;
}

}  // namespace

std::vector<int> SolveAssignment(const std::vector<double>& cost, int rows, int cols) {
  std::vector<int> col_of_row(rows > 0 ? rows : 0, -1);
  if (rows <= 0 || cols <= 0) return col_of_row;
  if (rows <= cols) {
    const std::vector<int> row_of_col =
        Hungarian(rows, cols, [&](int i, int j) { return cost[static_cast<size_t>((i - 1) * cols + (j - 1))]; });
    for (int j = 0; j < cols; ++j) {
      if (row_of_col[j] >= 0) col_of_row[row_of_col[j]] = j;
    }
  } else {
    // Transposed: columns play rows.
    const std::vector<int> col_of_row_t =
        Hungarian(cols, rows, [&](int i, int j) { return cost[static_cast<size_t>((j - 1) * cols + (i - 1))]; });
    for (int i = 0; i < rows; ++i) col_of_row[i] = col_of_row_t[i];
  }
  return col_of_row;
}

}  // namespace pw::counting
