// nnc core: a fixed pool of worker threads running data-parallel loops for the reference executor.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "exec/kernel.h"

namespace nnc::exec {

namespace {
/// Set while a thread runs a chunk: a nested parallel_for then runs inline instead of deadlocking.
thread_local bool inside_parallel_region = false;

struct RegionGuard {
  RegionGuard() { inside_parallel_region = true; }
  ~RegionGuard() { inside_parallel_region = false; }
};
}  // namespace

struct ThreadPool::State {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable done;
  std::vector<std::thread> workers;
  const std::function<void(int64_t, int64_t)>* job = nullptr;
  int64_t n = 0;
  int64_t chunk = 1;
  int64_t next = 0;      // next chunk start to hand out
  int64_t finished = 0;  // items completed
  uint64_t generation = 0;
  bool stopping = false;

  /// Takes chunks of the current job until none are left; returns after the last.
  void drain(std::unique_lock<std::mutex>& lock) {
    while (job && next < n) {
      int64_t begin = next;
      int64_t end = std::min(n, begin + chunk);
      next = end;
      const auto* fn = job;
      lock.unlock();
      {
        RegionGuard guard;
        (*fn)(begin, end);
      }
      lock.lock();
      finished += end - begin;
      if (finished == n) done.notify_all();
    }
  }
};

ThreadPool::ThreadPool(int threads) : state_(new State) {
  int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_ = threads <= 0 ? hw : threads;
  for (int i = 1; i < threads_; ++i) {  // the calling thread is worker 0
    state_->workers.emplace_back([s = state_] {
      std::unique_lock<std::mutex> lock(s->mutex);
      uint64_t seen = 0;
      while (true) {
        s->wake.wait(lock, [&] { return s->stopping || s->generation != seen; });
        if (s->stopping) return;
        seen = s->generation;
        s->drain(lock);
      }
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  for (auto& t : state_->workers) t.join();
  delete state_;
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk) {
  if (n <= 0) return;
  min_chunk = std::max<int64_t>(1, min_chunk);
  int64_t chunks = std::min<int64_t>(threads_, (n + min_chunk - 1) / min_chunk);
  if (chunks <= 1 || state_->workers.empty() || inside_parallel_region) {
    fn(0, n);
    return;
  }
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->job = &fn;
  state_->n = n;
  state_->chunk = (n + chunks - 1) / chunks;
  state_->next = 0;
  state_->finished = 0;
  ++state_->generation;
  state_->wake.notify_all();
  state_->drain(lock);
  state_->done.wait(lock, [&] { return state_->finished == state_->n; });
  state_->job = nullptr;
}

}  // namespace nnc::exec
