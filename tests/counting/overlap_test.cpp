// Overlap measures and the optimal assignment the tracker matches with.
#include <gtest/gtest.h>

#include "counting/assignment.h"
#include "counting/overlap.h"
#include "test_instances.h"

namespace pw::counting {
namespace {

TEST(CountingOverlap, BoxIoUIsExact) {
  EXPECT_FLOAT_EQ(BoxIoU({0, 0, 10, 10}, {0, 0, 10, 10}), 1.f);
  EXPECT_FLOAT_EQ(BoxIoU({0, 0, 10, 10}, {5, 0, 10, 10}), 50.f / 150.f);
  EXPECT_FLOAT_EQ(BoxIoU({0, 0, 10, 10}, {10, 0, 10, 10}), 0.f);
  EXPECT_FLOAT_EQ(BoxIoU({0, 0, 0, 0}, {0, 0, 0, 0}), 0.f);
}

TEST(CountingOverlap, PolygonIoUSeparatesDiagonalNeighboursThatBoxesConfuse) {
  // Two pigs lying side by side along a diagonal: their boxes overlap a lot, their bodies barely.
  const infer::Instance a = test::Diagonal({100, 100}, 120, 30, 45);
  const infer::Instance b = test::Diagonal({125, 75}, 120, 30, 45);
  EXPECT_GT(BoxIoU(a.box, b.box), 0.4f);
  EXPECT_LT(PolygonIoU(a.polygon, {0, 0}, b.polygon), 0.1f);
  EXPECT_GT(PolygonIoU(a.polygon, {0, 0}, a.polygon), 0.95f);
  // The offset moves the first outline onto the second.
  EXPECT_GT(PolygonIoU(a.polygon, {25, -25}, b.polygon), 0.9f);
}

TEST(CountingOverlap, PolygonIoUOfDegenerateOrDisjointOutlinesIsZero) {
  const infer::Instance a = test::Diagonal({100, 100}, 60, 20, 0);
  EXPECT_EQ(PolygonIoU({}, {0, 0}, a.polygon), 0.f);
  EXPECT_EQ(PolygonIoU(a.polygon, {500, 0}, a.polygon), 0.f);
}

TEST(CountingAssignment, FindsTheOptimumWhereGreedyFails) {
  // Greedy takes (0,0)=0.1 then (1,1)=0.9; the optimum is (0,1)+(1,0)=0.35.
  const std::vector<double> cost = {0.1, 0.2,
                                    0.15, 0.9};
  EXPECT_EQ(SolveAssignment(cost, 2, 2), (std::vector<int>{1, 0}));
}

TEST(CountingAssignment, HandlesMoreRowsOrMoreColumns) {
  const std::vector<double> wide = {0.9, 0.1, 0.5};  // 1 x 3
  EXPECT_EQ(SolveAssignment(wide, 1, 3), (std::vector<int>{1}));
  const std::vector<double> tall = {0.9, 0.1, 0.5};  // 3 x 1
  EXPECT_EQ(SolveAssignment(tall, 3, 1), (std::vector<int>{-1, 0, -1}));
  EXPECT_TRUE(SolveAssignment({}, 0, 0).empty());
  EXPECT_EQ(SolveAssignment({}, 2, 0), (std::vector<int>{-1, -1}));
}

}  // namespace
}  // namespace pw::counting
