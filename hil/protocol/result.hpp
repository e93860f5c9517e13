// Result<T, E>: a value or a typed error, for parsers at the protocol edge that must never throw
// on bad input (std::expected is C++23; the project builds as C++20).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace fleetsim::hil {

template <class E>
struct Failure {
  E error;
};

// Lets `return fail(Error::X);` read naturally where T and E could otherwise be confused.
template <class E>
Failure<E> fail(E error) {
  return Failure<E>{error};
}

template <class T, class E>
class Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Failure<E> failure) : state_(std::in_place_index<1>, failure.error) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Callers check ok() first; asking for the wrong alternative is a programming error.
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  E error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, E> state_;
};

}  // namespace fleetsim::hil
