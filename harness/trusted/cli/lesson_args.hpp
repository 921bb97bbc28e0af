// Turning the lesson names a user typed into lessons, with a helpful error otherwise.
#pragma once

#include "catalog.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bnkit::cli {

/// The lessons named (all when `names` is empty), or nullopt after printing which names are
/// unknown and what the valid ones are.
std::optional<std::vector<Lesson>> select_lessons(const std::vector<std::string>& names);

/// "01_batch_statistics (01), 02_forward (02), ..." for error messages.
std::string valid_lessons_text(const std::vector<Lesson>& lessons);

}  // namespace bnkit::cli
