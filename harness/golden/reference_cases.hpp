// Each lesson's generator of randomized cases whose expected values come from the
// reference solution. It is linked with the solution, never with student code; its
// output is committed as harness/lessons/NN_topic/golden/reference.cases so grading never needs it.
#pragma once

#include "case_writer.hpp"

namespace bnkit::golden {

/// Writes the lesson's cases (defined once per lesson, in reference_cases/NN_topic.cpp).
void write_reference_cases(grader::CaseWriter& out);

}  // namespace bnkit::golden
