#include "mistakes.hpp"

#include <utility>

namespace bnkit::grader {

namespace {

std::vector<Evidence>& pending() {
  static std::vector<Evidence> evidence;
  return evidence;
}

}  // namespace

void record_evidence(Evidence e) { pending().push_back(std::move(e)); }

std::vector<Evidence> take_evidence() { return std::exchange(pending(), {}); }

std::string looks_like(const std::string& id) {
  record_evidence({{id}, {id}});
  return "";
}

}  // namespace bnkit::grader
