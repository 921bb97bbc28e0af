// one_pass_float: what the one-pass variance E[x^2] - E[x]^2 returns, next to the two-pass
// one, in float and in double, with the sums taken front to back and back to front.
// Lesson 01's README quotes this program's output; the ctest
// docs/01_batch_statistics/one-pass-numbers fails if the quote and the output differ.
#include <cstdio>
#include <string>
#include <vector>

namespace {

/// mean(x^2) - mean(x)^2, summing in T, in the given order.
template <typename T>
T one_pass(const std::vector<double>& values, bool back_to_front) {
  T sum = 0, sum_sq = 0;
  const std::size_t n = values.size();
  for (std::size_t k = 0; k < n; ++k) {
    const T x = static_cast<T>(values[back_to_front ? n - 1 - k : k]);
    sum += x;
    sum_sq += x * x;
  }
  const T mean = sum / static_cast<T>(n);
  return sum_sq / static_cast<T>(n) - mean * mean;
}

/// The mean first, then the mean of the squared deviations from it, summing in T.
template <typename T>
T two_pass(const std::vector<double>& values) {
  T sum = 0;
  for (double v : values) sum += static_cast<T>(v);
  const T mean = sum / static_cast<T>(values.size());
  T sum_sq = 0;
  for (double v : values) {
    const T d = static_cast<T>(v) - mean;
    sum_sq += d * d;
  }
  return sum_sq / static_cast<T>(values.size());
}

template <typename T>
void row(const std::string& label, const char* type, const std::vector<double>& base, double offset) {
  std::vector<double> values;
  for (double b : base) values.push_back(b + offset);
  std::printf("%-17s %-7s %-22g %-22g %g\n", label.c_str(), type, static_cast<double>(one_pass<T>(values, false)),
              static_cast<double>(one_pass<T>(values, true)), static_cast<double>(two_pass<T>(values)));
}

}  // namespace

int main() {
  const std::vector<double> four = {1, 2, 3, 4}, odd = {1, 3, 5}, even = {2, 4, 6};
  std::printf("%-17s %-7s %-22s %-22s %s\n", "data", "type", "one-pass, forwards", "one-pass, backwards",
              "two-pass");
  row<float>("[1,2,3,4] + 1e4", "float", four, 1e4);
  row<double>("[1,2,3,4] + 1e4", "double", four, 1e4);
  row<float>("[1,2,3,4] + 1e8", "float", four, 1e8);
  row<double>("[1,2,3,4] + 1e8", "double", four, 1e8);
  row<double>("[1,3,5] + 1e8", "double", odd, 1e8);
  row<double>("[2,4,6] + 1e8", "double", even, 1e8);
  return 0;
}
