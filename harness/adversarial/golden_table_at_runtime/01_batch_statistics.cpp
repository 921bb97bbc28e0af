// attack: no computing: at run time reads the visible golden answers (harness/lessons/01_batch_statistics/golden/*.cases) and returns the stored answer of the case whose x matches, else the stub; in the full sandbox the worker cannot see the kit, so 0 (at --bnkit-sandbox=basic it reads them and earns 14 of 17: visible data is not secret, the hidden tests catch a table)
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
// instructor: basic 14 0
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Tensors = std::map<std::string, std::vector<double>>;  // one case: name -> values

/// Every case of a .cases file (see harness/golden/FORMAT.md), as name -> values.
std::vector<Tensors> read_cases(const std::string& path) {
  std::vector<Tensors> cases;
  std::ifstream in(path);
  std::string word, name;
  while (in >> word) {
    if (word == "case") {
      cases.emplace_back();
    } else if (word == "tensor" && !cases.empty()) {
      std::string line;
      std::getline(in, line);
      std::istringstream dims(line);
      dims >> name;
      std::size_t count = 1;
      for (std::size_t d; dims >> d;) count *= d;
      std::vector<double>& values = cases.back()[name];
      for (std::size_t i = 0; i < count && in >> word; ++i) values.push_back(std::stod(word));
    } else {
      std::string rest;
      std::getline(in, rest);  // comments, text lines, "end"
    }
  }
  return cases;
}

const std::vector<Tensors>& table() {
  static const std::vector<Tensors> all = [] {
    const std::string src = __FILE__;
    const std::string golden = src.substr(0, src.rfind("/harness/")) + "/harness/lessons/01_batch_statistics/golden/";
    std::vector<Tensors> t = read_cases(golden + "torch.cases");
    for (Tensors& c : read_cases(golden + "reference.cases")) t.push_back(c);
    return t;
  }();
  return all;
}

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const Eigen::MatrixXd row_major = x.transpose();  // the files hold x row by row
  std::printf("%zu golden cases readable\n", table().size());
  const std::vector<double> wanted(row_major.data(), row_major.data() + row_major.size());
  for (const Tensors& c : table()) {
    if (!c.count("x") || c.at("x") != wanted || !c.count("mean") || !c.count("var") || !c.count("var_unbiased")) continue;
    mean = Eigen::Map<const Eigen::VectorXd>(c.at("mean").data(), mean.size());
    var = Eigen::Map<const Eigen::VectorXd>(c.at("var").data(), var.size());
    var_unbiased = Eigen::Map<const Eigen::VectorXd>(c.at("var_unbiased").data(), var_unbiased.size());
    return;
  }
  BNKIT_TODO("this input is not in the table");
}

}  // namespace bnkit
