#include "pristine.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace bnkit::runner {

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return "";
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    if (EVP_DigestUpdate(ctx.get(), buffer, static_cast<std::size_t>(in.gcount())) != 1) return "";
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1) return "";
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::vector<Fingerprint> read_fingerprints(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open the stub fingerprints " + path);
  std::vector<Fingerprint> out;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.empty()) continue;
    // sha256sum: 64 hex digits, two spaces (or " *"), the file name.
    const bool ok = line.size() > 66 && line.find_first_not_of("0123456789abcdef") == 64 &&
                    (line.compare(64, 2, "  ") == 0 || line.compare(64, 2, " *") == 0);
    if (!ok) throw std::runtime_error(path + ":" + std::to_string(number) + ": not a sha256sum line");
    out.push_back({line.substr(66), line.substr(0, 64)});
  }
  if (out.empty()) throw std::runtime_error(path + " records no file");
  return out;
}

std::vector<std::string> changed_stub_files(const std::string& root, const LessonEntry& lesson,
                                            const std::vector<LessonEntry>& all) {
  std::vector<std::string> fingerprint_files = {lesson.stub_fingerprints};
  for (const std::string& used : lesson.uses) {
    for (const LessonEntry& e : all) {
      if (e.id == used) fingerprint_files.push_back(e.stub_fingerprints);
    }
  }
  std::vector<std::string> changed;
  for (const std::string& file : fingerprint_files) {
    for (const Fingerprint& f : read_fingerprints(root + "/" + file)) {
      if (sha256_file(root + "/" + f.file) != f.sha256) changed.push_back(f.file);
    }
  }
  return changed;
}

LessonResult pristine_result(const LessonEntry& lesson, const std::string& stub_path) {
  LessonResult result;
  result.id = lesson.id;
  for (const TestResult& t : lesson.tests) {
    if (t.hidden) continue;
    TestResult r = t;
    r.status = TestStatus::kNotStarted;
    r.message = "not started: " + stub_path + " is the shipped stub, byte for byte (every function is still a TODO)";
    result.tests.push_back(r);
  }
  result.status = summarise(result.tests);
  return result;
}

}  // namespace bnkit::runner
