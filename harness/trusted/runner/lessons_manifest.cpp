#include "lessons_manifest.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace bnkit::runner {

std::vector<LessonEntry> read_lessons_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open the lessons manifest " + path + " (configure the build again)");
  try {
    const nlohmann::json doc = nlohmann::json::parse(in);
    std::vector<LessonEntry> lessons;
    for (const nlohmann::json& l : doc.at("lessons")) {
      LessonEntry e;
      l.at("id").get_to(e.id);
      l.at("number").get_to(e.number);
      l.at("topic").get_to(e.topic);
      l.at("tests_target").get_to(e.tests_target);
      l.at("student_target").get_to(e.student_target);
      l.at("reference_target").get_to(e.reference_target);
      l.at("uses").get_to(e.uses);
      l.at("stub_fingerprints").get_to(e.stub_fingerprints);
      for (const nlohmann::json& t : l.at("tests")) {
        TestResult r;
        t.at("name").get_to(r.name);
        t.at("points").get_to(r.points);
        t.at("hidden").get_to(r.hidden);
        e.tests.push_back(r);
      }
      lessons.push_back(std::move(e));
    }
    return lessons;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("the lessons manifest " + path + " cannot be read: " + e.what());
  }
}

}  // namespace bnkit::runner
