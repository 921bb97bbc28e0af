// The tolerances the lessons' tests compare with, by name, each with why it has that size.
// |got - expected| <= atol + rtol * |expected| (compare.hpp); Tolerance::forward() and
// Tolerance::gradient() are the defaults for ordinary forward values and gradients.
#pragma once

#include "compare.hpp"

namespace bnkit::grader {

// ------------------------------------------------------------------ exact and hand-checked

/// Bit for bit: a field a call must leave alone, a copy, a value that only moves.
inline constexpr Tolerance kUnchanged{0, 0};
/// Hand-checked numbers: a few operations on small values, so a few ulps.
inline constexpr Tolerance kHandChecked{1e-12, 1e-12};
/// 1 - m for a momentum m: exact to an ulp of 1.
inline constexpr Tolerance kUlpOfOne{1e-15, 0};
/// A fraction of a few hundred counted answers: exact but for its last digit.
inline constexpr Tolerance kCountedFraction{1e-12, 0};

// --------------------------------------------------------------------------- large offsets

/// Golden values near 1e4..1e5: any summation order gets the mean to ~1e-9, so y to a few
/// 1e-9, while E[x^2] - E[x]^2 is off by ~1e-6 relative (the tests check that premise).
inline constexpr Tolerance kLargeOffset{1e-8, 1e-7};
/// Random or golden inputs near 1e4..1e8 carry rounding of ~1e-11..1e-8 each: 1e-6 relative.
inline constexpr Tolerance kLargeOffsetRounding{1e-9, 1e-6};
/// Gradients of golden sequences near 1e5: xhat from the saved statistics, a few 1e-8.
inline constexpr Tolerance kLargeOffsetGradient{1e-7, 1e-6};
/// Gradients of random inputs near 1e4..1e5: one more order for the longer chains.
inline constexpr Tolerance kLargeOffsetRoundingGradient{1e-7, 1e-5};
/// x - running_mean with running means near 1e4..3e4: ~1e-12 of each value lost.
inline constexpr Tolerance kLargeRunningMean{1e-9, 1e-7};
/// Random running means near 5e4: ten times the loss of kLargeRunningMean.
inline constexpr Tolerance kLargeRunningMeanRounding{1e-8, 1e-6};

// -------------------------------------------------------------------- invariants and folds

/// Sums that cancel to 0 (or correlations that are 1) in exact arithmetic, of values ~1.
inline constexpr Tolerance kCancellation{1e-9, 0};
/// A dy with no component along 1 or xhat passes through BN: a few ulps of the projection.
inline constexpr Tolerance kPassThrough{1e-9, 1e-8};
/// Column means of y equal beta up to the rounding of a mean of 32 values.
inline constexpr Tolerance kColumnMean{1e-12, 1e-9};
/// Column stds of y are gamma * sqrt(var / (var + eps)): 1 within 1e-6 at a spread near 3.
inline constexpr Tolerance kColumnStd{1e-12, 1e-5};
/// BN(4x + 7) = BN(x) with eps 1e-12: the shift and scale round at ~1e-15 relative to 7.
inline constexpr Tolerance kShiftAndScale{1e-9, 1e-9};
/// A folded bias near 1e4 * s computed as s * (b - running_mean): a few ulps of 1e4.
inline constexpr Tolerance kFoldedBias{1e-9, 1e-8};
/// x W'^T + b' against Linear then BN: a matrix product of folded values near 1e4.
inline constexpr Tolerance kFoldedProduct{1e-7, 1e-8};
/// Two replays of the same arithmetic in another order (-O2 worker, the oracle) after a
/// few SGD steps agree to ~1e-13; one missing weight-decay term is ~1e-5.
inline constexpr Tolerance kReplay{1e-9, 1e-9};

}  // namespace bnkit::grader
