// nnc tests: the executor's activation memory: arena planning, departures from the plan, escapes, zeroing.
#include <gtest/gtest.h>

#include <cstring>

#include "buffer_pool.h"

namespace nnc::detail {
namespace {

std::shared_ptr<BufferPool> make_pool() { return std::make_shared<BufferPool>(); }

/// One "run": a chain a -> b -> c where each tensor dies after the next is made; c escapes.
struct ChainRun {
  std::shared_ptr<Buffer> escaped;
  const std::byte* a_data = nullptr;
  const std::byte* c_data = nullptr;
};

ChainRun run_chain(BufferPool& pool, size_t bytes) {
  ChainRun r;
  ScopedBufferPool scope(&pool);
  pool.begin_run();
  auto a = Buffer::allocate_uninitialized(bytes);
  r.a_data = a->data();
  auto b = Buffer::allocate_uninitialized(bytes);
  a.reset();
  auto c = Buffer::allocate_uninitialized(bytes);
  r.c_data = c->data();
  b.reset();
  r.escaped = c;  // like a graph output returned to the caller
  pool.end_run(true);
  return r;
}

TEST(BufferPool, PlansAnArenaFromTheFirstRunAndReusesIt) {
  auto pool = make_pool();
  EXPECT_EQ(pool->arena_bytes(), 0u);
  ChainRun first = run_chain(*pool, 4096);
  // a and b overlap in time, b and c too, a and c do not; c escapes so it is not in the arena:
  // the arena holds a and b side by side.
  EXPECT_EQ(pool->arena_bytes(), 2 * 4096u);
  ChainRun second = run_chain(*pool, 4096);
  EXPECT_EQ(pool->arena_bytes(), 2 * 4096u);  // the plan held
  EXPECT_NE(second.escaped->data(), first.escaped->data());  // both outputs alive: distinct memory
  EXPECT_EQ(pool->peak_live_bytes(), 3 * 4096u);              // first's c + a + b of the second run
}

TEST(BufferPool, EscapedOutputsAreNeverOverwrittenByLaterRuns) {
  auto pool = make_pool();
  ChainRun first = run_chain(*pool, 256);
  std::memset(first.escaped->mutable_data(), 0x5a, 256);
  for (int i = 0; i < 3; ++i) {
    ChainRun next = run_chain(*pool, 256);
    std::memset(next.escaped->mutable_data(), 0x11, 256);
  }
  for (size_t i = 0; i < 256; ++i) ASSERT_EQ(first.escaped->data()[i], std::byte{0x5a}) << i;
}

/// a, b, c, d made in turn, each dropped once the one after next exists; d escapes. Returns the
/// buffers still alive at the end when `keep_a` holds a past its planned death.
void run_four(BufferPool& pool, size_t bytes, bool keep_a) {
  ScopedBufferPool scope(&pool);
  pool.begin_run();
  auto a = Buffer::allocate_uninitialized(bytes);
  std::memset(a->mutable_data(), 1, bytes);
  auto b = Buffer::allocate_uninitialized(bytes);
  std::shared_ptr<Buffer> held_a = keep_a ? a : nullptr;
  a.reset();
  auto c = Buffer::allocate_uninitialized(bytes);  // planned in a's range: a is dead by now
  std::memset(c->mutable_data(), 2, bytes);
  if (held_a) {
    EXPECT_NE(held_a->data(), c->data());
    EXPECT_EQ(held_a->data()[bytes - 1], std::byte{1});  // c did not land on the still-live a
  }
  b.reset();
  auto d = Buffer::allocate_uninitialized(bytes);
  c.reset();
  held_a.reset();
  pool.end_run(true);
}

TEST(BufferPool, ADepartureFallsBackWithoutOverlapAndReRecords) {
  auto pool = make_pool();
  run_four(*pool, 1024, false);
  ASSERT_EQ(pool->arena_bytes(), 2 * 1024u);  // a and c share a range, b has its own
  run_four(*pool, 1024, false);
  EXPECT_EQ(pool->arena_bytes(), 2 * 1024u);
  run_four(*pool, 1024, true);  // a kept alive: c must not take its planned range
  EXPECT_EQ(pool->arena_bytes(), 0u);  // the plan was dropped; the next run records again
  run_four(*pool, 1024, false);
  EXPECT_EQ(pool->arena_bytes(), 2 * 1024u);
}

TEST(BufferPool, AFailedRunPlansNothingAndZeroedAllocationsAreZero) {
  auto pool = make_pool();
  {
    ScopedBufferPool scope(pool.get());
    pool->begin_run();
    auto a = Buffer::allocate_uninitialized(512);
    std::memset(a->mutable_data(), 0xff, 512);
    a.reset();
    pool->end_run(false);
  }
  EXPECT_EQ(pool->arena_bytes(), 0u);
  ScopedBufferPool scope(pool.get());
  auto z = Buffer::allocate(512);  // reuses the 0xff block from the free list: must be zeroed
  for (size_t i = 0; i < 512; ++i) ASSERT_EQ(z->data()[i], std::byte{0}) << i;
}

TEST(BufferPool, BuffersOutliveThePoolHandle) {
  std::shared_ptr<Buffer> kept;
  {
    auto pool = make_pool();
    ScopedBufferPool scope(pool.get());
    kept = Buffer::allocate(128);
  }
  EXPECT_EQ(kept->size(), 128u);  // the pool lives on inside the buffer; no use-after-free (ASan)
  EXPECT_EQ(Buffer::allocate(16)->size(), 16u);  // no pool active any more: plain heap
}

}  // namespace
}  // namespace nnc::detail
