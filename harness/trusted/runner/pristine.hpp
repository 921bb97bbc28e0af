// Recognising a lesson whose files are still the shipped stubs, without building it.
//
// Each kit folder records its stub's SHA-256 (harness/lessons/NN_topic/stub.sha256, in
// sha256sum's format). `./bnkit test` proves, for that exact stub, that every graded test
// fails as "not started" (bnkit-selftest stub). So a lesson whose files, and those of the
// lessons it uses, still have those fingerprints can be reported "not started" from the
// lessons manifest alone: the verdict is the proven one, and the first grade of a fresh
// kit builds no lesson.
#pragma once

#include "lessons_manifest.hpp"

#include <string>
#include <vector>

namespace bnkit::runner {

/// SHA-256 of a file's bytes as 64 lowercase hex digits; "" when it cannot be read.
std::string sha256_file(const std::string& path);

struct Fingerprint {
  std::string file;    ///< relative to the kit root
  std::string sha256;  ///< 64 lowercase hex digits
};

/// The lines of a sha256sum file. Throws std::runtime_error naming the file and line.
std::vector<Fingerprint> read_fingerprints(const std::string& path);

/// The files (relative to `root`) of `lesson` and of the lessons it uses whose bytes differ
/// from their recorded fingerprints, or cannot be read; empty when all are pristine.
std::vector<std::string> changed_stub_files(const std::string& root, const LessonEntry& lesson,
                                            const std::vector<LessonEntry>& all);

/// The lesson graded from the manifest: every visible test "not started", with the reason.
LessonResult pristine_result(const LessonEntry& lesson, const std::string& stub_path);

}  // namespace bnkit::runner
