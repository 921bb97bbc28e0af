#include "capstone_inputs.hpp"

#include "data_pipe.hpp"
#include "idx.hpp"

#include <algorithm>
#include <filesystem>

namespace bnkit::cli {

namespace {

/// The data every run gets on its stdin: the header and both splits, checked once here.
std::shared_ptr<const std::string> load_data(const std::string& dir, long train_limit, long test_limit,
                                             long& n_train, long& n_test) {
  const capstone::IdxSplit train = capstone::load_split_bytes(dir, "train", train_limit);
  const capstone::IdxSplit test = capstone::load_split_bytes(dir, "t10k", test_limit);
  if (train.rows != test.rows || train.cols != test.cols) {
    throw capstone::DataError(dir + ": the training images are " + std::to_string(train.rows) + "x" +
                              std::to_string(train.cols) + " but the test images " + std::to_string(test.rows) + "x" +
                              std::to_string(test.cols));
  }
  if (train.size() < 2 || test.size() < 1) throw capstone::DataError(dir + ": too few images to train and test on");
  n_train = train.size();
  n_test = test.size();
  auto blob = std::make_shared<std::string>(capstone::data_pipe_header(train, test));
  blob->reserve(blob->size() + train.images.size() + train.labels.size() + test.images.size() + test.labels.size());
  for (const auto* bytes : {&train.images, &train.labels, &test.images, &test.labels}) blob->append(bytes->begin(), bytes->end());
  return blob;
}

}  // namespace

std::optional<Inputs> load_inputs(const capstone::Plan& plan, const std::string& data_option, std::string& error) {
  const bool default_data = data_option.empty();
  Inputs in;
  in.data_dir = default_data ? capstone::kDebianFashionMnist : data_option;
  if (!std::filesystem::is_directory(in.data_dir)) {
    if (default_data) {
      error = "the Fashion-MNIST data is not installed (" + in.data_dir +
              " is missing). It comes in Debian's package dataset-fashion-mnist:\n\n"
              "    sudo apt-get install -y dataset-fashion-mnist\n\n"
              "(./bnkit capstone installs it itself when run as root), or point --data at a folder of IDX files\n"
              "in MNIST's layout (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...).";
    } else {
      error = "--data " + data_option + ": no such folder (it needs the IDX files train-images-idx3-ubyte[.gz], "
              "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz])";
    }
    return std::nullopt;
  }
  // Load what the most demanding run needs (0: all).
  long train_limit = 0, test_limit = 0;
  bool all_train = false, all_test = false;
  for (const capstone::RunSpec& r : plan.runs) {
    all_train = all_train || r.train_limit == 0;
    all_test = all_test || r.test_limit == 0;
    train_limit = std::max(train_limit, r.train_limit);
    test_limit = std::max(test_limit, r.test_limit);
  }
  if (all_train) train_limit = 0;
  if (all_test) test_limit = 0;
  try {
    in.data = load_data(in.data_dir, train_limit, test_limit, in.n_train, in.n_test);
  } catch (const capstone::DataError& e) {
    error = std::string("the data cannot be used: ") + e.what();
    return std::nullopt;
  }
  return in;
}

}  // namespace bnkit::cli
