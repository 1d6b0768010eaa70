// nnc frontend_tf: reader of TensorFlow V2 checkpoints (the .index SSTable of BundleEntryProto + .data-* shards).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc::tf_frontend {

/// CRC-32C (Castagnoli) of `data`, continuing from `crc` (0 to start).
uint32_t crc32c(std::string_view data, uint32_t crc = 0);
/// LevelDB/TensorFlow "masked" CRC stored in files: rotate right by 15 and add 0xa282ead8.
uint32_t crc32c_mask(uint32_t crc);

/// Every key/value pair of a LevelDB-format table (TensorFlow's table format: data blocks with
/// prefix-compressed keys and restart points, an index block, a 48-byte footer ending in the magic
/// 0xdb4775248b80fb57; each block followed by a type byte and a masked CRC-32C, which is checked).
/// `file` names the table in messages. Snappy-compressed blocks are reported as unsupported.
Expected<std::map<std::string, std::string>> read_sstable(std::string_view bytes, const std::string& file);

/// One tensor of a checkpoint, as its index entry describes it.
struct CheckpointEntry {
  std::string key;
  int dtype = 0;                ///< TensorFlow DataType enum value
  std::vector<int64_t> shape;
  int shard = 0;
  int64_t offset = 0;
  int64_t size = 0;
  uint32_t masked_crc = 0;
  bool sliced = false;          ///< a partitioned variable (slices stored under other keys)
};

/// A V2 checkpoint bundle: `<prefix>.index` plus `<prefix>.data-0000k-of-0000N`.
class CheckpointReader {
 public:
  /// Opens `<prefix>.index` and checks that every data shard exists. Errors name the files.
  static Expected<CheckpointReader> open(const std::filesystem::path& prefix);

  const std::filesystem::path& prefix() const noexcept { return prefix_; }
  std::filesystem::path index_path() const;
  std::filesystem::path data_path(int shard) const;
  int num_shards() const noexcept { return num_shards_; }
  bool contains(const std::string& key) const { return entries_.count(key) != 0; }
  std::vector<std::string> keys() const;
  /// Reads tensor `key` (bytes checked against the entry's size and CRC-32C).
  Expected<Tensor> read(const std::string& key) const;

 private:
  std::filesystem::path prefix_;
  int num_shards_ = 1;
  std::map<std::string, CheckpointEntry> entries_;
};

/// The conventional companions of a .meta file: `<dir>/checkpoint` (model_checkpoint_path), else the
/// .meta path without its extension ("model.ckpt.meta" -> "model.ckpt"). Each candidate is a prefix.
std::vector<std::filesystem::path> default_checkpoint_prefixes(const std::filesystem::path& meta_path);

/// A companion path given by the user (`--weights`): a prefix, its .index, or one of its .data files.
std::filesystem::path checkpoint_prefix_of(const std::filesystem::path& given);

}  // namespace nnc::tf_frontend
