#include "io/background_thread.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace tidemark {

BackgroundThread::BackgroundThread() : thread_([this] { Loop(); }) {}

BackgroundThread::~BackgroundThread() {
  WaitForPiece();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_ready_.notify_one();
  thread_.join();
}

void BackgroundThread::Start(std::function<void()> work) {
  bool wake;
  {
    std::lock_guard lock(mu_);
    if (work_ || thrown_) {
      std::fprintf(stderr, "tidemark: BackgroundThread::Start before the last piece was waited for\n");
      std::abort();
    }
    work_ = std::move(work);
    wake = thread_sleeping_;
  }
  if (wake) work_ready_.notify_one();
}

void BackgroundThread::Wait() {
  if (std::exception_ptr e = WaitForPiece()) std::rethrow_exception(e);
}

std::exception_ptr BackgroundThread::WaitForPiece() {
  std::unique_lock lock(mu_);
  if (work_) {
    caller_waiting_ = true;
    work_done_.wait(lock, [&] { return !work_; });
    caller_waiting_ = false;
  }
  return std::exchange(thrown_, nullptr);
}

void BackgroundThread::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!work_ && !stop_) {
      thread_sleeping_ = true;
      work_ready_.wait(lock, [&] { return work_ || stop_; });
      thread_sleeping_ = false;
    }
    if (!work_) return;  // stop_, with nothing left to run
    // The caller does not touch work_ until it is cleared, so it runs outside the lock.
    lock.unlock();
    std::exception_ptr thrown;
    try {
      work_();
    } catch (...) {  // handed to the caller's Wait(): escaping this thread would end the process
      thrown = std::current_exception();
    }
    lock.lock();
    thrown_ = std::move(thrown);
    work_ = nullptr;
    if (caller_waiting_) work_done_.notify_one();
  }
}

}  // namespace tidemark
