// The boundary's wire format: values cross exactly, and hostile bytes are refused before
// anything is allocated for them.
#include "params.hpp"
#include "wire.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace {

using namespace bnkit::boundary;

template <typename T>
T round_trip(const T& value) {
  Writer w;
  encode(w, value);
  Reader r(w.bytes());
  T back = decode<T>(r);
  EXPECT_TRUE(r.done());
  return back;
}

TEST(Wire, RoundTripsMatricesExactlyIncludingNaNAndSignedZero) {
  Eigen::MatrixXd m(2, 3);
  m << 0.1, -0.0, std::numeric_limits<double>::quiet_NaN(), 1e300, -2e-300, 1.0 / 3.0;
  const Eigen::MatrixXd back = round_trip(m);
  ASSERT_EQ(back.rows(), 2);
  ASSERT_EQ(back.cols(), 3);
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    if (std::isnan(m(i))) {
      EXPECT_TRUE(std::isnan(back(i)));
    } else {
      EXPECT_EQ(std::signbit(back(i)), std::signbit(m(i)));
      EXPECT_EQ(back(i), m(i));
    }
  }
}

TEST(Wire, RoundTripsTensorsOptionalsAndStrings) {
  const bnkit::Tensor t({2, 1, 3}, Eigen::VectorXd::LinSpaced(6, -1.0, 4.0));
  const bnkit::Tensor back = round_trip(t);
  EXPECT_EQ(back.shape(), t.shape());
  EXPECT_EQ(back.values(), t.values());
  EXPECT_EQ(round_trip(std::optional<double>()), std::nullopt);
  EXPECT_EQ(round_trip(std::optional<double>(0.25)), 0.25);
  EXPECT_EQ(round_trip(std::string("a\0b", 3)), std::string("a\0b", 3));
  EXPECT_EQ(round_trip(long{-7}), -7);
}

TEST(Wire, ADefaultTensorCrossesAsAnEmptyOne) {
  Writer w;
  encode(w, bnkit::Tensor());
  encode(w, 2.5);  // what follows must still be read correctly
  Reader r(w.bytes());
  const bnkit::Tensor back = decode<bnkit::Tensor>(r);
  EXPECT_EQ(back.numel(), 0);
  EXPECT_EQ(decode<double>(r), 2.5);
  EXPECT_TRUE(r.done());
}

TEST(Wire, RefusesAMatrixLargerThanTheMessage) {
  Writer w;
  w.i64(1 << 20);
  w.i64(1 << 20);  // a trillion values, but no bytes behind them
  Reader r(w.bytes());
  EXPECT_THROW(decode<Eigen::MatrixXd>(r), WireError);
}

// Sizes whose product wraps around 2^64 to a small number: refused as a tampered reply
// (WireError), never an allocation of the unwrapped size (std::bad_alloc) or a read past it.
TEST(Wire, RefusesAMatrixWhoseSizeWraps) {
  const std::vector<std::pair<std::int64_t, std::int64_t>> wrapping = {
      {std::int64_t{1} << 32, std::int64_t{1} << 32},  // 2^64: wraps to 0
      {3, 6148914691236517206},                        // 3 * that = 2^64 + 2: wraps to 2
      {6148914691236517206, 3}};
  for (const auto& [rows, cols] : wrapping) {
    Writer w;
    w.i64(rows);
    w.i64(cols);
    w.raw("0123456789abcdef", 16);  // two doubles' worth: what the wrapped size would read
    Reader r(w.bytes());
    EXPECT_THROW(decode<Eigen::MatrixXd>(r), WireError) << rows << " x " << cols;
    Reader again(w.bytes());
    EXPECT_THROW(decode<Eigen::VectorXd>(again), WireError) << rows << " x " << cols;
  }
  // The same two values as a size that fits are read (so the refusal is about the size).
  Writer ok;
  ok.i64(2);
  ok.i64(1);
  ok.raw("0123456789abcdef", 16);
  Reader r(ok.bytes());
  EXPECT_EQ(decode<Eigen::MatrixXd>(r).size(), 2);
}

TEST(Wire, RefusesNegativeSizesBadBoolsAndTruncation) {
  Writer neg;
  neg.i64(-1);
  neg.i64(2);
  Reader r1(neg.bytes());
  EXPECT_THROW(decode<Eigen::MatrixXd>(r1), WireError);
  Writer flag;
  flag.u8(7);
  Reader r2(flag.bytes());
  EXPECT_THROW(decode<bool>(r2), WireError);
  Writer s;
  s.u64(100);
  s.raw("abc", 3);
  Reader r3(s.bytes());
  EXPECT_THROW(decode<std::string>(r3), WireError);
}

TEST(Wire, RefusesATensorWhoseDimensionsOverflow) {
  Writer w;
  w.u64(3);
  for (int i = 0; i < 3; ++i) w.i64(std::int64_t{1} << 40);
  Reader r(w.bytes());
  EXPECT_THROW(decode<bnkit::Tensor>(r), WireError);
}

TEST(Params, KnowsWhichArgumentsAreWrittenBack) {
  static_assert(Param<Eigen::Ref<Eigen::VectorXd>>::out);
  static_assert(!Param<const Eigen::Ref<const Eigen::MatrixXd>&>::out);
  static_assert(Param<bnkit::Tensor&>::out);
  static_assert(!Param<const bnkit::Tensor&>::out);
  static_assert(!Param<double>::out);
  static_assert(std::is_same_v<Param<const Eigen::Ref<const Eigen::MatrixXd>&>::Stored, Eigen::MatrixXd>);
}

TEST(Params, AnOutputThatChangedSizeIsRefused) {
  Eigen::VectorXd target(3);
  Eigen::Ref<Eigen::VectorXd> ref(target);
  Writer w;
  encode(w, Eigen::VectorXd(Eigen::VectorXd::Ones(5)));
  Reader r(w.bytes());
  EXPECT_THROW(write_back_arg<Eigen::Ref<Eigen::VectorXd>>(r, ref), WireError);
}

}  // namespace
