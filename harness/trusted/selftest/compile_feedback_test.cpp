// Compile feedback: real g++ 12 logs of wrong student files (compile_logs/, each beside the
// file that produced it, NAME.cpp.txt) read as the student's file and line first, Eigen's
// assertion in one sentence, nothing from Eigen's or the kit's files, one screen at most.
// The logs were made by `cmake --build BUILD --target lessonNN_student` with the mistake in
// lessons/NN_topic/topic.cpp; the kit root in them is written @ROOT@.
#include "compile_feedback.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace {

using namespace bnkit::cli;

// Where the logs say the kit is: not where it was, so nothing depends on the machine.
const std::string kRoot = "/home/student/bnkit";
const std::string kLesson01 = "lessons/01_batch_statistics/batch_statistics.cpp";
const std::string kLesson02 = "lessons/02_forward/forward.cpp";
const std::string kLesson03 = "lessons/03_running_stats/running_stats.cpp";
const std::string kLog = "BUILD/bnkit-build-lesson.log";

std::string read(const std::string& name) {
  const std::string file = __FILE__;
  const std::string path = file.substr(0, file.rfind('/')) + "/compile_logs/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read the fixture " << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string with_root(std::string text) {
  for (auto at = text.find("@ROOT@"); at != std::string::npos; at = text.find("@ROOT@", at)) {
    text.replace(at, 6, kRoot);
  }
  return text;
}

std::string fixture_log(const std::string& name) { return with_root(read(name + ".log")); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

/// What the student sees for fixture NAME, as the grader builds it: the lines g++ did not
/// print come from the wrong file that produced the log.
std::string screen(const std::string& name, const std::string& student) {
  CompileFeedback feedback = summarise(fixture_log(name), student, kRoot);
  const std::vector<std::string> source = lines_of(read(name + ".cpp.txt"));
  add_missing_sources(feedback, [&](const std::string& file, int line) -> std::optional<std::string> {
    if (file != student || line < 1 || line > static_cast<int>(source.size())) return std::nullopt;
    return source[static_cast<std::size_t>(line - 1)];
  });
  return format_errors(feedback, kLog);
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

/// The screen starts at `location` in the student's file, shows `sentence`, fits 20 lines,
/// ends with the full log's path, and names no place but the student's file.
::testing::AssertionResult StudentLineFirst(const std::string& text, const std::string& student,
                                            const std::string& location, const std::string& sentence) {
  const std::vector<std::string> lines = lines_of(text);
  if (lines.empty()) return ::testing::AssertionFailure() << "nothing shown";
  if (lines.front() != "    " + location + ":") {
    return ::testing::AssertionFailure() << "first line is '" << lines.front() << "', expected '    " << location
                                         << ":'\n" << text;
  }
  std::string unwrapped;  // the sentence may be wrapped over lines
  for (const std::string& l : lines) unwrapped += l.substr(std::min(l.find_first_not_of(' '), l.size())) + " ";
  if (unwrapped.find(sentence) == std::string::npos) {
    return ::testing::AssertionFailure() << "no '" << sentence << "' in\n" << text;
  }
  if (lines.size() > 20) return ::testing::AssertionFailure() << lines.size() << " lines, more than a screen:\n" << text;
  if (lines.back() != "    full log: " + kLog) {
    return ::testing::AssertionFailure() << "last line is '" << lines.back() << "', not the full log's path";
  }
  static const std::regex place(R"(([A-Za-z0-9_./@-]+\.(cpp|hpp|h|hxx)):[0-9]+)");
  for (const std::string& l : lines) {
    for (auto m = std::sregex_iterator(l.begin(), l.end(), place); m != std::sregex_iterator(); ++m) {
      if ((*m)[1] != student) {
        return ::testing::AssertionFailure() << "a line names " << (*m)[0] << ", outside " << student << ":\n" << l;
      }
    }
    for (const std::string& outside : {kRoot, std::string("/usr/"), std::string("Eigen/src"), std::string("harness/"),
                                      std::string("@ROOT@")}) {
      if (l.find(outside) != std::string::npos) {
        return ::testing::AssertionFailure() << "a line shows '" << outside << "':\n" << l;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// --- errors, one real log each -----------------------------------------------------------

TEST(CompileErrors, RowwiseWithAColumnVectorPointsAtTheStudentsLine) {
  const std::string text = screen("rowwise_column_vector", kLesson01);
  EXPECT_TRUE(StudentLineFirst(text, kLesson01, kLesson01 + ":24:49", "so v must be a row vector (1,D)"));
  EXPECT_NE(text.find("   24 |   const Eigen::VectorXd sum_sq = (x.rowwise() - mean)"), std::string::npos) << text;
  EXPECT_NE(text.find("YOU_PASSED_A_COLUMN_VECTOR_BUT_A_ROW_VECTOR_WAS_EXPECTED"), std::string::npos) << text;
}

TEST(CompileErrors, RowwiseMixedSizesNamesBothAssertionsOnceAtTheStudentsLine) {
  const std::string text = screen("rowwise_mixed_sizes", kLesson03);
  EXPECT_TRUE(StudentLineFirst(text, kLesson03, kLesson03 + ":32:48", "so v must be a row vector (1,D)"));
  EXPECT_NE(text.find("static assertion failed: YOU_MIXED_MATRICES_OF_DIFFERENT_SIZES"), std::string::npos) << text;
  EXPECT_EQ(count(text, kLesson03 + ":32"), 1u) << text;
}

TEST(CompileErrors, ArrayMixedWithMatrix) {
  const std::string text = screen("array_matrix_mix", kLesson02);
  EXPECT_TRUE(StudentLineFirst(text, kLesson02, kLesson02 + ":24:93",
                               "make both sides arrays (.array()) for element-wise math"));
  EXPECT_NE(text.find("YOU_CANNOT_MIX_ARRAYS_AND_MATRICES"), std::string::npos) << text;
}

TEST(CompileErrors, SquareOfAMatrixSaysArray) {
  const std::string text = screen("square_on_matrix", kLesson01);
  EXPECT_TRUE(StudentLineFirst(text, kLesson01, kLesson01 + ":23:67", "write .array().square()"));
  EXPECT_NE(text.find("has no member named ‘square’"), std::string::npos) << text;
}

TEST(CompileErrors, UndeclaredNameSaysCaseMatters) {
  const std::string text = screen("undeclared_name", kLesson01);
  EXPECT_TRUE(StudentLineFirst(text, kLesson01, kLesson01 + ":24:38", "‘N’ and ‘n’ are different names"));
}

TEST(CompileErrors, MissingSemicolonComesBeforeWhatFollowsFromIt) {
  const std::string text = screen("missing_semicolon", kLesson01);
  EXPECT_TRUE(StudentLineFirst(text, kLesson01, kLesson01 + ":22:40", "a ';' is missing at the end of the statement"));
  EXPECT_LT(text.find(":22:40:"), text.find(":24:9:")) << text;
}

TEST(CompileErrors, InvalidMatrixProductOnceThoughGccSaysItTwice) {
  const std::string log = fixture_log("invalid_matrix_product");
  const std::string assertion = "static assertion failed: INVALID_MATRIX_PRODUCT__IF_YOU_WANTED_A_COEFF_WISE";
  ASSERT_EQ(count(log, assertion), 2u) << "the fixture should repeat the assertion";
  const std::string text = screen("invalid_matrix_product", kLesson03);
  EXPECT_TRUE(StudentLineFirst(text, kLesson03, kLesson03 + ":30:26", "A * B is a matrix product"));
  EXPECT_EQ(count(text, "INVALID_MATRIX_PRODUCT"), 1u) << text;
  EXPECT_NE(text.find("   30 |   running.mean = means * weights;"), std::string::npos) << text;
}

TEST(CompileErrors, FloatMixedWithDoubleSaysCast) {
  const std::string text = screen("mixed_numeric_types", kLesson01);
  EXPECT_TRUE(StudentLineFirst(text, kLesson01, kLesson01 + ":24:10", "write .cast<double>()"));
}

TEST(CompileErrors, BracketsOnAMatrixSayRoundBrackets) {
  const std::string text = screen("bracket_on_matrix", kLesson01);
  EXPECT_TRUE(StudentLineFirst(text, kLesson01, kLesson01 + ":24:53", "a matrix element is m(i, j)"));
}

TEST(CompileErrors, ARefCannotBindAnExpression) {
  const std::string text = screen("ref_temporary", kLesson02);
  EXPECT_TRUE(StudentLineFirst(text, kLesson02, kLesson02 + ":28:54", "a non-const Eigen::Ref can only refer to"));
}

TEST(CompileErrors, AMissingDefinitionNamesTheFunctionNotTheKitsFile) {
  const std::string text = screen("missing_definition", kLesson01);
  EXPECT_NE(text.find("the kit calls bnkit::batch_statistics, but your file does not define it"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("harness/"), std::string::npos) << text;
  EXPECT_EQ(text.find(kRoot), std::string::npos) << text;
  EXPECT_EQ(text.find("ld returned"), std::string::npos) << text;
}

// --- what makes the line the student's ---------------------------------------------------

TEST(CompileErrors, AnotherFilesLinesAreNotClaimed) {
  // The same log, asked about lesson 02's file: lesson 01's line is not shown as the student's.
  const std::string text = screen("rowwise_column_vector", kLesson02);
  EXPECT_EQ(text.find("batch_statistics.cpp:24"), std::string::npos) << text;
  EXPECT_EQ(text.find(kLesson02 + ":"), std::string::npos) << text;
}

TEST(CompileErrors, AFolderCountsEveryFileUnderIt) {
  const std::string text = screen("rowwise_column_vector", "lessons/");
  EXPECT_TRUE(StudentLineFirst(text, kLesson01, kLesson01 + ":24:49", "so v must be a row vector (1,D)"));
}

TEST(CompileErrors, CLocaleQuotesAreReadToo) {
  std::string log = fixture_log("undeclared_name");
  for (const std::string quote : {"\xE2\x80\x98", "\xE2\x80\x99"}) {
    for (auto at = log.find(quote); at != std::string::npos; at = log.find(quote)) log.replace(at, quote.size(), "'");
  }
  const std::string text = format_errors(summarise(log, kLesson01, kRoot), kLog);
  EXPECT_TRUE(StudentLineFirst(text, kLesson01, kLesson01 + ":24:38", "‘N’ and ‘n’ are different names"));
}

TEST(CompileErrors, TheSameLineAndMessageOnce) {
  const std::string error = kRoot + "/" + kLesson01 + ":5:3: error: ‘mu’ was not declared in this scope\n";
  const CompileFeedback feedback = summarise(error + error, kLesson01, kRoot);
  ASSERT_EQ(feedback.errors.size(), 1u);
  EXPECT_EQ(feedback.errors[0].messages.size(), 1u);
  // A different line is another error.
  const std::string other = kRoot + "/" + kLesson01 + ":6:3: error: ‘mu’ was not declared in this scope\n";
  EXPECT_EQ(summarise(error + other, kLesson01, kRoot).errors.size(), 2u);
}

TEST(CompileErrors, ManyErrorsFitOneScreen) {
  std::string log;
  for (int line = 1; line <= 30; ++line) {
    log += kRoot + "/" + kLesson01 + ":" + std::to_string(line) + ":1: error: ‘x" + std::to_string(line) +
           "’ was not declared in this scope\n";
  }
  const std::string text = format_errors(summarise(log, kLesson01, kRoot), kLog);
  const std::vector<std::string> lines = lines_of(text);
  EXPECT_LE(lines.size(), 20u) << text;
  EXPECT_NE(text.find("more errors below these"), std::string::npos) << text;
  EXPECT_EQ(lines.back(), "    full log: " + kLog);
}

TEST(CompileErrors, NoErrorLineShowsTheLogsLastWords) {
  const std::string log = "[1/2] Building CXX object x.o\nFAILED: x.o\nbwrap: Can't mount proc on /newroot/proc\n"
                          "ninja: build stopped: subcommand failed.\n";
  const std::string text = format_errors(summarise(log, kLesson01, kRoot), kLog);
  EXPECT_NE(text.find("    bwrap: Can't mount proc"), std::string::npos) << text;
  EXPECT_EQ(text.find("ninja:"), std::string::npos) << text;
}

// --- warnings ------------------------------------------------------------------------------

TEST(CompileWarnings, ASuccessfulBuildListsTheStudentsWarningsByLine) {
  const CompileFeedback feedback = summarise(fixture_log("warnings_success"), kLesson01, kRoot);
  EXPECT_TRUE(feedback.errors.empty());
  const std::vector<std::string> lines = lines_of(format_warnings(feedback, kLog));
  const std::string w = "    " + kLesson01 + ":";
  const std::vector<std::string> expected = {
      w + "22: warning: narrowing conversion of ‘x.rows()’ from ‘Index’ to ‘int’ [-Wnarrowing]",
      w + "23: warning: unused variable ‘scale’ [-Wunused-variable]",
      w + "25: warning: ‘total’ may be used uninitialized [-Wmaybe-uninitialized]",
      w + "26: warning: comparison of integer expressions of different signedness: ‘std::size_t’ and ‘Index’ "
          "[-Wsign-compare]",
      "    full log: " + kLog};
  EXPECT_EQ(lines, expected);
}

TEST(CompileWarnings, OnlyTheStudentsFileAtMostEightEachOnce) {
  std::string log;
  for (int line = 1; line <= 10; ++line) {
    log += kRoot + "/" + kLesson01 + ":" + std::to_string(line) + ":7: warning: unused variable ‘v" +
           std::to_string(line) + "’ [-Wunused-variable]\n";
  }
  log += kRoot + "/" + kLesson01 + ":1:7: warning: unused variable ‘v1’ [-Wunused-variable]\n";  // again
  log += kRoot + "/harness/lessons/01_batch_statistics/binding.cpp:9:1: warning: in the binding [-Wshadow]\n";
  log += "/usr/include/eigen3/Eigen/src/Core/Matrix.h:3:1: warning: in Eigen [-Wshadow]\n";
  const CompileFeedback feedback = summarise(log, kLesson01, kRoot);
  EXPECT_EQ(feedback.warnings.size(), 10u);
  const std::string text = format_warnings(feedback, kLog);
  EXPECT_EQ(count(text, ": warning: "), 8u) << text;
  EXPECT_NE(text.find("(and 2 more warnings)"), std::string::npos) << text;
  EXPECT_EQ(count(text, "‘v1’"), 1u) << text;
  EXPECT_EQ(text.find("in the binding"), std::string::npos) << text;
  EXPECT_EQ(text.find("in Eigen"), std::string::npos) << text;
}

TEST(CompileWarnings, NoWarningNoText) {
  EXPECT_EQ(format_warnings(summarise(fixture_log("rowwise_column_vector"), kLesson01, kRoot), kLog), "");
}

TEST(CompileWarnings, TheFileCountsAsCompiledOnlyWhenNinjaBuiltIt) {
  EXPECT_TRUE(compiled_in_log(fixture_log("warnings_success"), kLesson01));
  EXPECT_TRUE(compiled_in_log(fixture_log("stub_recompiled"), kLesson01));
  EXPECT_FALSE(compiled_in_log(fixture_log("stub_recompiled"), kLesson02));
  EXPECT_FALSE(compiled_in_log(fixture_log("up_to_date"), kLesson01));
}

// --- the sentences -------------------------------------------------------------------------

TEST(CompileExplain, EveryStaticAssertionAStudentCanHitHasItsOwnSentence) {
  for (const std::string name : {
           "YOU_MIXED_MATRICES_OF_DIFFERENT_SIZES", "YOU_MIXED_VECTORS_OF_DIFFERENT_SIZES",
           "YOU_PASSED_A_COLUMN_VECTOR_BUT_A_ROW_VECTOR_WAS_EXPECTED",
           "YOU_PASSED_A_ROW_VECTOR_BUT_A_COLUMN_VECTOR_WAS_EXPECTED", "YOU_TRIED_CALLING_A_VECTOR_METHOD_ON_A_MATRIX",
           "THIS_METHOD_IS_ONLY_FOR_VECTORS_OF_A_SPECIFIC_SIZE", "YOU_MADE_A_PROGRAMMING_MISTAKE",
           "YOU_CALLED_A_FIXED_SIZE_METHOD_ON_A_DYNAMIC_SIZE_MATRIX_OR_VECTOR",
           "YOU_CALLED_A_DYNAMIC_SIZE_METHOD_ON_A_FIXED_SIZE_MATRIX_OR_VECTOR", "INVALID_MATRIX_PRODUCT",
           "INVALID_VECTOR_VECTOR_PRODUCT__IF_YOU_WANTED_A_DOT_OR_COEFF_WISE_PRODUCT_YOU_MUST_USE_THE_EXPLICIT_FUNCTIONS",
           "INVALID_MATRIX_PRODUCT__IF_YOU_WANTED_A_COEFF_WISE_PRODUCT_YOU_MUST_USE_THE_EXPLICIT_FUNCTION",
           "YOU_MIXED_DIFFERENT_NUMERIC_TYPES__YOU_NEED_TO_USE_THE_CAST_METHOD_OF_MATRIXBASE_TO_CAST_NUMERIC_TYPES_"
           "EXPLICITLY",
           "THE_BRACKET_OPERATOR_IS_ONLY_FOR_VECTORS__USE_THE_PARENTHESIS_OPERATOR_INSTEAD",
           "YOU_CANNOT_MIX_ARRAYS_AND_MATRICES", "THIS_EXPRESSION_IS_NOT_A_LVALUE__IT_IS_READ_ONLY",
           "THIS_METHOD_IS_ONLY_FOR_1x1_EXPRESSIONS", "THIS_METHOD_IS_ONLY_FOR_ARRAYS_NOT_MATRICES",
           "THIS_FUNCTION_IS_NOT_FOR_INTEGER_NUMERIC_TYPES", "IMPLICIT_CONVERSION_TO_SCALAR_IS_FOR_INNER_PRODUCT_ONLY",
           "THIS_METHOD_IS_ONLY_FOR_EXPRESSIONS_WITH_DIRECT_MEMORY_ACCESS_SUCH_AS_MAP_OR_PLAIN_MATRICES",
           "YOU_ARE_TRYING_TO_USE_AN_INDEX_BASED_ACCESSOR_ON_AN_EXPRESSION_THAT_DOES_NOT_SUPPORT_THAT"}) {
    SCOPED_TRACE(name);
    const std::string sentence = explain("static assertion failed: " + name);
    EXPECT_EQ(sentence.rfind("Eigen: ", 0), 0u) << sentence;
  }
  // Distinct products get distinct advice.
  EXPECT_NE(explain("static assertion failed: INVALID_MATRIX_PRODUCT"),
            explain("static assertion failed: INVALID_VECTOR_VECTOR_PRODUCT__IF_YOU_WANTED_A_DOT_OR_COEFF_WISE_"
                    "PRODUCT_YOU_MUST_USE_THE_EXPLICIT_FUNCTIONS"));
}

TEST(CompileExplain, AnAssertionNotInTheTableIsReadOutInWords) {
  EXPECT_EQ(explain("static assertion failed: PACKET_ACCESS_REQUIRES_TO_HAVE_INNER_STRIDE_FIXED_TO_1"),
            "Eigen says: packet access requires to have inner stride fixed to 1.");
  EXPECT_EQ(explain("something nobody has seen"), "");
}

TEST(CompileExplain, EigenTypesReadAsAStudentWritesThem) {
  EXPECT_EQ(shorten("cannot convert ‘Eigen::Ref<Eigen::Matrix<double, -1, 1> >’ to ‘double’"),
            "cannot convert ‘Ref<VectorXd>’ to ‘double’");
  EXPECT_EQ(shorten("narrowing conversion of ‘(& x)->Eigen::Ref<const Eigen::Matrix<double, -1, -1> >::<anonymous>."
                    "Eigen::MapBase<Eigen::Ref<const Eigen::Matrix<double, -1, -1> >, 0>::rows()’ from "
                    "‘Eigen::Index’ {aka ‘long int’} to ‘int’"),
            "narrowing conversion of ‘x.rows()’ from ‘Index’ to ‘int’");
  EXPECT_EQ(shorten(std::string(200, 'a'), 50).size(), 49u + 3u);  // 49 characters and "…"
}

}  // namespace
