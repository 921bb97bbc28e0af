// The catalogue of known mistakes the grader can recognise in a wrong answer.
#pragma once

#include <string>

namespace bnkit::grader {

/// One sentence explaining mistake `id` (an id used in golden fingerprints and mutants),
/// or an empty string for an unknown id.
std::string describe_mistake(const std::string& id);

/// The line a failing check prints when an answer matches mistake `id`:
/// "Looks like a known mistake [id]: <sentence>". The runner and the kit's own tests
/// look for the "[id]" tag.
std::string looks_like(const std::string& id);

}  // namespace bnkit::grader
