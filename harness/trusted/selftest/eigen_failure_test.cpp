// A failed Eigen check, from the worker's record to the student's sentence: the record
// survives the trip, hostile records are refused, the student's frame is the one named, and
// each common mistake gets its own words. The records and frames below are what Eigen 3.4
// and addr2line really produced for these mistakes (harness/adversarial/eigen_*).
#include "eigen_failure_report.hpp"

#include <gtest/gtest.h>

namespace {

using namespace bnkit::boundary;

const std::string kRoot = "/kit";

EigenCheck record(const std::string& condition, const std::string& function, const std::string& file, int line) {
  EigenCheck check;
  check.condition = condition;
  check.function = function;
  check.file = "/usr/include/eigen3/Eigen/src/Core/" + file;
  check.line = line;
  check.offsets = {0x5552c, 0x548ba, 0x531a0};
  return check;
}

SourceFrame frame(const std::string& function, const std::string& file, int line) {
  SourceFrame f;
  f.function = function;
  f.file = file;
  f.line = line;
  return f;
}

/// The Eigen frames of a check, then the student's line, then the dispatcher's.
std::vector<SourceFrame> stack(std::vector<SourceFrame> eigen, const std::string& student_file, int line) {
  eigen.push_back(frame("bnkit::batch_statistics(...)", kRoot + "/" + student_file, line));
  eigen.push_back(frame("bnkit::boundary::worker::call_function<...>", kRoot + "/harness/worker/dispatch.hpp", 108));
  return eigen;
}

const char* kCwiseCondition = "aLhs.rows() == aRhs.rows() && aLhs.cols() == aRhs.cols()";
const char* kCwiseFunction =
    "Eigen::CwiseBinaryOp<BinaryOp, Lhs, Rhs>::CwiseBinaryOp(const Lhs&, const Rhs&, const BinaryOp&) [with "
    "BinaryOp = Eigen::internal::scalar_difference_op<double, double>; LhsType = const Eigen::Ref<const "
    "Eigen::Matrix<double, -1, -1> >; RhsType = const Eigen::Replicate<Eigen::Ref<Eigen::Matrix<double, -1, 1> >, "
    "1, -1>; Lhs = Eigen::Ref<const Eigen::Matrix<double, -1, -1> >; Rhs = "
    "Eigen::Replicate<Eigen::Ref<Eigen::Matrix<double, -1, 1> >, 1, -1>]";

std::string sum_of(const std::string& lhs, const std::string& rhs) {
  return "Eigen::CwiseBinaryOp<BinaryOp, Lhs, Rhs>::CwiseBinaryOp(const Lhs&, const Rhs&, const BinaryOp&) [with "
         "BinaryOp = Eigen::internal::scalar_sum_op<double, double>; LhsType = const " + lhs + "; RhsType = const " +
         rhs + "; Lhs = " + lhs + "; Rhs = " + rhs + "]";
}

std::string message(const EigenCheck& check, const std::vector<SourceFrame>& frames, const std::string& arguments = "") {
  return eigen_failure_message("batch_statistics()", check, frames, kRoot, arguments);
}

TEST(EigenFailure, RecordSurvivesTheTripAndStaysOneFieldPerLine) {
  EigenCheck check = record("a\nb", kCwiseFunction, "CwiseBinaryOp.h", 116);
  check.offsets = {0, 0x1f2a3, 0xffffffffffffffff};
  const std::optional<EigenCheck> back = parse_eigen_check(encode_eigen_check(check));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->condition, "a b");  // a line break would end the field
  EXPECT_EQ(back->function, kCwiseFunction);
  EXPECT_EQ(back->file, check.file);
  EXPECT_EQ(back->line, 116);
  EXPECT_EQ(back->offsets, check.offsets);
}

TEST(EigenFailure, RecordKeepsAtMost64Frames) {
  EigenCheck check = record("x", "f", "Block.h", 1);
  check.offsets.assign(100, 0x10);
  const std::optional<EigenCheck> back = parse_eigen_check(encode_eigen_check(check));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->offsets.size(), 64u);
}

TEST(EigenFailure, RefusesWhatIsNotAWellFormedRecord) {
  const std::string good = encode_eigen_check(record("x", "f", "Block.h", 146));
  ASSERT_TRUE(parse_eigen_check(good).has_value());  // so each refusal below is the change it makes
  EXPECT_FALSE(parse_eigen_check("stack overflow (endless or too deep recursion?)"));
  EXPECT_FALSE(parse_eigen_check(""));
  auto with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return parse_eigen_check(text);
  };
  EXPECT_FALSE(with("frames: 5552c", "frames: 5552c;rm"));     // not hex: never reaches addr2line
  EXPECT_FALSE(with("frames: 5552c", "frames: -e /etc/x"));    // nor an option
  EXPECT_FALSE(with("frames: 5552c", "frames: 12345678901234567"));  // longer than 64 bits
  EXPECT_FALSE(with("Block.h:146", "Block.h:14x6"));
  EXPECT_FALSE(with("Block.h:146", "Block.h"));
  EXPECT_FALSE(with("condition: x", "extra: x"));
  EXPECT_FALSE(with("bnkit-eigen-check 1", "bnkit-eigen-check 2"));
  std::string many = "frames:";
  for (int i = 0; i < 65; ++i) many += " 1";
  EXPECT_FALSE(with("frames: 5552c 548ba 531a0", many));
}

TEST(EigenFailure, ReadsAddr2lineOutput) {
  const std::vector<SourceFrame> frames = parse_addr2line(
      "0x000000000005552c\nEigen::CwiseBinaryOp<...>::CwiseBinaryOp(...)\n"
      "/usr/include/eigen3/Eigen/src/Core/CwiseBinaryOp.h:116 (discriminator 3)\n"
      "0x00000000000531a0\nbnkit::batch_statistics(...)\n/kit/lessons/01_batch_statistics/batch_statistics.cpp:23\n"
      "0x0000000000000010\n??\n??:0\n"
      "0x0000000000000020\n??\n??:?\n"
      "not an address\nf\ng.cpp:1\n");
  ASSERT_EQ(frames.size(), 4u);  // the line that is not addr2line's stops the reading
  EXPECT_EQ(frames[0].offset, 0x5552cu);
  EXPECT_EQ(frames[0].file, "/usr/include/eigen3/Eigen/src/Core/CwiseBinaryOp.h");
  EXPECT_EQ(frames[0].line, 116);
  EXPECT_EQ(frames[1].function, "bnkit::batch_statistics(...)");
  EXPECT_EQ(frames[1].line, 23);
  EXPECT_EQ(frames[2].file, "??");
  EXPECT_EQ(frames[2].line, 0);
  EXPECT_EQ(frames[3].line, 0);
}

TEST(EigenFailure, StudentFrameIsTheFirstOutsideEigenAndTheKitsHeaders) {
  const std::vector<SourceFrame> frames = {
      frame("bnkit_eigen_assert_failed", "/kit/harness/worker/eigen_failure.cpp", 64),
      frame("Eigen::DenseCoeffsBase<...>::operator[](long) const", "/usr/include/eigen3/Eigen/src/Core/DenseCoeffsBase.h", 163),
      frame("bnkit::Tensor::operator()(long, long, long) const", "/kit/harness/include/bnkit/tensor.hpp", 54),
      frame("helper", "/kit/lessons/04_eval_mode/eval_mode.cpp", 0),  // no line: not usable
      frame("bnkit::BatchNorm1d::forward(bnkit::Tensor const&)", "/kit/lessons/04_eval_mode/eval_mode.cpp", 44),
      frame("bnkit::boundary::worker::call_method<...>", "/kit/harness/lessons/04_eval_mode/binding.cpp", 14)};
  const SourceFrame* mine = student_frame(frames, kRoot);
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->line, 44);
  EXPECT_EQ(student_frame(frames, "/kit/"), mine);
  // An adversarial submission lives under harness/ too, and is the student's code.
  const std::vector<SourceFrame> adversarial = {
      frame("f", "/kit/harness/adversarial/eigen_colwise_mean/01_batch_statistics.cpp", 24)};
  EXPECT_EQ(student_frame(adversarial, kRoot), &adversarial[0]);
  // Nothing of the student's: the kit's own code, a vendored Eigen, another root.
  const std::vector<SourceFrame> none = {frame("f", "/kit/harness/lessons/01_batch_statistics/binding.cpp", 7),
                                         frame("g", "/kit/third_party/eigen/Eigen/src/Core/Block.h", 120),
                                         frame("h", "/kitchen/lessons/01_batch_statistics/x.cpp", 3)};
  EXPECT_EQ(student_frame(none, kRoot), nullptr);
}

TEST(EigenFailure, ColwiseWithARowLengthVectorSaysRowwise) {
  const EigenCheck check = record(kCwiseCondition, kCwiseFunction, "CwiseBinaryOp.h", 116);
  const std::vector<SourceFrame> frames = stack(
      {frame("Eigen::CwiseBinaryOp<...>::CwiseBinaryOp(...)", "/usr/include/eigen3/Eigen/src/Core/CwiseBinaryOp.h", 116)},
      "lessons/01_batch_statistics/batch_statistics.cpp", 23);
  EXPECT_EQ(message(check, frames, "mean [3], var [3], var_unbiased [3], x [4, 3]"),
            "batch_statistics() stopped on an Eigen size check at lessons/01_batch_statistics/batch_statistics.cpp:23: "
            "a difference (-) with .colwise(): the vector goes down every column of the matrix, so it needs one "
            "entry per row (did you mean .rowwise(), one entry per column?); the call's arguments: mean [3], "
            "var [3], var_unbiased [3], x [4, 3]");
}

TEST(EigenFailure, WithoutAFrameOfTheStudentsNamesEigensLine) {
  const EigenCheck check = record(kCwiseCondition, kCwiseFunction, "CwiseBinaryOp.h", 116);
  EXPECT_EQ(message(check, {}),
            "batch_statistics() stopped on an Eigen size check at Eigen/src/Core/CwiseBinaryOp.h:116: "
            "a difference (-) with .colwise(): the vector goes down every column of the matrix, so it needs one "
            "entry per row (did you mean .rowwise(), one entry per column?)");
}

TEST(EigenFailure, ElementWiseOperandsAreNamedByShape) {
  const std::string column = "Eigen::Ref<Eigen::Matrix<double, -1, 1> >";
  const std::string row_of_x = "Eigen::Block<const Eigen::Ref<const Eigen::Matrix<double, -1, -1> >, 1, -1, false>";
  const std::string matrix = "Eigen::Ref<const Eigen::Matrix<double, -1, -1> >";
  const std::string row = "Eigen::Matrix<double, 1, -1>";
  const std::string transposed = "Eigen::Transpose<Eigen::Matrix<double, -1, 1> >";
  auto what = [&](const std::string& lhs, const std::string& rhs) {
    return describe_eigen_check(record(kCwiseCondition, sum_of(lhs, rhs), "CwiseBinaryOp.h", 116), {}, nullptr);
  };
  EXPECT_EQ(what(column, row_of_x),
            "a sum (+) of a column vector and a row vector (the shapes must match: .transpose() one of them?)");
  EXPECT_EQ(what(row, matrix), "a sum (+) of a row vector and a matrix (the shapes must match: did you mean .rowwise()?)");
  EXPECT_EQ(what(matrix, column), "a sum (+) of a matrix and a column vector (the shapes must match: did you mean .colwise()?)");
  EXPECT_EQ(what(transposed, column), "a sum (+) of a row vector and a column vector (the shapes must match: .transpose() one of them?)");
  EXPECT_EQ(what(column, column), "a sum (+) of two column vectors (the shapes must match)");
  EXPECT_EQ(what(matrix, matrix), "a sum (+) of two matrices (the shapes must match)");
}

TEST(EigenFailure, ProductWithTheDiagonalOnTheWrongSide) {
  const EigenCheck check = record(
      "lhs.cols() == rhs.rows() && \"invalid matrix product\" && \"if you wanted a coeff-wise or a dot product use "
      "the respective explicit functions\"",
      "Eigen::Product<Lhs, Rhs, Option>::Product(const Lhs&, const Rhs&) [with _Lhs = Eigen::DiagonalWrapper<const "
      "Eigen::Ref<const Eigen::Matrix<double, -1, 1> > >; _Rhs = Eigen::Matrix<double, -1, -1>; int Option = 1; Lhs "
      "= Eigen::DiagonalWrapper<const Eigen::Ref<const Eigen::Matrix<double, -1, 1> > >; Rhs = Eigen::Matrix<double, "
      "-1, -1>]",
      "Product.h", 96);
  EXPECT_EQ(describe_eigen_check(check, {}, nullptr),
            "a matrix product of a diagonal matrix (.asDiagonal()) and a matrix whose inner sizes differ (A * B "
            "needs as many columns in A as rows in B; v.asDiagonal() * A scales the rows of A, A * v.asDiagonal() "
            "its columns)");
}

TEST(EigenFailure, AssignmentToARefThatWouldHaveToResize) {
  const EigenCheck check = record(
      "rows == this->rows() && cols == this->cols() && \"DenseBase::resize() does not actually allow one to resize.\"",
      "void Eigen::DenseBase<Derived>::resize(Eigen::Index, Eigen::Index) [with Derived = Eigen::Ref<Eigen::Matrix<double, "
      "-1, 1> >; Eigen::Index = long int]",
      "DenseBase.h", 261);
  const std::vector<SourceFrame> frames = stack(
      {frame("Eigen::DenseBase<...>::resize(long, long)", "/usr/include/eigen3/Eigen/src/Core/DenseBase.h", 261),
       frame("void Eigen::internal::resize_if_allowed<Eigen::Ref<Eigen::Matrix<double, -1, 1, 0, -1, 1>, 0, "
             "Eigen::InnerStride<1> >, Eigen::CwiseBinaryOp<Eigen::internal::scalar_quotient_op<double, double>, "
             "Eigen::PartialReduxExpr<Eigen::Ref<Eigen::Matrix<double, -1, -1, 0, -1, -1> const, 0, "
             "Eigen::OuterStride<-1> > const, Eigen::internal::member_sum<double, double>, 1> const, "
             "Eigen::CwiseNullaryOp<Eigen::internal::scalar_constant_op<double>, Eigen::Matrix<double, -1, 1, 0, -1, "
             "1> const> const>, double, double>(...)",
             "/usr/include/eigen3/Eigen/src/Core/AssignEvaluator.h", 764)},
      "lessons/01_batch_statistics/batch_statistics.cpp", 9);
  EXPECT_EQ(message(check, frames),
            "batch_statistics() stopped on an Eigen size check at lessons/01_batch_statistics/batch_statistics.cpp:9: "
            "an assignment of a column vector of another size to a column vector (an Eigen::Ref, like an output "
            "parameter, cannot be resized: the result must have its size)");
}

TEST(EigenFailure, CompoundAssignmentBetweenSizes) {
  const EigenCheck check = record(
      "dst.rows() == src.rows() && dst.cols() == src.cols()",
      "void Eigen::internal::resize_if_allowed(DstXprType&, const SrcXprType&, const Functor&) [with DstXprType = "
      "Eigen::Ref<Eigen::Matrix<double, -1, 1> >; SrcXprType = Eigen::Block<const Eigen::Ref<const "
      "Eigen::Matrix<double, -1, -1> >, -1, 1, true>; Functor = add_assign_op<double, double>]",
      "AssignEvaluator.h", 754);
  EXPECT_EQ(describe_eigen_check(check, {}, nullptr),
            "a += of two column vectors of different sizes (both sides must have the same shape)");
}

TEST(EigenFailure, IndexPastTheEndOfATensorNamesTheTensor) {
  const EigenCheck check = record(
      "index >= 0 && index < size()",
      "Eigen::DenseCoeffsBase<Derived, 0>::CoeffReturnType Eigen::DenseCoeffsBase<Derived, 0>::operator[](Eigen::Index) "
      "const [with Derived = Eigen::Matrix<double, -1, 1>; CoeffReturnType = const double&; Eigen::Index = long int]",
      "DenseCoeffsBase.h", 163);
  const std::vector<SourceFrame> through_tensor = stack(
      {frame("Eigen::DenseCoeffsBase<...>::operator[](long) const", "/usr/include/eigen3/Eigen/src/Core/DenseCoeffsBase.h", 163),
       frame("bnkit::Tensor::operator()(long, long, long) const", "/kit/harness/include/bnkit/tensor.hpp", 54)},
      "lessons/04_eval_mode/eval_mode.cpp", 44);
  EXPECT_EQ(eigen_failure_message("BatchNorm1d::forward()", check, through_tensor, kRoot, "x [4, 3]"),
            "BatchNorm1d::forward() stopped on an Eigen index check at lessons/04_eval_mode/eval_mode.cpp:44: an "
            "index past the end of a Tensor (x(n, c, l) needs 0 <= n < N, 0 <= c < C and 0 <= l < L; l = 0 for an "
            "(N,C) tensor); the call's arguments: x [4, 3]");
  // The same check on the student's own vector is a vector's index.
  EXPECT_EQ(describe_eigen_check(check, {}, nullptr),
            "an index out of range in a column vector (v[i] and v(i) need 0 <= i < size())");
}

TEST(EigenFailure, BlocksRowsAndEmptyReductions) {
  const EigenCheck col = record("(i>=0) && ( ((BlockRows==1) && ...", "Eigen::Block<...>::Block(XprType&, Eigen::Index)",
                                "Block.h", 120);
  EXPECT_EQ(describe_eigen_check(col, {}, nullptr),
            "a row or column out of range (.row(i) needs 0 <= i < rows(), .col(j) 0 <= j < cols())");
  const EigenCheck segment = record("startRow >= 0 && blockRows >= 0 && ...", "Eigen::Block<...>::Block(...)", "Block.h", 146);
  EXPECT_EQ(describe_eigen_check(segment, {}, nullptr),
            "a block that reaches past the end (.block(), .segment(), .head(), .tail(), .middleRows() and the like "
            "must stay inside the matrix)");
  const EigenCheck empty = record("this->rows()>0 && this->cols()>0 && \"you are using an empty matrix\"",
                                  "Eigen::DenseBase<Derived>::redux(...)", "Redux.h", 411);
  EXPECT_EQ(message(empty, {}),
            "batch_statistics() stopped on an Eigen check at Eigen/src/Core/Redux.h:411: a reduction (minCoeff, "
            "maxCoeff, prod, mean, ...) of an empty matrix (check for N == 0 first)");
}

TEST(EigenFailure, AnUnknownCheckIsQuotedPrintably) {
  // A worker writes the record: its text reaches the student's terminal only as printable ASCII.
  const EigenCheck check = record("x > 0\x1b[2J", "void Eigen::Something<T>::f() [with T = double]", "Other.h", 7);
  EXPECT_EQ(message(check, {}),
            "batch_statistics() stopped on an Eigen check at Eigen/src/Core/Other.h:7: Eigen's check (x > 0?[2J) "
            "failed in void Eigen::Something<T>::f()");
}

}  // namespace
