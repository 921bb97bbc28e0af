// The bytes that cross the process boundary: how every value a lesson's contract takes or
// returns is written and read. Both sides include this file; the trusted side treats every
// byte it reads as hostile (sizes are checked before anything is allocated).
//
// A type crosses the boundary through a Codec<T> (one small struct per type, as pybind11's
// type casters do). Plain structs and classes cross field by field: declare their fields
// once with BNKIT_BIND_FIELDS in the lesson's binding file (harness/lessons/NN_topic/binding.cpp).
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace bnkit::boundary {

/// A message that cannot be read: truncated, oversized or of the wrong shape.
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The most values one tensor may carry across (2^27 doubles = 1 GiB).
inline constexpr std::uint64_t kMaxValues = std::uint64_t{1} << 27;

class Writer {
 public:
  void raw(const void* p, std::size_t n) {
    if (n > 0) bytes_.append(static_cast<const char*>(p), n);  // an empty matrix may have no data()
  }
  void u64(std::uint64_t v) { raw(&v, sizeof v); }
  void i64(std::int64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void u8(std::uint8_t v) { raw(&v, 1); }
  void str(const std::string& s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class Reader {
 public:
  Reader(const char* data, std::size_t size) : p_(data), end_(data + size) {}
  explicit Reader(const std::string& s) : Reader(s.data(), s.size()) {}

  void raw(void* out, std::size_t n) {
    need(n);
    if (n == 0) return;  // an empty matrix may have no data()
    std::memcpy(out, p_, n);
    p_ += n;
  }
  std::uint64_t u64() { return get<std::uint64_t>(); }
  std::int64_t i64() { return get<std::int64_t>(); }
  double f64() { return get<double>(); }
  std::uint8_t u8() { return get<std::uint8_t>(); }
  std::string str() {
    const std::uint64_t n = u64();
    need(n);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  /// A count of `item_bytes`-sized items that must still fit in what is left.
  std::uint64_t count(std::size_t item_bytes) {
    const std::uint64_t n = u64();
    if (n > kMaxValues || n * item_bytes > remaining()) throw WireError("a count runs past the message");
    return n;
  }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  bool done() const { return p_ == end_; }

 private:
  template <typename T>
  T get() {
    T v;
    raw(&v, sizeof v);
    return v;
  }
  void need(std::uint64_t n) const {
    if (n > remaining()) throw WireError("the message ends too early");
  }
  const char* p_;
  const char* end_;
};

/// How a type crosses. encode writes it; decode reads a fresh one.
template <typename T, typename Enable = void>
struct Codec;

/// Fields<T>::of(t) ties the fields of a struct or class that crosses field by field.
template <typename T>
struct Fields;

template <typename T>
void encode(Writer& w, const T& v) { Codec<T>::encode(w, v); }
template <typename T>
T decode(Reader& r) { return Codec<T>::decode(r); }

template <>
struct Codec<bool> {
  static void encode(Writer& w, bool v) { w.u8(v ? 1 : 0); }
  static bool decode(Reader& r) {
    const auto v = r.u8();
    if (v > 1) throw WireError("a bool that is neither 0 nor 1");
    return v == 1;
  }
};

template <typename T>
struct Codec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static void encode(Writer& w, T v) { w.i64(static_cast<std::int64_t>(v)); }
  static T decode(Reader& r) { return static_cast<T>(r.i64()); }
};

/// Enumerations cross as their underlying integer; an out-of-range value is refused.
template <typename T>
struct Codec<T, std::enable_if_t<std::is_enum_v<T>>> {
  static void encode(Writer& w, T v) { w.i64(static_cast<std::int64_t>(v)); }
  static T decode(Reader& r) {
    const std::int64_t v = r.i64();
    if (v < 0 || v > 255) throw WireError("an enumeration value out of range");
    return static_cast<T>(v);
  }
};

template <>
struct Codec<double> {
  static void encode(Writer& w, double v) { w.f64(v); }
  static double decode(Reader& r) { return r.f64(); }
};

template <>
struct Codec<std::string> {
  static void encode(Writer& w, const std::string& v) { w.str(v); }
  static std::string decode(Reader& r) { return r.str(); }
};

template <typename T>
struct Codec<std::optional<T>> {
  static void encode(Writer& w, const std::optional<T>& v) {
    w.u8(v ? 1 : 0);
    if (v) bnkit::boundary::encode(w, *v);
  }
  static std::optional<T> decode(Reader& r) {
    if (!Codec<bool>::decode(r)) return std::nullopt;
    return bnkit::boundary::decode<T>(r);
  }
};

/// Dense double matrices and vectors of any (dynamic or fixed) size: rows, cols, then the
/// values in the type's own storage order, copied as one block (both sides declare the same
/// type, so they agree on the order; a 3,000-image dataset crosses in milliseconds).
template <int Rows, int Cols, int Options, int MaxRows, int MaxCols>
struct Codec<Eigen::Matrix<double, Rows, Cols, Options, MaxRows, MaxCols>> {
  using M = Eigen::Matrix<double, Rows, Cols, Options, MaxRows, MaxCols>;
  static void encode(Writer& w, const M& m) {
    w.i64(m.rows());
    w.i64(m.cols());
    w.raw(m.data(), static_cast<std::size_t>(m.size()) * sizeof(double));
  }
  static M decode(Reader& r) {
    const std::int64_t rows = r.i64(), cols = r.i64();
    // Each dimension first, so that their product (at most 2^54) cannot wrap: 2^32 x 2^32
    // or 3 x 6148914691236517206 would pass a check of the product alone.
    const auto fits = [](std::int64_t d) { return d >= 0 && static_cast<std::uint64_t>(d) <= kMaxValues; };
    if (!fits(rows) || !fits(cols) || (Rows != Eigen::Dynamic && rows != Rows) ||
        (Cols != Eigen::Dynamic && cols != Cols)) {
      throw WireError("a matrix whose size does not fit the message");
    }
    const std::uint64_t values = static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols);
    if (values > kMaxValues || values * sizeof(double) > r.remaining()) {
      throw WireError("a matrix whose size does not fit the message");
    }
    M m(rows, cols);
    r.raw(m.data(), static_cast<std::size_t>(values) * sizeof(double));
    return m;
  }
};

/// Vectors: a count, then the items.
template <typename T>
struct Codec<std::vector<T>> {
  static void encode(Writer& w, const std::vector<T>& v) {
    w.u64(v.size());
    for (const T& item : v) bnkit::boundary::encode(w, item);
  }
  static std::vector<T> decode(Reader& r) {
    const std::uint64_t n = r.count(1);  // every item takes at least one byte
    std::vector<T> v;
    v.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) v.push_back(bnkit::boundary::decode<T>(r));
    return v;
  }
};

template <>
struct Codec<Tensor> {
  static void encode(Writer& w, const Tensor& t) {
    // A default-constructed Tensor has no shape and no values: it crosses as shape [0].
    const bool unset = t.shape().empty() && t.numel() == 0;
    const std::vector<Index> shape = unset ? std::vector<Index>{0} : t.shape();
    w.u64(shape.size());
    for (Index d : shape) w.i64(d);
    w.raw(t.values().data(), static_cast<std::size_t>(t.numel()) * sizeof(double));
  }
  static Tensor decode(Reader& r) {
    const std::uint64_t rank = r.count(sizeof(std::int64_t));
    if (rank > 8) throw WireError("a tensor of rank above 8");
    std::vector<Index> shape(rank);
    std::uint64_t numel = 1;
    for (auto& d : shape) {
      d = r.i64();
      if (d < 0 || d > static_cast<Index>(kMaxValues)) throw WireError("a tensor with a bad dimension");
      numel *= static_cast<std::uint64_t>(d);
      if (numel > kMaxValues) throw WireError("a tensor too large for the message");
    }
    if (numel * sizeof(double) > r.remaining()) throw WireError("a tensor too large for the message");
    Eigen::VectorXd values(static_cast<Index>(numel));
    r.raw(values.data(), numel * sizeof(double));
    return Tensor(std::move(shape), std::move(values));
  }
};

/// Anything with a Fields<T> declaration crosses as its fields, in order.
template <typename T>
struct Codec<T, std::void_t<decltype(Fields<T>::of(std::declval<T&>()))>> {
  static void encode(Writer& w, const T& v) {
    std::apply([&](const auto&... f) { (bnkit::boundary::encode(w, f), ...); },
               Fields<T>::of(const_cast<T&>(v)));
  }
  /// Reads into an existing object (classes without a usable default state use this).
  static void decode_into(Reader& r, T& v) {
    std::apply([&](auto&... f) { ((f = bnkit::boundary::decode<std::decay_t<decltype(f)>>(r)), ...); },
               Fields<T>::of(v));
  }
  static T decode(Reader& r) {
    T v;
    decode_into(r, v);
    return v;
  }
};

}  // namespace bnkit::boundary

/// Declares, once, the fields through which TYPE crosses the boundary:
///   BNKIT_BIND_FIELDS(bnkit::RunningStats, s, (s.mean, s.var, s.num_batches_tracked))
#define BNKIT_BIND_FIELDS(TYPE, var, fields)                      \
  template <>                                                     \
  struct bnkit::boundary::Fields<TYPE> {                          \
    static auto of(TYPE& var) { return std::tie fields; }         \
  };
