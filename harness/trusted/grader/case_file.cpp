#include "case_file.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#ifndef BNKIT_KIT_LESSONS_DIR
#error "BNKIT_KIT_LESSONS_DIR must point at harness/lessons"
#endif

namespace bnkit::grader {

namespace {

[[noreturn]] void parse_error(const std::string& path, int line, const std::string& what) {
  throw std::runtime_error(path + ":" + std::to_string(line) + ": " + what);
}

double parse_value(const std::string& word, const std::string& path, int line) {
  char* end = nullptr;
  const double v = std::strtod(word.c_str(), &end);
  if (end == word.c_str() || *end != '\0') parse_error(path, line, "not a number: '" + word + "'");
  return v;
}

}  // namespace

const Tensor& Case::tensor(const std::string& key) const {
  auto it = tensors_.find(key);
  if (it == tensors_.end()) missing("tensor", key);
  return it->second;
}

Eigen::MatrixXd Case::matrix(const std::string& key) const {
  const Tensor& t = tensor(key);
  if (t.rank() != 2) {
    throw std::runtime_error("golden tensor '" + key + "' of case '" + name_ + "' has shape " +
                             shape_string(t.shape()) + ", expected a matrix");
  }
  return to_matrix(t);
}

Eigen::VectorXd Case::vector(const std::string& key) const {
  const Tensor& t = tensor(key);
  if (t.rank() != 1) {
    throw std::runtime_error("golden tensor '" + key + "' of case '" + name_ + "' has shape " +
                             shape_string(t.shape()) + ", expected a vector");
  }
  return t.values();
}

double Case::scalar(const std::string& key) const {
  const Tensor& t = tensor(key);
  if (t.numel() != 1) {
    throw std::runtime_error("golden tensor '" + key + "' of case '" + name_ + "' has shape " +
                             shape_string(t.shape()) + ", expected a scalar");
  }
  return t.values()[0];
}

const std::string& Case::text(const std::string& key) const {
  auto it = texts_.find(key);
  if (it == texts_.end()) missing("text", key);
  return it->second;
}

std::vector<std::pair<std::string, Tensor>> Case::mistakes_for(const std::string& key) const {
  std::vector<std::pair<std::string, Tensor>> out;
  const std::string prefix = "mistake.";
  for (const auto& [name, t] : tensors_) {
    if (name.rfind(prefix, 0) != 0) continue;
    const auto dot = name.find('.', prefix.size());
    if (dot == std::string::npos || name.substr(dot + 1) != key) continue;
    out.emplace_back(name.substr(prefix.size(), dot - prefix.size()), t);
  }
  return out;
}

void Case::missing(const std::string& what, const std::string& key) const {
  throw std::runtime_error("golden case '" + name_ + "' in " + file_ + " has no " + what + " '" +
                           key + "' (regenerate the golden data?)");
}

CaseFile CaseFile::load(const std::string& path, const std::string& source) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open golden data file " + path);
  CaseFile file;
  file.path_ = path;
  std::string raw;
  int line = 0;
  Case* current = nullptr;
  while (std::getline(in, raw)) {
    ++line;
    std::istringstream words(raw);
    std::string keyword;
    if (!(words >> keyword) || keyword[0] == '#') continue;
    if (keyword == "case") {
      std::string name;
      if (current) parse_error(path, line, "'case' inside a case (missing 'end')");
      if (!(words >> name)) parse_error(path, line, "'case' needs a name");
      file.cases_.emplace_back(name, path, source);
      current = &file.cases_.back();
    } else if (keyword == "end") {
      if (!current) parse_error(path, line, "'end' outside a case");
      current = nullptr;
    } else if (keyword == "text") {
      std::string key, value;
      if (!current) parse_error(path, line, "'text' outside a case");
      if (!(words >> key >> value)) parse_error(path, line, "'text' needs a key and a value");
      current->add_text(key, value);
    } else if (keyword == "tensor") {
      std::string key;
      if (!current) parse_error(path, line, "'tensor' outside a case");
      if (!(words >> key)) parse_error(path, line, "'tensor' needs a name");
      std::vector<Index> shape;
      for (std::string d; words >> d;) shape.push_back(static_cast<Index>(parse_value(d, path, line)));
      Index count = 1;
      for (Index d : shape) count *= d;
      Eigen::VectorXd values(count);
      Index filled = 0;
      while (filled < count) {
        if (!std::getline(in, raw)) parse_error(path, line, "file ends inside tensor '" + key + "'");
        ++line;
        std::istringstream vs(raw);
        for (std::string w; vs >> w;) {
          if (filled == count) parse_error(path, line, "too many values for tensor '" + key + "'");
          values[filled++] = parse_value(w, path, line);
        }
      }
      current->add_tensor(key, Tensor(shape, values));
    } else {
      parse_error(path, line, "unknown keyword '" + keyword + "'");
    }
  }
  if (current) parse_error(path, line, "file ends inside case '" + current->name() + "'");
  return file;
}

const Case& CaseFile::at(const std::string& case_name) const {
  for (const Case& c : cases_) {
    if (c.name() == case_name) return c;
  }
  throw std::runtime_error("no case '" + case_name + "' in " + path_);
}

namespace {
/// harness/lessons/LESSON/golden/KIND.cases, loaded once.
const CaseFile& cached(const std::string& kind, const std::string& lesson, const std::string& source) {
  static std::map<std::string, std::unique_ptr<CaseFile>> files;
  const std::string path = std::string(BNKIT_KIT_LESSONS_DIR) + "/" + lesson + "/golden/" + kind + ".cases";
  auto& slot = files[path];
  if (!slot) slot = std::make_unique<CaseFile>(CaseFile::load(path, source));
  return *slot;
}
}  // namespace

const CaseFile& torch_cases(const std::string& lesson) {
  return cached("torch", lesson, "PyTorch");
}

const CaseFile& reference_cases(const std::string& lesson) {
  return cached("reference", lesson, "the reference solution");
}

Tensor to_tensor(const Eigen::MatrixXd& m) {
  // Eigen stores column-major; PyTorch's order is row-major.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = m;
  return Tensor({m.rows(), m.cols()}, Eigen::Map<const Eigen::VectorXd>(rm.data(), rm.size()));
}

Tensor to_tensor(const Eigen::VectorXd& v) { return Tensor({v.size()}, v); }

Eigen::MatrixXd to_matrix(const Tensor& t) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(t.values().data(), t.dim(0), t.dim(1));
}

}  // namespace bnkit::grader
