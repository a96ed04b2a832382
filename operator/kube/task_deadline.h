// A deadline for a cpprestsdk task. cpprestsdk's own timeout does not cover a request sent on a
// reused keep-alive connection (a test showed a 300 ms timeout waiting 1 s), so every caller
// waits with this as well. Header-only; include only from files that already use cpprestsdk.
#pragma once

#include <pplx/pplxtasks.h>

#include <chrono>
#include <future>
#include <memory>

namespace tidemark::kube {

// Waits for `task` at most `deadline`. True: it finished (task.get() returns or throws at once).
// False: the deadline passed and `source` was cancelled, which closes the connection; the
// continuation owns what it touches, so nothing waits for it.
template <class T>
bool FinishesWithin(pplx::task<T> task, std::chrono::milliseconds deadline,
                    const pplx::cancellation_token_source& source) {
  auto finished = std::make_shared<std::promise<void>>();
  std::future<void> done = finished->get_future();
  task.then([finished](pplx::task<T> t) {
    try {
      t.wait();  // observes a failure, so pplx does not report it as unhandled
    } catch (...) {
    }
    finished->set_value();
  });
  if (done.wait_for(deadline) == std::future_status::timeout) {
    source.cancel();
    return false;
  }
  return true;
}

}  // namespace tidemark::kube
