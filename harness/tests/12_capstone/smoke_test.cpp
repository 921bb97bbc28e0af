// Placeholder while the real tests are written: the model crosses and trains.
#include "capstone.hpp"
#include "idx.hpp"
#include "lesson_test.hpp"

BNKIT_TEST(CapstoneSmoke, ReferenceTrains, 1) {
  bnkit::MlpConfig config;
  bnkit::Mlp model = bnkit::make_mlp(config, 1);
  const std::string dir = bnkit::capstone::graded_subset_dir();
  const bnkit::Dataset train = bnkit::capstone::load_split(dir, "train");
  const bnkit::Dataset test = bnkit::capstone::load_split(dir, "t10k");
  bnkit::Sgd sgd;
  for (int e = 0; e < 3; ++e) bnkit::train_epoch(model, sgd, train, 32, 100 + e);
  const double acc = bnkit::evaluate(model, test, 500);
  EXPECT_GT(acc, 0.7);
  std::printf("acc %.4f\n", acc);
}
