// Writing golden data (format: harness/golden/FORMAT.md).
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

#include <ostream>
#include <string>

namespace bnkit::grader {

class CaseWriter {
 public:
  explicit CaseWriter(std::ostream& out) : out_(out) {}

  void comment(const std::string& line) { out_ << "# " << line << "\n"; }
  void begin_case(const std::string& name) { out_ << "case " << name << "\n"; }
  void end_case() { out_ << "end\n\n"; }
  void text(const std::string& key, const std::string& value) {
    out_ << "text " << key << " " << value << "\n";
  }
  void tensor(const std::string& key, const Tensor& t);
  void matrix(const std::string& key, const Eigen::MatrixXd& m);
  void vector(const std::string& key, const Eigen::VectorXd& v);
  void scalar(const std::string& key, double v);

 private:
  std::ostream& out_;
};

}  // namespace bnkit::grader
