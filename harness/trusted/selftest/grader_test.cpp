// The grader's checks say what is wrong, and recognise known mistakes.
#include "case_file.hpp"
#include "case_writer.hpp"
#include "compare.hpp"
#include "mistakes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>
#include <regex>
#include <set>
#include <sstream>

namespace {

using bnkit::Tensor;
using namespace bnkit::grader;

Tensor vec(std::initializer_list<double> v) {
  Eigen::VectorXd values(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) values[i++] = x;
  return Tensor({values.size()}, values);
}

std::string message_of(const ::testing::AssertionResult& r) { return r.message(); }

TEST(TensorsMatch, AcceptsValuesWithinTolerance) {
  EXPECT_TRUE(tensors_match("y", vec({1.0, 2.0}), vec({1.0 + 1e-12, 2.0}), Tolerance::forward(), {}));
}

TEST(TensorsMatch, ReportsNameShapeIndexValuesErrorsToleranceAndSeed) {
  const auto r = tensors_match("y", vec({1.0, 2.5, 3.0}), vec({1.0, 2.0, 3.0}), Tolerance::forward(),
                               {"PyTorch", "hand_3x2", 42});
  ASSERT_FALSE(r);
  const std::string m = message_of(r);
  for (const char* part : {"y (shape [3])", "[1]", "expected 2", "got 2.5", "max abs error 5.00e-01",
                           "max rel error 2.50e-01", "tolerance", "PyTorch", "hand_3x2", "seed 42"}) {
    EXPECT_NE(m.find(part), std::string::npos) << "missing '" << part << "' in:\n" << m;
  }
}

TEST(TensorsMatch, ReportsShapeMismatch) {
  const auto r = tensors_match("mean", vec({1.0}), vec({1.0, 2.0}), Tolerance::forward(), {"PyTorch", "", std::nullopt});
  ASSERT_FALSE(r);
  EXPECT_NE(message_of(r).find("has shape [1] but should have shape [2]"), std::string::npos);
}

TEST(TensorsMatch, NeverAcceptsNaNForANumber) {
  EXPECT_FALSE(tensors_match("v", vec({NAN}), vec({1.0}), Tolerance::forward(), {}));
  EXPECT_TRUE(tensors_match("v", vec({NAN}), vec({NAN}), Tolerance::forward(), {}));
}

TEST(TensorsMatch, IsAbsolutePlusRelativeNotPureRelativeNearZero) {
  EXPECT_TRUE(tensors_match("dx", vec({1e-12}), vec({0.0}), {1e-10, 1e-8}, {}));
  EXPECT_FALSE(tensors_match("dx", vec({1e-6}), vec({0.0}), {1e-10, 1e-8}, {}));
}

TEST(TensorsMatch, RecordsWhichFingerprintsAWrongAnswerMatches) {
  // Evidence for the runner, beside the failure: every fingerprint the comparison had, and
  // the ones matched. The comparison names nothing to the student, and its text holds no
  // evidence.
  take_evidence();
  const auto r = tensors_match("var", vec({4.0}), vec({8.0 / 3.0}), Tolerance::forward(), {"PyTorch", "", std::nullopt},
                               {{"eps_outside_sqrt", vec({5.0})}, {"divides_by_n_minus_1", vec({4.0})}});
  ASSERT_FALSE(r);
  const std::vector<Evidence> e = take_evidence();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].available, (std::vector<std::string>{"eps_outside_sqrt", "divides_by_n_minus_1"}));
  EXPECT_EQ(e[0].matched, (std::vector<std::string>{"divides_by_n_minus_1"}));
  EXPECT_EQ(message_of(r).find("Looks like"), std::string::npos) << message_of(r);
  EXPECT_EQ(message_of(r).find("divides_by_n_minus_1"), std::string::npos) << message_of(r);
}

TEST(TensorsMatch, RecordsAMissToo) {
  take_evidence();
  const auto r = tensors_match("var", vec({4.5}), vec({8.0 / 3.0}), Tolerance::forward(), {"PyTorch", "", std::nullopt},
                               {{"divides_by_n_minus_1", vec({4.0})}, {"wrong_axis", vec({1.0, 2.0})}});
  ASSERT_FALSE(r);
  const std::vector<Evidence> e = take_evidence();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].available, (std::vector<std::string>{"divides_by_n_minus_1", "wrong_axis"}));
  EXPECT_TRUE(e[0].matched.empty());
}

TEST(TensorsMatch, RecordsNothingWithoutFingerprintsOrWhenRight) {
  take_evidence();
  const auto wrong = tensors_match("var", vec({4.0}), vec({8.0 / 3.0}), Tolerance::forward(), {"PyTorch", "", std::nullopt});
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(take_evidence().empty());
  const auto right = tensors_match("var", vec({4.0}), vec({4.0}), Tolerance::forward(), {"PyTorch", "", std::nullopt},
                                   {{"divides_by_n_minus_1", vec({4.5})}});
  EXPECT_TRUE(right);
  EXPECT_TRUE(take_evidence().empty());
}

TEST(Mistakes, LooksLikeRecordsEvidenceThatMatchedItsId) {
  take_evidence();
  EXPECT_EQ(looks_like("eval_updates_buffers"), "");
  const std::vector<Evidence> e = take_evidence();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].available, std::vector<std::string>{"eval_updates_buffers"});
  EXPECT_EQ(e[0].matched, std::vector<std::string>{"eval_updates_buffers"});
}

TEST(Mistakes, EveryIdUsedInGoldenDataIsDescribed) {
  // Read from the golden files themselves, so a new fingerprint cannot go undescribed.
  const std::regex fingerprint(R"(^tensor mistake\.([A-Za-z0-9_]+)\.)");
  std::set<std::string> ids;
  // Every PyTorch golden file of every lesson, found on disk.
  std::vector<std::string> lessons;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(BNKIT_KIT_LESSONS_FOR_TESTS))) {
    if (std::filesystem::exists(entry.path() / "golden" / "torch.cases")) lessons.push_back(entry.path().filename().string());
  }
  ASSERT_GE(lessons.size(), 4u);
  for (const std::string& lesson : lessons) {
    std::ifstream in(torch_cases(lesson).path());
    ASSERT_TRUE(in) << torch_cases(lesson).path();
    std::smatch m;
    for (std::string line; std::getline(in, line);) {
      if (std::regex_search(line, m, fingerprint)) ids.insert(m[1]);
    }
  }
  EXPECT_GE(ids.size(), 17u) << "the golden files should hold fingerprints of at least 17 mistakes";
  for (const std::string& id : ids) EXPECT_FALSE(describe_mistake(id).empty()) << id;
  for (const char* id : {"eval_updates_buffers", "running_var_init_zero"}) {  // named by direct checks
    EXPECT_FALSE(describe_mistake(id).empty()) << id;
  }
  EXPECT_TRUE(describe_mistake("no_such_mistake").empty());
}

TEST(CaseFile, RoundTripsDoublesExactly) {
  const std::string path = ::testing::TempDir() + "roundtrip.cases";
  Eigen::MatrixXd m(2, 3);
  m << 0.1, 1.0 / 3.0, -2e-300, 1e300, NAN, -0.0;
  {
    std::ofstream out(path);
    CaseWriter w(out);
    w.begin_case("c");
    w.text("mode", "train");
    w.matrix("m", m);
    w.scalar("eps", 1e-5);
    w.end_case();
  }
  const CaseFile file = CaseFile::load(path, "test");
  const Case& c = file.at("c");
  const Eigen::MatrixXd back = c.matrix("m");
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    if (std::isnan(m(i))) EXPECT_TRUE(std::isnan(back(i)));
    else EXPECT_EQ(back(i), m(i)) << "element " << i;
  }
  EXPECT_EQ(c.scalar("eps"), 1e-5);
  EXPECT_EQ(c.text("mode"), "train");
}

TEST(CaseFile, NamesFileAndLineOfAProblem) {
  const std::string path = ::testing::TempDir() + "broken.cases";
  std::ofstream(path) << "case a\ntensor x 2\n1.0 oops\nend\n";
  try {
    CaseFile::load(path, "test");
    FAIL() << "a malformed file must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":3: not a number: 'oops'"), std::string::npos) << e.what();
  }
}

TEST(CaseFile, NamesAMissingTensor) {
  const std::string path = ::testing::TempDir() + "small.cases";
  std::ofstream(path) << "case a\ntensor x\n1\nend\n";
  const CaseFile file = CaseFile::load(path, "test");
  try {
    file.at("a").tensor("y");
    FAIL() << "a missing tensor must be reported";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("has no tensor 'y'"), std::string::npos) << e.what();
  }
}

TEST(CaseFile, MissingFileIsAClearError) {
  EXPECT_THROW(CaseFile::load("/nonexistent/x.cases", "test"), std::runtime_error);
}

}  // namespace
