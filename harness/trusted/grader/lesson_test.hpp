// Everything a lesson's test file needs.
#pragma once

#include "case_file.hpp"
#include "compare.hpp"
#include "case_loop.hpp"
#include "expect_error.hpp"
#include "hidden.hpp"
#include "hidden_cases.hpp"
#include "mistakes.hpp"
#include "points.hpp"
#include "random.hpp"
#include "refusal.hpp"
#include "tolerances.hpp"

#include <gtest/gtest.h>
