// Worker side: the generic dispatcher. For each call a lesson's binding declares, it reads
// the arguments into plain objects, calls the student's code, and writes back every
// in-out argument (and the object, for a method) and the return value.
// Compiled into the lesson's worker library together with the student's file.
#pragma once

#include "params.hpp"

#include <map>
#include <string>
#include <tuple>
#include <utility>

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
void call_function(R (*fn)(P...), Reader& in, Writer& outputs, Writer& result) {
  auto args = read_args<P...>(in);
  call_then_write(
      [&] {
        if constexpr (std::is_void_v<R>) std::apply(fn, args);
        else encode(result, std::apply(fn, args));
      },
      [&] { write_outputs<P...>(outputs, args, std::index_sequence_for<P...>{}); });
}

template <typename C, typename R, typename... P>
void call_method(R (C::*fn)(P...), Reader& in, Writer& outputs, Writer& result) {
  C self;  // every field is then read from the caller's copy of the object
  decode_into(in, self);
  auto args = read_args<P...>(in);
  call_then_write(
      [&] {
        auto bound = [&](auto&... a) { return (self.*fn)(a...); };
        if constexpr (std::is_void_v<R>) std::apply(bound, args);
        else encode(result, std::apply(bound, args));
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
                                     static_cast<R(*) params>(&name), in, outputs, result))
#define BNKIT_BIND_METHOD(R, cls, name, params, args)                                          \
  BNKIT_BOUNDARY_REGISTER(#cls "::" #name, ::bnkit::boundary::worker::call_method(             \
                                               static_cast<R(cls::*) params>(&cls::name), in,  \
                                               outputs, result))
#define BNKIT_BIND_CONSTRUCTOR(cls, params, args)                                              \
  BNKIT_BOUNDARY_REGISTER(#cls "::" #cls, ::bnkit::boundary::worker::call_constructor<cls>(    \
                                              static_cast<void(*) params>(nullptr), in,        \
                                              outputs, result))
