// core/base/background.h on one thread of its own, started once and kept for every piece (a
// piece is often a fraction of a millisecond: a thread per piece would cost as much as the work).
// Start() and Wait() are called from one thread at a time. The destructor waits for the piece
// running, if any (dropping what it threw: nobody asked for its result), and stops the thread.
// The constructor throws std::system_error when no thread can be started, as std::thread does.
//
// Hand-offs wake the other side only when it sleeps, as in io/prefetch_source.h: a caller whose
// piece is done by the time it asks (the usual case when the two sides are balanced) takes the
// lock and goes on without a system call.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "core/base/background.h"

namespace tidemark {

class BackgroundThread final : public Background {
 public:
  BackgroundThread();
  ~BackgroundThread() override;
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;

  void Start(std::function<void()> work) override;
  void Wait() override;

 private:
  void Loop();
  // Wait() without the rethrow; returns what the piece threw, if anything.
  std::exception_ptr WaitForPiece();

  std::mutex mu_;
  std::condition_variable work_ready_;  // the thread waits for a piece (or the end)
  std::condition_variable work_done_;   // Wait() waits for the piece to return
  std::function<void()> work_;          // set while a piece is pending or running
  std::exception_ptr thrown_;           // what the piece last waited for threw
  bool thread_sleeping_ = false;
  bool caller_waiting_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tidemark
