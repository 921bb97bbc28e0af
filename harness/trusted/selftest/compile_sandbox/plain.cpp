// The control: an ordinary lesson-style file compiles in the compile sandbox.
#include "bnkit/checks.hpp"

int probe() { return static_cast<int>(bnkit::shape_string({2, 3}).size()); }
