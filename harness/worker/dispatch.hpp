// Worker side: the generic dispatcher. For each call a lesson's binding declares, it reads
// the arguments into plain objects, calls the student's code, and writes back every
// in-out argument (and the object, for a method) and the return value.
// Compiled into the lesson's worker library together with the student's file.
#pragma once

#include "params.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace bnkit::boundary::worker {

/// Runs one call: arguments from `in`; in-out values to `outputs` (also when the code
/// throws); the return value (or a constructed object) to `result`.
using Handler = void (*)(Reader& in, Writer& outputs, Writer& result);

inline std::map<std::string, Handler>& registry() {
  static std::map<std::string, Handler> calls;
  return calls;
}

inline bool add(const char* name, Handler handler) {
  registry()[name] = handler;
  return true;
}

template <typename... P>
std::tuple<typename Param<P>::Stored...> read_args(Reader& in) {
  // A braced list is evaluated left to right: the arguments are read in order.
  std::tuple<typename Param<P>::Stored...> args{decode<typename Param<P>::Stored>(in)...};
  if (!in.done()) throw WireError("extra bytes after the arguments");
  return args;
}

template <typename... P, typename Tuple, std::size_t... I>
void write_outputs(Writer& out, const Tuple& args, std::index_sequence<I...>) {
  ((Param<P>::out ? encode(out, std::get<I>(args)) : void()), ...);
}

/// Thrown when the code wrote into an argument the contract passes read-only (through a
/// const_cast or a pointer): the caller's data must not change.
class ConstInputWritten : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// The bytes of every read-only argument ("" for in-out ones), to compare after the call.
template <typename... P, typename Tuple, std::size_t... I>
std::vector<std::string> read_only_bytes(const Tuple& args, std::index_sequence<I...>) {
  std::vector<std::string> bytes;
  auto one = [](const auto& value, bool out) {
    if (out) return std::string();
    Writer w;
    encode(w, value);
    return w.take();
  };
  (bytes.push_back(one(std::get<I>(args), Param<P>::out)), ...);
  return bytes;
}

/// Name k of the binding's argument list "(a, b, c)".
inline std::string argument_name(const char* names, std::size_t k) {
  std::string list = names;
  list = list.substr(list.find('(') + 1);
  for (std::size_t i = 0; i < k && list.find(',') != std::string::npos; ++i) list = list.substr(list.find(',') + 1);
  list = list.substr(0, std::min(list.find(','), list.find(')')));
  list.erase(0, list.find_first_not_of(' '));
  return list;
}

/// Throws ConstInputWritten if a read-only argument's bytes changed during the call.
template <typename... P, typename Tuple>
void check_read_only(const std::vector<std::string>& before, const Tuple& args, const char* names) {
  const std::vector<std::string> after = read_only_bytes<P...>(args, std::index_sequence_for<P...>{});
  for (std::size_t k = 0; k < before.size(); ++k) {
    if (before[k] != after[k]) {
      throw ConstInputWritten(argument_name(names, k) +
                              " is a read-only input, but the code wrote into it (through a const_cast or a "
                              "pointer?): the caller's data must not change");
    }
  }
}

/// Calls `body`, then writes the outputs with `write`, whether `body` returned or threw.
template <typename Body, typename Write>
void call_then_write(Body&& body, Write&& write) {
  try {
    body();
  } catch (...) {
    write();
    throw;
  }
  write();
}

template <typename R, typename... P>
void call_function(R (*fn)(P...), const char* names, Reader& in, Writer& outputs, Writer& result) {
  auto args = read_args<P...>(in);
  const auto before = read_only_bytes<P...>(args, std::index_sequence_for<P...>{});
  call_then_write(
      [&] {
        if constexpr (std::is_void_v<R>) std::apply(fn, args);
        else encode(result, std::apply(fn, args));
        check_read_only<P...>(before, args, names);
      },
      [&] { write_outputs<P...>(outputs, args, std::index_sequence_for<P...>{}); });
}

template <typename C, typename R, typename... P>
void call_method(R (C::*fn)(P...), const char* names, Reader& in, Writer& outputs, Writer& result) {
  C self;  // every field is then read from the caller's copy of the object
  decode_into(in, self);
  auto args = read_args<P...>(in);
  const auto before = read_only_bytes<P...>(args, std::index_sequence_for<P...>{});
  call_then_write(
      [&] {
        auto bound = [&](auto&... a) { return (self.*fn)(a...); };
        if constexpr (std::is_void_v<R>) std::apply(bound, args);
        else encode(result, std::apply(bound, args));
        check_read_only<P...>(before, args, names);
      },
      [&] {
        encode(outputs, self);
        write_outputs<P...>(outputs, args, std::index_sequence_for<P...>{});
      });
}

template <typename C, typename... P>
void call_constructor(void (*)(P...), Reader& in, Writer&, Writer& result) {
  auto args = read_args<P...>(in);
  std::apply([&](auto&... a) { encode(result, C(a...)); }, args);
}

}  // namespace bnkit::boundary::worker

#define BNKIT_BOUNDARY_CAT2(a, b) a##b
#define BNKIT_BOUNDARY_CAT(a, b) BNKIT_BOUNDARY_CAT2(a, b)
#define BNKIT_BOUNDARY_REGISTER(name, ...)                                                     \
  namespace bnkit {                                                                            \
  namespace {                                                                                  \
  [[maybe_unused]] const bool BNKIT_BOUNDARY_CAT(bnkit_bound_call_, __LINE__) =                \
      ::bnkit::boundary::worker::add(name, [](::bnkit::boundary::Reader& in,                   \
                                              ::bnkit::boundary::Writer& outputs,              \
                                              ::bnkit::boundary::Writer& result) {             \
        __VA_ARGS__;                                                                           \
      });                                                                                      \
  }                                                                                            \
  }

#define BNKIT_BIND_FUNCTION(R, name, params, args)                                             \
  BNKIT_BOUNDARY_REGISTER(#name, ::bnkit::boundary::worker::call_function(                     \
                                     static_cast<R(*) params>(&name), #args, in, outputs, result))
#define BNKIT_BIND_METHOD(R, cls, name, params, args)                                          \
  BNKIT_BOUNDARY_REGISTER(#cls "::" #name, ::bnkit::boundary::worker::call_method(             \
                                               static_cast<R(cls::*) params>(&cls::name), #args, \
                                               in, outputs, result))
#define BNKIT_BIND_CONSTRUCTOR(cls, params, args)                                              \
  BNKIT_BOUNDARY_REGISTER(#cls "::" #cls, ::bnkit::boundary::worker::call_constructor<cls>(    \
                                              static_cast<void(*) params>(nullptr), in,        \
                                              outputs, result))
