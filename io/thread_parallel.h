// core/base/parallel.h on threads: each ForEach() starts `threads - 1` threads and works on the
// calling thread too, each taking the next index until none is left, then joins them. For a few
// coarse pieces of work (milliseconds each), where a thread's start-up cost does not matter.
#pragma once

#include "core/base/parallel.h"

namespace tidemark {

class ThreadParallel final : public Parallel {
 public:
  explicit ThreadParallel(unsigned threads) : threads_(threads ? threads : 1) {}
  void ForEach(size_t n, const std::function<void(size_t)>& work) override;

 private:
  unsigned threads_;
};

}  // namespace tidemark
