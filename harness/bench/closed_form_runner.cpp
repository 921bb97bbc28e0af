// One closed form, ready to be timed. This file is compiled twice (CMakeLists.txt): beside
// the student's lessons/06_backward_fast/backward_fast.cpp with -Dbnkit=bnkit_student, and
// beside the reference with -Dbnkit=bnkit_reference. The rename gives each copy of
// bnkit::batchnorm_backward_fast (and of the lesson API it uses) a name of its own, so both fit
// in one program; BNKIT_BENCH_FACTORY names the function that hands out this copy's runners.
#include "backward_fast.hpp"
#include "bench_problem.hpp"

#include "bnkit/todo.hpp"

namespace bnkit_bench {

namespace {

class ClosedForm final : public Runner {
 public:
  explicit ClosedForm(const Problem& p)
      : x_(p.shape, p.x), dy_(p.shape, p.dy), mean_(p.mean), rstd_(p.rstd), gamma_(p.gamma) {}

  void run() override {
    try {
      bnkit::batchnorm_backward_fast(dx_, dgamma_, dbeta_, mean_, rstd_, dy_, x_, gamma_);
    } catch (const bnkit::NotImplemented& e) {
      throw NotStarted(e.what());
    }
  }

  Result result() const override { return {dx_.values(), dgamma_, dbeta_}; }

 private:
  bnkit::Tensor x_, dy_, dx_;
  Eigen::VectorXd mean_, rstd_, gamma_, dgamma_, dbeta_;
};

}  // namespace

std::unique_ptr<Runner> BNKIT_BENCH_FACTORY(const Problem& p) { return std::make_unique<ClosedForm>(p); }

}  // namespace bnkit_bench
