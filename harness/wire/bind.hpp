// What a lesson's binding file (harness/lessons/NN_topic/binding.cpp) includes. The binding
// declares each call of the lesson's contract ONCE; this header makes that declaration a
// proxy in the trusted test binary, or a dispatcher entry in the worker library
// (BNKIT_WORKER_SIDE), the way PYBIND11_MODULE drives both sides of a language boundary.
//
//   BNKIT_BIND_FIELDS(TYPE, t, (t.a, t.b))                 a type that crosses field by field
//   BNKIT_BIND_FUNCTION(R, name, (params...), (args...))   a free function in namespace bnkit
//   BNKIT_BIND_CONSTRUCTOR(Class, (params...), (args...))  a constructor
//   BNKIT_BIND_METHOD(R, Class, name, (params...), (args...))  a method; the object's fields
//                                                              cross in and out with the call
#pragma once

#include "wire.hpp"

#ifdef BNKIT_WORKER_SIDE
#include "dispatch.hpp"
#else
#include "proxy.hpp"
#endif
