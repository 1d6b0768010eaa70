// nnc core: executor activation memory: records a run's allocations, plans one arena, recycles the rest.
#include "buffer_pool.h"

#include <algorithm>
#include <cstring>
#include <new>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nnc::detail {
namespace {

thread_local BufferPool* current_pool = nullptr;
constexpr std::align_val_t kAlign{64};

std::byte* new_block(size_t capacity) { return static_cast<std::byte*>(::operator new(capacity, kAlign)); }
void delete_block(std::byte* block) noexcept { ::operator delete(block, kAlign); }

/// A block of the free list (owned while the buffer lives, then returned).
class PooledBuffer final : public Buffer {
 public:
  PooledBuffer(std::shared_ptr<BufferPool> pool, std::byte* block, size_t capacity, size_t size, uint64_t run,
               int64_t record)
      : pool_(std::move(pool)), block_(block), capacity_(capacity), size_(size), run_(run), record_(record) {}
  ~PooledBuffer() override { pool_->give_back(block_, capacity_, run_, record_); }
  const std::byte* data() const noexcept override { return block_; }
  std::byte* mutable_data() noexcept override { return block_; }
  size_t size() const noexcept override { return size_; }

 private:
  std::shared_ptr<BufferPool> pool_;
  std::byte* block_;
  size_t capacity_, size_;
  uint64_t run_;
  int64_t record_;
};

/// A range of the planned arena (the arena stays allocated while any range of it is in use).
class ArenaBuffer final : public Buffer {
 public:
  ArenaBuffer(std::shared_ptr<BufferPool> pool, std::shared_ptr<std::byte> arena, size_t offset, size_t capacity,
              size_t size)
      : pool_(std::move(pool)), arena_(std::move(arena)), offset_(offset), capacity_(capacity), size_(size) {}
  ~ArenaBuffer() override { pool_->give_back_range(arena_.get(), offset_, capacity_); }
  const std::byte* data() const noexcept override { return arena_.get() + offset_; }
  std::byte* mutable_data() noexcept override { return arena_.get() + offset_; }
  size_t size() const noexcept override { return size_; }

 private:
  std::shared_ptr<BufferPool> pool_;
  std::shared_ptr<std::byte> arena_;
  size_t offset_, capacity_, size_;
};

}  // namespace

BufferPool::~BufferPool() {
  for (auto& [capacity, block] : free_) delete_block(block);
}

std::shared_ptr<Buffer> BufferPool::allocate(size_t size, bool zero) {
  const size_t capacity = std::max<size_t>(64, (size + 63) / 64 * 64);
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t run = run_;
  int64_t record = -1;
  if (in_run_) {
    const int64_t index = next_index_++;
    if (recording_) {
      records_.push_back(Record{capacity, clock_++});
      record = index;
    } else if (!departed_) {
      const bool same = index < static_cast<int64_t>(plan_.size()) && plan_[index].capacity == capacity;
      if (same && plan_[index].offset >= 0) {
        const size_t offset = static_cast<size_t>(plan_[index].offset), end = offset + capacity;
        auto next = live_ranges_.lower_bound(end);  // the live range starting last before `end`
        const bool overlaps = next != live_ranges_.begin() && std::prev(next)->second > offset;
        if (!overlaps) {
          live_ranges_.emplace(offset, end);
          outstanding_bytes_ += capacity;
          peak_live_ = std::max(peak_live_, outstanding_bytes_);
          auto buffer = std::make_shared<ArenaBuffer>(shared_from_this(), arena_, offset, capacity, size);
          lock.unlock();
          if (zero) std::memset(buffer->mutable_data(), 0, size);
          return buffer;
        }
      }
      if (!same || plan_[index].offset >= 0) departed_ = true;  // planned outside the arena: not a departure
    }
  }
  lock.unlock();
  auto buffer = from_free_list(capacity, size, run, record);
  if (zero) std::memset(buffer->mutable_data(), 0, size);
  return buffer;
}

std::shared_ptr<Buffer> BufferPool::from_free_list(size_t capacity, size_t size, uint64_t run, int64_t record) {
  std::byte* block = nullptr;
  size_t got = capacity;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.lower_bound(capacity);
    if (it != free_.end() && it->first - capacity <= capacity / 4) {
      got = it->first;
      block = it->second;
      free_.erase(it);
      free_bytes_ -= got;
    }
    outstanding_bytes_ += got;
    outstanding_heap_ += got;
    peak_live_ = std::max(peak_live_, outstanding_bytes_);
    high_water_ = std::max(high_water_, arena_bytes_ + free_bytes_ + outstanding_heap_);
  }
  if (!block) {
    try {
      block = new_block(got);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      outstanding_bytes_ -= got;
      outstanding_heap_ -= got;
      throw;
    }
  }
  return std::make_shared<PooledBuffer>(shared_from_this(), block, got, size, run, record);
}

void BufferPool::give_back_range(const std::byte* arena, size_t offset, size_t capacity) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  outstanding_bytes_ -= capacity;
  if (arena == arena_.get()) live_ranges_.erase(offset);  // ranges of a dropped arena are not tracked
}

void BufferPool::give_back(std::byte* block, size_t capacity, uint64_t run, int64_t record) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  outstanding_bytes_ -= capacity;
  outstanding_heap_ -= capacity;
  if (record >= 0 && run == run_ && in_run_ && recording_ && record < static_cast<int64_t>(records_.size()))
    records_[record].died = clock_++;
  try {
    free_.emplace(capacity, block);
    free_bytes_ += capacity;
  } catch (...) {
    delete_block(block);
  }
}

void BufferPool::begin_run() {
  std::lock_guard<std::mutex> lock(mutex_);
  in_run_ = true;
  ++run_;
  departed_ = false;
  next_index_ = 0;
  clock_ = 0;
  if (recording_) records_.clear();
}

void BufferPool::end_run(bool completed) {
  std::lock_guard<std::mutex> lock(mutex_);
  in_run_ = false;
  if (recording_) {
    if (completed && !records_.empty()) plan_arena();
    records_.clear();
    return;
  }
  if (departed_ || next_index_ != static_cast<int64_t>(plan_.size())) {
    // The run did not follow the plan: drop it (ranges still in use keep the old arena alive) and
    // record the next run. Live ranges of the old arena no longer constrain the new one.
    plan_.clear();
    arena_.reset();
    arena_bytes_ = 0;
    live_ranges_.clear();
    recording_ = true;
  }
}

void BufferPool::plan_arena() {
  struct Item {
    size_t index;
    size_t capacity;
    int64_t born, died;
    size_t offset = 0;
  };
  std::vector<Item> items;
  plan_.assign(records_.size(), Placement{0, -1});
  for (size_t i = 0; i < records_.size(); ++i) {
    plan_[i].capacity = records_[i].capacity;
    if (records_[i].died >= 0) items.push_back(Item{i, records_[i].capacity, records_[i].born, records_[i].died});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.capacity > b.capacity; });
  std::vector<const Item*> placed, clash;
  size_t total = 0;
  for (Item& it : items) {
    clash.clear();
    for (const Item* p : placed)
      if (p->born < it.died && it.born < p->died) clash.push_back(p);
    std::sort(clash.begin(), clash.end(), [](const Item* a, const Item* b) { return a->offset < b->offset; });
    size_t offset = 0;
    for (const Item* c : clash) {
      if (c->offset >= offset + it.capacity) break;  // the gap before c fits
      offset = std::max(offset, c->offset + c->capacity);
    }
    it.offset = offset;
    total = std::max(total, offset + it.capacity);
    placed.push_back(&it);
  }
  for (const Item& it : items) plan_[it.index].offset = static_cast<int64_t>(it.offset);
  arena_bytes_ = total;
  arena_ = total ? std::shared_ptr<std::byte>(new_block(total), delete_block) : nullptr;
  live_ranges_.clear();
  recording_ = false;
  // Free-list blocks that served the recorded run are mostly superseded by the arena.
  for (auto& [capacity, block] : free_) delete_block(block);
  free_.clear();
  free_bytes_ = 0;
#if defined(__GLIBC__)
  malloc_trim(0);  // hand the recorded run's freed blocks back to the OS now rather than keep them resident
#endif
  high_water_ = std::max(high_water_, arena_bytes_ + outstanding_heap_);
}

size_t BufferPool::reserved_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return arena_bytes_ + free_bytes_ + outstanding_heap_;
}

size_t BufferPool::arena_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return arena_bytes_;
}

size_t BufferPool::high_water_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return high_water_;
}

size_t BufferPool::peak_live_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_live_;
}

ScopedBufferPool::ScopedBufferPool(BufferPool* pool) : previous_(current_pool) { current_pool = pool; }
ScopedBufferPool::~ScopedBufferPool() { current_pool = previous_; }

BufferPool* active_buffer_pool() noexcept { return current_pool; }

}  // namespace nnc::detail
