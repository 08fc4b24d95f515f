#include "core/status.h"

#include <gtest/gtest.h>

namespace pw::core {
namespace {

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, CarriesCodeAndMessage) {
  Status s = Status::NotFound("no video abc");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: no video abc");
  EXPECT_EQ(s.WithContext("probe").message(), "probe: no video abc");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good = 42;
  Result<int> bad = Status::Busy("queue full");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  EXPECT_TRUE(good.status().ok());
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kBusy);
}

Status FailsEarly(bool fail, int& reached) {
  PW_RETURN_IF_ERROR(fail ? Status::Internal("boom") : Status::Ok());
  reached = 1;
  return Status::Ok();
}

TEST(Status, ReturnIfErrorStopsAtTheFirstFailure) {
  int reached = 0;
  EXPECT_EQ(FailsEarly(true, reached).code(), Code::kInternal);
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(FailsEarly(false, reached).ok());
  EXPECT_EQ(reached, 1);
}

}  // namespace
}  // namespace pw::core
