// Work that runs beside the caller while it goes on, for pure code that may not start threads.
//
// core/ hands a piece of work over through this interface and asks for it back before it uses
// what the work wrote; an adapter outside core/ (io/background_thread.h) runs it on another
// thread. One piece at a time: a pipeline stage keeps two buffers, fills one while the other is
// worked on, and waits before it swaps them. Code that is given no Background does the work itself.
#pragma once

#include <functional>

namespace tidemark {

class Background {
 public:
  virtual ~Background() = default;
  // Starts `work` elsewhere and returns at once. The piece started before must have been
  // waited for (a caller bug otherwise). `work` must not throw.
  virtual void Start(std::function<void()> work) = 0;
  // Returns once the piece started last has returned (at once when none is running). What the
  // work wrote is then visible to the caller.
  virtual void Wait() = 0;
};

}  // namespace tidemark
