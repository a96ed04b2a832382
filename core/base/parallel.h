// Running independent pieces of work at the same time, for pure code that may not start threads.
//
// core/ asks through this interface; an adapter outside it (io/thread_parallel.h) decides how the
// pieces run. Code that is given no Parallel runs the pieces one after the other itself.
#pragma once

#include <cstddef>
#include <functional>

namespace tidemark {

class Parallel {
 public:
  virtual ~Parallel() = default;
  // Calls work(i) once for each i in [0, n), possibly concurrently and in any order, and returns
  // when every call has returned. `work` must be safe to call concurrently for different i.
  virtual void ForEach(size_t n, const std::function<void(size_t)>& work) = 0;
};

}  // namespace tidemark
