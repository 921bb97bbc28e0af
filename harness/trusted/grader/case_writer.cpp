#include "case_writer.hpp"

#include "case_file.hpp"

#include <cstdio>

namespace bnkit::grader {

void CaseWriter::tensor(const std::string& key, const Tensor& t) {
  out_ << "tensor " << key;
  for (Index d : t.shape()) out_ << " " << d;
  out_ << "\n";
  char buf[32];
  for (Index i = 0; i < t.numel(); ++i) {
    std::snprintf(buf, sizeof buf, "%.17g", t.values()[i]);  // round-trips a double exactly
    out_ << buf << ((i % 6 == 5 || i + 1 == t.numel()) ? "\n" : " ");
  }
}

void CaseWriter::matrix(const std::string& key, const Eigen::MatrixXd& m) { tensor(key, to_tensor(m)); }
void CaseWriter::vector(const std::string& key, const Eigen::VectorXd& v) { tensor(key, to_tensor(v)); }
void CaseWriter::scalar(const std::string& key, double v) {
  tensor(key, Tensor({}, Eigen::VectorXd::Constant(1, v)));
}

}  // namespace bnkit::grader
