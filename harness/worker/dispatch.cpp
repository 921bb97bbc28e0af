// Worker side: the one entry point of a lesson's worker library, called by bnkit-worker for
// each request. Exceptions from the student's code become a reply: its type and message,
// or "not started" for a stub's BNKIT_TODO.
#include "dispatch.hpp"

#include "reply.hpp"

#include "bnkit/todo.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <typeinfo>
#include <vector>

namespace {

using namespace bnkit::boundary;

std::string type_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                              std::free);
  return status == 0 && name ? name.get() : type.name();
}

/// The reply body for `status`: the outputs, then the status's texts (result; type,
/// message, base; or the one message), in encode_reply's order.
std::string reply(Status status, const Writer& outputs, const std::vector<std::string>& texts) {
  Reply r;
  r.status = status;
  r.outputs = outputs.bytes();
  if (status == Status::kReturned) r.result = texts.at(0);
  else if (status == Status::kThrew) {
    r.type = texts.at(0);
    r.message = texts.at(1);
    r.base = texts.at(2);
  } else {
    r.message = texts.at(0);
  }
  return encode_reply(r);
}

/// The most specific standard exception class `e` is (or derives from), so the trusted side
/// can rethrow what a `catch` in the test would see.
std::string standard_base(const std::exception& e) {
#define BNKIT_STD_BASE(type) \
  if (dynamic_cast<const type*>(&e)) return #type;
  BNKIT_STD_BASE(std::invalid_argument)
  BNKIT_STD_BASE(std::domain_error)
  BNKIT_STD_BASE(std::length_error)
  BNKIT_STD_BASE(std::out_of_range)
  BNKIT_STD_BASE(std::logic_error)
  BNKIT_STD_BASE(std::range_error)
  BNKIT_STD_BASE(std::overflow_error)
  BNKIT_STD_BASE(std::underflow_error)
  BNKIT_STD_BASE(std::runtime_error)
  BNKIT_STD_BASE(std::bad_alloc)
#undef BNKIT_STD_BASE
  return "std::exception";
}

}  // namespace

/// Handles one request (str call, str args) and fills `out` with the reply frame's body.
extern "C" __attribute__((visibility("default"))) void bnkit_worker_handle(const char* request,
                                                                        std::size_t size,
                                                                        std::string* out) {
  Writer outputs, result;
  std::string call;
  try {
    std::string args;
    decode_request(request, size, call, args);
    const auto it = worker::registry().find(call);
    if (it == worker::registry().end()) {
      *out = reply(Status::kUnknown, outputs, {call});
      return;
    }
    Reader in(args);
    it->second(in, outputs, result);
    *out = reply(Status::kReturned, outputs, {result.bytes()});
  } catch (const bnkit::NotImplemented& e) {
    *out = reply(Status::kTodo, outputs, {e.what()});
  } catch (const WireError& e) {
    *out = reply(Status::kBadRequest, outputs, {e.what()});
  } catch (const std::exception& e) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    *out = reply(Status::kThrew, outputs, {type ? type_name(*type) : "std::exception", e.what(), standard_base(e)});
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    *out = reply(Status::kThrew, outputs, {type ? type_name(*type) : "an unknown type", "(not a std::exception)", ""});
  }
}
