// Reading golden data: named cases of named tensors (format: harness/golden/FORMAT.md).
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bnkit::grader {

/// One case: inputs, expected outputs and mistake fingerprints, by name.
class Case {
 public:
  Case(std::string name, std::string file, std::string source)
      : name_(std::move(name)), file_(std::move(file)), source_(std::move(source)) {}

  const std::string& name() const { return name_; }
  const std::string& file() const { return file_; }
  /// Who computed the expected values: "PyTorch" or "the reference solution".
  const std::string& source() const { return source_; }

  bool has(const std::string& key) const { return tensors_.count(key) != 0; }
  bool has_text(const std::string& key) const { return texts_.count(key) != 0; }
  const Tensor& tensor(const std::string& key) const;
  /// A rank 2 tensor as an (N,D) matrix.
  Eigen::MatrixXd matrix(const std::string& key) const;
  /// A rank 1 tensor as a vector.
  Eigen::VectorXd vector(const std::string& key) const;
  double scalar(const std::string& key) const;
  const std::string& text(const std::string& key) const;

  /// Every fingerprint "mistake.<id>.<key>", as (id, tensor).
  std::vector<std::pair<std::string, Tensor>> mistakes_for(const std::string& key) const;

  void add_tensor(const std::string& key, Tensor t) { tensors_[key] = std::move(t); }
  void add_text(const std::string& key, std::string value) { texts_[key] = std::move(value); }

 private:
  [[noreturn]] void missing(const std::string& what, const std::string& key) const;

  std::string name_, file_, source_;
  std::map<std::string, Tensor> tensors_;
  std::map<std::string, std::string> texts_;
};

/// All cases of one golden file, in file order.
class CaseFile {
 public:
  /// Parses `path`; throws std::runtime_error naming the file and line on any problem.
  static CaseFile load(const std::string& path, const std::string& source);

  const Case& at(const std::string& case_name) const;
  const std::vector<Case>& cases() const { return cases_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<Case> cases_;
};

/// The PyTorch golden file of a lesson, e.g. torch_cases("02_forward"), loaded once.
const CaseFile& torch_cases(const std::string& lesson);
/// The reference-solution cases of a lesson (randomized inputs), loaded once.
const CaseFile& reference_cases(const std::string& lesson);

/// Conversions between PyTorch's row-major layout and Eigen's matrices.
Tensor to_tensor(const Eigen::MatrixXd& m);
Tensor to_tensor(const Eigen::VectorXd& v);
Eigen::MatrixXd to_matrix(const Tensor& t);

}  // namespace bnkit::grader
