// How each parameter of a contract function crosses the boundary, derived from its type:
//
//   const T& / T / const Eigen::Ref<const M>&   in:     sent to the worker
//   T& / Eigen::Ref<M>                          in-out: sent, and written back after the call
//
// The worker holds every argument in a plain object (Stored) and passes it to the student's
// function, so an Eigen::Ref parameter sees a real, correctly sized matrix there.
#pragma once

#include "wire.hpp"

#include <Eigen/Core>

#include <type_traits>

namespace bnkit::boundary {

template <typename T>
struct RefTraits {
  static constexpr bool is_ref = false;
  using Stored = T;
};
template <typename M, int Options, typename Stride>
struct RefTraits<Eigen::Ref<M, Options, Stride>> {
  static constexpr bool is_ref = true;
  static constexpr bool writable = !std::is_const_v<M>;
  using Stored = typename std::remove_const_t<M>::PlainObject;
};

template <typename P>
struct Param {
  using Bare = std::remove_cv_t<std::remove_reference_t<P>>;
  using Stored = typename RefTraits<Bare>::Stored;
  static constexpr bool is_ref = RefTraits<Bare>::is_ref;
  /// Written back after the call: a non-const lvalue reference, or a writable Eigen::Ref.
  static constexpr bool out = [] {
    if constexpr (RefTraits<Bare>::is_ref) return RefTraits<Bare>::writable;
    else return std::is_lvalue_reference_v<P> && !std::is_const_v<std::remove_reference_t<P>>;
  }();
};

template <typename T, typename = void>
struct HasDecodeInto : std::false_type {};
template <typename T>
struct HasDecodeInto<T, std::void_t<decltype(Codec<T>::decode_into(std::declval<Reader&>(),
                                                                   std::declval<T&>()))>>
    : std::true_type {};

/// Reads a value into an existing object (field by field where the type has fields).
template <typename T>
void decode_into(Reader& r, T& v) {
  if constexpr (HasDecodeInto<T>::value) Codec<T>::decode_into(r, v);
  else v = decode<T>(r);
}

/// Trusted side: writes argument `a` of parameter type P.
template <typename P, typename A>
void encode_arg(Writer& w, const A& a) {
  using Stored = typename Param<P>::Stored;
  if constexpr (Param<P>::is_ref) encode(w, Stored(a));
  else encode<Stored>(w, a);
}

/// Trusted side: after the call, copies an in-out argument back from the reply. An
/// Eigen::Ref cannot change size, so a reply that says otherwise is refused.
template <typename P, typename A>
void write_back_arg(Reader& r, A& a) {
  if constexpr (Param<P>::out) {
    using Stored = typename Param<P>::Stored;
    if constexpr (Param<P>::is_ref) {
      const Stored m = decode<Stored>(r);
      if (m.rows() != a.rows() || m.cols() != a.cols()) throw WireError("an output changed size");
      a = m;
    } else {
      decode_into(r, a);
    }
  }
}

}  // namespace bnkit::boundary
