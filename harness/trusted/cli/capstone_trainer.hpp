// The capstone's trainer programs (harness/worker/capstone_trainer/trainer_main.cpp), built on demand in
// build/release: `./bnkit capstone` and `./bnkit bench capstone` both run them.
#pragma once

#include <string>

namespace bnkit::cli {

/// Builds bnkit-capstone-reference (the solutions) or bnkit-capstone-student (lessons/) and
/// returns its path, or "" after saying why not (a compile error shown like grade's).
std::string build_capstone_trainer(bool reference);

}  // namespace bnkit::cli
