// Work that runs beside the caller while it goes on, for pure code that may not start threads.
//
// core/ hands a piece of work over through this interface and asks for it back before it uses
// what the work wrote; an adapter outside core/ (io/background_thread.h) runs it on another
// thread. One piece at a time: a pipeline stage keeps two buffers, fills one while the other is
// worked on, and waits before it swaps them. Code that is given no Background does the work itself.
//
// An implementation may run the piece at any time between Start() and the Wait() that follows,
// on any thread (a test's may run it inside Wait()): the caller must not read what the piece
// writes, nor write what it reads, until Wait() has returned.
#pragma once

#include <functional>

namespace tidemark {

class Background {
 public:
  virtual ~Background() = default;
  // Starts `work` elsewhere and returns at once. The piece started before must have been
  // waited for (a caller bug otherwise).
  virtual void Start(std::function<void()> work) = 0;
  // Returns once the piece started last has returned (at once when none is running). What the
  // work wrote is then visible to the caller. If the piece threw, Wait() throws that exception
  // here, on the caller's thread, as if the caller had run the piece itself (it is thrown once;
  // the Background is ready for the next piece).
  virtual void Wait() = 0;
};

}  // namespace tidemark
