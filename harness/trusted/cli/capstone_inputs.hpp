// The capstone's inputs, checked before anything is built or started: the data folder (Debian's
// Fashion-MNIST unless --data names another), loaded once for every run of a plan.
#pragma once

#include "experiments.hpp"

#include <memory>
#include <optional>
#include <string>

namespace bnkit::cli {

struct Inputs {
  std::string data_dir;
  std::shared_ptr<const std::string> data;  ///< what every trainer gets on stdin (wire/data_pipe.hpp)
  long n_train = 0, n_test = 0;
};

/// What the most demanding run of `plan` needs from `data_option`'s folder ("": Debian's).
/// Nothing, with the message that names the problem in `error`, when it cannot be used.
std::optional<Inputs> load_inputs(const capstone::Plan& plan, const std::string& data_option, std::string& error);

}  // namespace bnkit::cli
