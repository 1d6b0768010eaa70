// nnc core (internal): activation memory for executor runs: a static arena plan with a recycling pool behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "nnc/tensor.h"

namespace nnc::detail {

/// Memory for the tensors an executor run creates. The first run records every allocation (size,
/// when it was made and when its last user dropped it); after a run that completed, the pool plans
/// one arena in which allocations whose lifetimes do not overlap share bytes (largest first, lowest
/// free offset), and later runs that repeat the same sequence take their buffers from it, so memory
/// is about the largest set of simultaneously live tensors and is never re-faulted. Allocations that
/// outlive the run (returned outputs) and any run that departs from the recorded sequence (other
/// sizes, a buffer kept longer) fall back to a recycling free list; a departure also re-records.
/// Placement is checked against the live arena buffers, so a departure can never overlap two tensors.
/// Buffers keep the pool alive and may be dropped from any thread.
class BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  ~BufferPool();
  /// A buffer of `size` bytes (64-byte aligned); zero-filled unless `zero` is false.
  std::shared_ptr<Buffer> allocate(size_t size, bool zero);
  /// Bracket one executor run; `completed` = the run finished without error.
  void begin_run();
  void end_run(bool completed);
  /// Bytes held now (arena, free-list blocks, live free-list buffers) / at most so far.
  size_t reserved_bytes() const;
  size_t high_water_bytes() const;
  /// Bytes of the planned arena (0 before the first completed run).
  size_t arena_bytes() const;
  size_t peak_live_bytes() const;

  /// Called by buffers' destructors: a free-list block (with the run and record that allocated it,
  /// or record -1), or a range of the arena starting at `arena`.
  void give_back(std::byte* block, size_t capacity, uint64_t run, int64_t record) noexcept;
  void give_back_range(const std::byte* arena, size_t offset, size_t capacity) noexcept;

 private:
  struct Record {
    size_t capacity;
    int64_t born;            // event clock at allocation
    int64_t died = -1;       // event clock when released, -1 while alive
  };
  struct Placement {
    size_t capacity;
    int64_t offset;  // -1: not in the arena (outlives the run)
  };
  std::shared_ptr<Buffer> from_free_list(size_t capacity, size_t size, uint64_t run, int64_t record_id);
  void plan_arena();  // from records_, under mutex_

  mutable std::mutex mutex_;
  std::multimap<size_t, std::byte*> free_;  // capacity -> block
  size_t free_bytes_ = 0;
  size_t outstanding_bytes_ = 0;  // live bytes, arena and free-list
  size_t outstanding_heap_ = 0;   // live bytes of free-list blocks
  size_t high_water_ = 0;
  size_t peak_live_ = 0;

  bool in_run_ = false;
  bool recording_ = true;     // this run records its allocations
  bool departed_ = false;     // this run left the plan
  int64_t clock_ = 0;
  uint64_t run_ = 0;          // run counter (tags recorded buffers)
  int64_t next_index_ = 0;    // allocation index within the run
  std::vector<Record> records_;
  std::vector<Placement> plan_;
  std::shared_ptr<std::byte> arena_;  // shared with the arena buffers
  size_t arena_bytes_ = 0;
  std::map<size_t, size_t> live_ranges_;  // arena offset -> end, of live arena buffers
};

/// While alive, Buffer::allocate and Buffer::allocate_uninitialized in THIS thread draw from `pool`.
class ScopedBufferPool {
 public:
  explicit ScopedBufferPool(BufferPool* pool);
  ~ScopedBufferPool();
  ScopedBufferPool(const ScopedBufferPool&) = delete;
  ScopedBufferPool& operator=(const ScopedBufferPool&) = delete;

 private:
  BufferPool* previous_;
};

/// The pool active in this thread, or nullptr.
BufferPool* active_buffer_pool() noexcept;

}  // namespace nnc::detail
