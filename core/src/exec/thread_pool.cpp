// nnc core: a fixed pool of worker threads running data-parallel loops for the reference executor.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "exec/kernel.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NNC_CPU_RELAX() _mm_pause()
#else
#define NNC_CPU_RELAX() std::this_thread::yield()
#endif

namespace nnc::exec {

namespace {
/// Set while a thread runs a chunk: a nested parallel_for then runs inline instead of deadlocking.
thread_local bool inside_parallel_region = false;

struct RegionGuard {
  RegionGuard() { inside_parallel_region = true; }
  ~RegionGuard() { inside_parallel_region = false; }
};

/// Work claims pack the job's generation (high 24 bits) with the next item index (low 40 bits), so a
/// worker that is late for one job can never claim items of the next one with the old job's function.
constexpr int kIndexBits = 40;
constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
constexpr uint64_t pack(uint64_t generation, uint64_t index) { return (generation << kIndexBits) | index; }

/// Pause iterations a worker spins on a new job before sleeping (tens of microseconds: consecutive
/// operators of a network arrive faster than a futex wake-up).
constexpr int kSpinBeforeSleep = 1 << 14;
}  // namespace

struct ThreadPool::State {
  std::mutex mutex;
  std::condition_variable wake;
  std::vector<std::thread> workers;
  // The current job: written by the caller before it publishes the job's generation in `claim`.
  // (Atomics only so that a late worker's read of the next job's fields is not a data race; the claim
  // check below is what makes such a read harmless.)
  std::atomic<const std::function<void(int64_t, int64_t)>*> job{nullptr};
  std::atomic<int64_t> n{0};
  std::atomic<int64_t> chunk{1};
  std::atomic<uint64_t> claim{0};        // pack(generation, next index)
  std::atomic<int64_t> finished{0};      // items of the current job completed
  std::atomic<uint64_t> generation{0};   // latest published job
  std::atomic<int> sleepers{0};
  std::atomic<bool> stopping{false};

  /// Runs chunks of job `gen` until none are left (or the job is no longer `gen`).
  void drain(uint64_t gen) {
    const auto* fn = job.load(std::memory_order_relaxed);
    const int64_t total = n.load(std::memory_order_relaxed), step = chunk.load(std::memory_order_relaxed);
    uint64_t cur = claim.load(std::memory_order_acquire);
    while (true) {
      if ((cur >> kIndexBits) != (gen & ((uint64_t{1} << (64 - kIndexBits)) - 1))) return;
      const int64_t begin = static_cast<int64_t>(cur & kIndexMask);
      if (begin >= total) return;
      const int64_t end = std::min(total, begin + step);
      if (!claim.compare_exchange_weak(cur, pack(gen, static_cast<uint64_t>(end)), std::memory_order_acq_rel))
        continue;  // `cur` reloaded
      {
        RegionGuard guard;
        (*fn)(begin, end);
      }
      finished.fetch_add(end - begin, std::memory_order_acq_rel);
      cur = claim.load(std::memory_order_acquire);
    }
  }

  void worker_loop() {
    uint64_t seen = 0;
    while (true) {
      uint64_t gen = generation.load(std::memory_order_acquire);
      for (int i = 0; gen == seen && i < kSpinBeforeSleep && !stopping.load(std::memory_order_relaxed); ++i) {
        NNC_CPU_RELAX();
        gen = generation.load(std::memory_order_acquire);
      }
      if (gen == seen) {
        std::unique_lock<std::mutex> lock(mutex);
        sleepers.fetch_add(1);
        wake.wait(lock, [&] { return stopping.load() || generation.load() != seen; });
        sleepers.fetch_sub(1);
        if (stopping.load()) return;
        gen = generation.load(std::memory_order_acquire);
      }
      if (stopping.load()) return;
      seen = gen;
      drain(gen);
    }
  }
};

ThreadPool::ThreadPool(int threads) : state_(new State) {
  int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_ = threads <= 0 ? hw : threads;
  for (int i = 1; i < threads_; ++i)  // the calling thread is worker 0
    state_->workers.emplace_back([s = state_] { s->worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping.store(true);
  }
  state_->wake.notify_all();
  for (auto& t : state_->workers) t.join();
  delete state_;
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk) {
  if (n <= 0) return;
  min_chunk = std::max<int64_t>(1, min_chunk);
  int64_t chunks = std::min<int64_t>(threads_, (n + min_chunk - 1) / min_chunk);
  if (chunks <= 1 || state_->workers.empty() || inside_parallel_region || static_cast<uint64_t>(n) > kIndexMask) {
    fn(0, n);
    return;
  }
  State& s = *state_;
  const uint64_t gen = s.generation.load(std::memory_order_relaxed) + 1;
  s.job.store(&fn, std::memory_order_relaxed);
  s.n.store(n, std::memory_order_relaxed);
  s.chunk.store((n + chunks - 1) / chunks, std::memory_order_relaxed);
  s.finished.store(0, std::memory_order_relaxed);
  s.claim.store(pack(gen, 0), std::memory_order_release);
  s.generation.store(gen);  // seq_cst: ordered before the sleepers check below
  if (s.sleepers.load() > 0) {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.wake.notify_all();
  }
  s.drain(gen);
  // Wait for chunks other threads took: spin (they are short), then yield.
  for (int i = 0; s.finished.load(std::memory_order_acquire) != n; ++i) {
    if (i < kSpinBeforeSleep)
      NNC_CPU_RELAX();
    else
      std::this_thread::yield();
  }
}

}  // namespace nnc::exec
