#include "mistakes.hpp"

namespace bnkit::grader {

namespace {

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

}  // namespace

std::string diagnosis_marker(const std::vector<std::string>& available,
                             const std::vector<std::string>& matched) {
  return std::string(kDiagnosisMarker) + " available=" + joined(available) + " matched=" + joined(matched);
}

std::string looks_like(const std::string& id) { return diagnosis_marker({id}, {id}); }

}  // namespace bnkit::grader
