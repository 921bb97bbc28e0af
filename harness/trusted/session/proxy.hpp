// Trusted side: each function of a lesson's contract is defined here as a proxy that sends
// the call and its arguments to the worker, and copies back what the student's code wrote.
// The test binary links these proxies, never the student's file.
#pragma once

#include "params.hpp"
#include "reply.hpp"

#include "bnkit/checks.hpp"

#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace bnkit::boundary {

/// A call that could not complete: the worker crashed, hung, ran out of memory, or sent a
/// reply that cannot be read. what() names the call and what happened to it.
class CallFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the code threw, when its type is not a standard one (the student's own class).
class ForeignException : public std::runtime_error {
 public:
  ForeignException(std::string type, const std::string& what)
      : std::runtime_error(type + ": " + what), type_(std::move(type)) {}
  const std::string& type() const { return type_; }

 private:
  std::string type_;
};

/// Sends one call to the current worker (the student's, or the oracle's inside an
/// OracleScope) and waits for its reply. Throws CallFailed, whose message may show the
/// arguments as `describe_arguments` puts them ("x [4, 3], eps 1e-05").
Reply call_worker(const std::string& name, const std::string& args,
                  const std::function<std::string()>& describe_arguments = {});

/// Throws what the worker's code threw: the same standard exception type and message,
/// bnkit::NotImplemented for a TODO, CallFailed for an exhausted memory limit.
[[noreturn]] void rethrow(const Reply& reply, const std::string& call);

namespace detail {

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T, typename = void>
struct HasFields : std::false_type {};
template <typename T>
struct HasFields<T, std::void_t<decltype(Fields<T>::of(std::declval<T&>()))>> : std::true_type {};

/// One argument of parameter type P, for a message: its shape ("[4, 3]", "[3]" for a
/// vector), its value (a number, a bool), or its fields', in order ("{[3], [3], 0}").
template <typename P, typename A>
std::string describe_arg(const A& a) {
  using Stored = typename Param<P>::Stored;
  if constexpr (std::is_base_of_v<Eigen::EigenBase<Stored>, Stored>) {
    if (Stored::ColsAtCompileTime == 1 || Stored::RowsAtCompileTime == 1) return shape_string({a.size()});
    return shape_string({a.rows(), a.cols()});
  } else if constexpr (std::is_same_v<Stored, Tensor>) {
    return shape_string(a.shape());
  } else if constexpr (std::is_same_v<Stored, bool>) {
    return a ? "true" : "false";
  } else if constexpr (std::is_arithmetic_v<Stored>) {
    std::ostringstream text;
    text << a;
    return text.str();
  } else if constexpr (IsOptional<Stored>::value) {
    return a ? describe_arg<typename Stored::value_type>(*a) : "nullopt";
  } else if constexpr (HasFields<Stored>::value) {
    std::string fields;
    std::apply([&](const auto&... f) { ((fields += (fields.empty() ? "" : ", ") + describe_arg<decltype(f)>(f)), ...); },
               Fields<Stored>::of(const_cast<Stored&>(a)));
    return "{" + fields + "}";
  } else {
    return "(not shown)";
  }
}

/// "mean [3], x [4, 3], eps 1e-05": each argument's name (from the binding's list
/// "(mean, x, eps)") and describe_arg.
template <typename... P, typename Tuple, std::size_t... I>
std::string describe_args(const char* names, const Tuple& args, std::index_sequence<I...>) {
  std::vector<std::string> name;
  std::string list = names;
  for (char& c : list) {
    if (c == '(' || c == ')' || c == ',') c = ' ';
  }
  std::istringstream words(list);
  for (std::string w; words >> w;) name.push_back(w);
  std::string text;
  ((text += (I == 0 ? "" : ", ") + (I < name.size() ? name[I] + " " : "") + describe_arg<P>(std::get<I>(args))), ...);
  return text;
}

template <typename... P, typename Tuple, std::size_t... I>
void encode_args(Writer& w, Tuple& args, std::index_sequence<I...>) {
  (encode_arg<P>(w, std::get<I>(args)), ...);
}

template <typename... P, typename Tuple, std::size_t... I>
void write_back_args(Reader& r, Tuple& args, std::index_sequence<I...>) {
  (write_back_arg<P>(r, std::get<I>(args)), ...);
}

/// Reads the reply: in-out values first (also after a throw), then the result or the throw.
template <typename R, typename... P, typename Self, typename Tuple>
R finish(const Reply& reply, const std::string& call, Self* self, Tuple& args) {
  try {
    Reader out(reply.outputs);
    if constexpr (!std::is_same_v<Self, void>) {
      if (reply.status == Status::kReturned || reply.status == Status::kThrew ||
          reply.status == Status::kTodo) {
        if (!reply.outputs.empty()) decode_into(out, *self);
      }
    }
    if (!reply.outputs.empty()) write_back_args<P...>(out, args, std::index_sequence_for<P...>{});
    if (!out.done()) throw WireError("extra bytes after the outputs");
    if (reply.status != Status::kReturned) rethrow(reply, call);
    if constexpr (!std::is_void_v<R>) {
      Reader res(reply.result);
      R value = decode<R>(res);
      if (!res.done()) throw WireError("extra bytes after the result");
      return value;
    }
  } catch (const WireError& e) {
    throw CallFailed(call + " sent back a reply that cannot be read (" + e.what() +
                     "): the worker was tampered with");
  }
}

}  // namespace detail

template <typename R, typename... P, typename Tuple>
R forward_call(R (*)(P...), const std::string& call, const char* names, Tuple args) {
  Writer w;
  detail::encode_args<P...>(w, args, std::index_sequence_for<P...>{});
  const Reply reply = call_worker(call, w.bytes(), [&] {
    return detail::describe_args<P...>(names, args, std::index_sequence_for<P...>{});
  });
  return detail::finish<R, P...>(reply, call, static_cast<void*>(nullptr), args);
}

template <typename C, typename R, typename... P, typename Tuple>
R forward_method(C& self, R (*)(P...), const std::string& call, const char* names, Tuple args) {
  Writer w;
  encode(w, self);
  detail::encode_args<P...>(w, args, std::index_sequence_for<P...>{});
  const Reply reply = call_worker(call, w.bytes(), [&] {
    return detail::describe_args<P...>(names, args, std::index_sequence_for<P...>{});
  });
  return detail::finish<R, P...>(reply, call, &self, args);
}

template <typename C, typename... P, typename Tuple>
void forward_construct(C& self, void (*)(P...), const std::string& call, const char* names, Tuple args) {
  Writer w;
  detail::encode_args<P...>(w, args, std::index_sequence_for<P...>{});
  const Reply reply = call_worker(call, w.bytes(), [&] {
    return detail::describe_args<P...>(names, args, std::index_sequence_for<P...>{});
  });
  if (reply.status != Status::kReturned) rethrow(reply, call);
  try {
    Reader res(reply.result);
    decode_into(res, self);
    if (!res.done()) throw WireError("extra bytes after the object");
  } catch (const WireError& e) {
    throw CallFailed(call + " sent back an object that cannot be read (" + e.what() + ")");
  }
}

}  // namespace bnkit::boundary

#define BNKIT_BIND_FUNCTION(R, name, params, args)                                       \
  namespace bnkit {                                                                      \
  R name params {                                                                        \
    return ::bnkit::boundary::forward_call(static_cast<R(*) params>(nullptr), #name,     \
                                           #args, std::forward_as_tuple args);           \
  }                                                                                      \
  }
#define BNKIT_BIND_METHOD(R, cls, name, params, args)                                    \
  namespace bnkit {                                                                      \
  R cls::name params {                                                                   \
    return ::bnkit::boundary::forward_method(*this, static_cast<R(*) params>(nullptr),   \
                                             #cls "::" #name, #args,                     \
                                             std::forward_as_tuple args);                \
  }                                                                                      \
  }
#define BNKIT_BIND_CONSTRUCTOR(cls, params, args)                                        \
  namespace bnkit {                                                                      \
  cls::cls params {                                                                      \
    ::bnkit::boundary::forward_construct(*this, static_cast<void(*) params>(nullptr),    \
                                         #cls "::" #cls, #args,                          \
                                         std::forward_as_tuple args);                    \
  }                                                                                      \
  }
