// nnc frontend_tf: reader of TensorFlow V2 checkpoints (the .index SSTable of BundleEntryProto + .data-* shards).
#include "tf_checkpoint.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "tensor_bundle.pb.h"
#include "tf_tensor.h"

namespace nnc::tf_frontend {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;
constexpr size_t kFooterSize = 48;  // two BlockHandles padded to 40 bytes + 8-byte magic
constexpr size_t kBlockTrailerSize = 5;

std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    t[i] = c;
  }
  return t;
}

Status corrupt(const std::string& file, const std::string& why) {
  return make_error(ErrorCode::kParseError, "checkpoint index '" + file + "' is corrupt: " + why, Location{file},
                    "the .index file is truncated or damaged; copy the checkpoint files again");
}

/// Cursor over bytes with bounds-checked varint/fixed reads.
struct Reader {
  std::string_view s;
  size_t pos = 0;
  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (pos >= s.size()) return false;
      const uint8_t b = static_cast<uint8_t>(s[pos++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
};

uint32_t fixed32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + static_cast<size_t>(i)]);
  return v;
}

struct BlockHandle {
  uint64_t offset = 0, size = 0;
};

bool read_handle(Reader& r, BlockHandle& h) { return r.varint(h.offset) && r.varint(h.size); }

/// The contents of the block at `h`, its trailer checked.
Expected<std::string_view> block_at(std::string_view file_bytes, const BlockHandle& h, const std::string& file) {
  if (h.offset > file_bytes.size() || h.size > file_bytes.size() - h.offset ||
      file_bytes.size() - h.offset - h.size < kBlockTrailerSize)
    return corrupt(file, "a block handle points outside the file (offset " + std::to_string(h.offset) + ", size " +
                             std::to_string(h.size) + ", file " + std::to_string(file_bytes.size()) + " bytes)");
  std::string_view contents = file_bytes.substr(h.offset, h.size);
  const char type = file_bytes[h.offset + h.size];
  const uint32_t stored = fixed32(file_bytes, h.offset + h.size + 1);
  const uint32_t actual = crc32c_mask(crc32c(std::string_view(&type, 1), crc32c(contents)));
  if (stored != actual) return corrupt(file, "block at offset " + std::to_string(h.offset) + " fails its CRC-32C check");
  if (type == 1)
    return make_error(ErrorCode::kUnsupported,
                      "checkpoint index '" + file + "' has a snappy-compressed block, which nnc does not decompress",
                      Location{file}, "re-save the checkpoint with TensorFlow's default (uncompressed) bundle writer");
  if (type != 0) return corrupt(file, "unknown block compression type " + std::to_string(static_cast<int>(type)));
  return contents;
}

/// Decodes every entry of one block (prefix-compressed keys, restart array at the end).
Status parse_block(std::string_view block, const std::string& file, std::vector<std::pair<std::string, std::string>>& out) {
  if (block.size() < 4) return corrupt(file, "a block is shorter than its restart count");
  const uint32_t restarts = fixed32(block, block.size() - 4);
  if (restarts > (block.size() - 4) / 4) return corrupt(file, "a block's restart count exceeds its size");
  const size_t limit = block.size() - 4 - size_t{restarts} * 4;
  Reader r{block.substr(0, limit)};
  std::string key;
  while (r.pos < limit) {
    uint64_t shared = 0, non_shared = 0, value_len = 0;
    if (!r.varint(shared) || !r.varint(non_shared) || !r.varint(value_len)) return corrupt(file, "a block entry header is cut off");
    if (shared > key.size() || non_shared > limit - r.pos || value_len > limit - r.pos - non_shared)
      return corrupt(file, "a block entry overruns its block");
    key.resize(shared);
    key.append(block.substr(r.pos, non_shared));
    r.pos += non_shared;
    out.emplace_back(key, std::string(block.substr(r.pos, value_len)));
    r.pos += value_len;
  }
  return Status::ok();
}

std::string shard_suffix(int shard, int num) {
  char buf[64];
  std::snprintf(buf, sizeof buf, ".data-%05d-of-%05d", shard, num);
  return buf;
}

Expected<std::string> read_whole(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIoError, "cannot open '" + p.string() + "'", Location{p.string()});
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

uint32_t crc32c(std::string_view data, uint32_t crc) {
  static const std::array<uint32_t, 256> table = make_crc_table();
  uint32_t c = ~crc;
  for (char ch : data) c = table[(c ^ static_cast<uint8_t>(ch)) & 0xff] ^ (c >> 8);
  return ~c;
}

uint32_t crc32c_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

Expected<std::map<std::string, std::string>> read_sstable(std::string_view bytes, const std::string& file) {
  if (bytes.size() < kFooterSize)
    return corrupt(file, "it has " + std::to_string(bytes.size()) + " bytes, fewer than the 48-byte table footer");
  std::string_view footer = bytes.substr(bytes.size() - kFooterSize);
  const uint64_t magic = uint64_t{fixed32(footer, 40)} | (uint64_t{fixed32(footer, 44)} << 32);
  if (magic != kTableMagic) return corrupt(file, "its footer lacks the table magic number (not a checkpoint .index?)");
  Reader fr{footer.substr(0, 40)};
  BlockHandle meta, index;
  if (!read_handle(fr, meta) || !read_handle(fr, index)) return corrupt(file, "its footer's block handles are unreadable");
  NNC_ASSIGN_OR_RETURN(std::string_view index_block, block_at(bytes, index, file));
  std::vector<std::pair<std::string, std::string>> index_entries;
  NNC_RETURN_IF_ERROR(parse_block(index_block, file, index_entries));
  std::map<std::string, std::string> out;
  for (const auto& [last_key, handle_bytes] : index_entries) {
    Reader hr{handle_bytes};
    BlockHandle h;
    if (!read_handle(hr, h)) return corrupt(file, "an index entry holds no block handle");
    NNC_ASSIGN_OR_RETURN(std::string_view block, block_at(bytes, h, file));
    std::vector<std::pair<std::string, std::string>> entries;
    NNC_RETURN_IF_ERROR(parse_block(block, file, entries));
    for (auto& [k, v] : entries) out[k] = std::move(v);
  }
  return out;
}

fs::path CheckpointReader::index_path() const { return fs::path(prefix_.string() + ".index"); }
fs::path CheckpointReader::data_path(int shard) const {
  return fs::path(prefix_.string() + shard_suffix(shard, num_shards_));
}

std::vector<std::string> CheckpointReader::keys() const {
  std::vector<std::string> k;
  for (const auto& [key, e] : entries_) k.push_back(key);
  return k;
}

Expected<CheckpointReader> CheckpointReader::open(const fs::path& prefix) {
  CheckpointReader r;
  r.prefix_ = prefix;
  const fs::path index = r.index_path();
  const std::string file = index.string();
  std::error_code ec;
  if (!fs::is_regular_file(index, ec))
    return make_error(ErrorCode::kNotFound, "checkpoint index '" + file + "' does not exist", Location{file},
                      "pass the checkpoint with --weights PREFIX.index (pipeline: weights = [...])");
  NNC_ASSIGN_OR_RETURN(std::string bytes, read_whole(index));
  NNC_ASSIGN_OR_RETURN(auto table, read_sstable(bytes, file));
  auto hit = table.find("");
  if (hit == table.end()) return corrupt(file, "it has no bundle header (the entry under the empty key)");
  nnc::tfproto::BundleHeaderProto header;
  if (!header.ParseFromString(hit->second)) return corrupt(file, "its bundle header does not parse");
  if (header.endianness() != nnc::tfproto::BundleHeaderProto::LITTLE)
    return make_error(ErrorCode::kUnsupported, "checkpoint '" + file + "' was written on a big-endian machine",
                      Location{file}, "re-save it on a little-endian machine");
  if (header.num_shards() < 1 || header.num_shards() > 100000)
    return corrupt(file, "its header declares " + std::to_string(header.num_shards()) + " data shards");
  r.num_shards_ = header.num_shards();
  for (const auto& [key, value] : table) {
    if (key.empty()) continue;
    nnc::tfproto::BundleEntryProto e;
    if (!e.ParseFromString(value)) return corrupt(file, "the entry of '" + key + "' does not parse");
    CheckpointEntry ce;
    ce.key = key;
    ce.dtype = e.dtype();
    if (!shape_from_proto(e.shape(), ce.shape)) return corrupt(file, "the entry of '" + key + "' has an unknown rank");
    ce.shard = e.shard_id();
    ce.offset = e.offset();
    ce.size = e.size();
    ce.masked_crc = e.crc32c();
    ce.sliced = e.slices_size() > 0;
    if (ce.shard < 0 || ce.shard >= r.num_shards_ || ce.offset < 0 || ce.size < 0)
      return corrupt(file, "the entry of '" + key + "' points at shard " + std::to_string(ce.shard) + " offset " +
                               std::to_string(ce.offset));
    r.entries_[key] = std::move(ce);
  }
  for (int s = 0; s < r.num_shards_; ++s) {
    if (!fs::is_regular_file(r.data_path(s), ec))
      return make_error(ErrorCode::kNotFound,
                        "checkpoint data file '" + r.data_path(s).string() + "' (shard " + std::to_string(s) + " of " +
                            std::to_string(r.num_shards_) + " named by '" + file + "') does not exist",
                        Location{r.data_path(s).string()}, "copy every .data-*-of-* file next to the .index file");
  }
  return r;
}

Expected<Tensor> CheckpointReader::read(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end())
    return make_error(ErrorCode::kNotFound, "checkpoint '" + prefix_.string() + "' has no tensor '" + key + "'",
                      Location{index_path().string()});
  const CheckpointEntry& e = it->second;
  const std::string what = "checkpoint tensor '" + key + "'";
  if (e.sliced)
    return make_error(ErrorCode::kUnsupported, what + " is a partitioned variable, which nnc does not reassemble",
                      Location{index_path().string()}, "save the variable unpartitioned or freeze the graph");
  const fs::path data = data_path(e.shard);
  std::ifstream in(data, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIoError, "cannot open checkpoint data file '" + data.string() + "'", Location{data.string()});
  std::error_code ec;
  const auto fsize = fs::file_size(data, ec);
  if (ec || static_cast<uint64_t>(e.offset) > fsize || static_cast<uint64_t>(e.size) > fsize - static_cast<uint64_t>(e.offset))
    return make_error(ErrorCode::kParseError,
                      what + " lies at bytes [" + std::to_string(e.offset) + ", " + std::to_string(e.offset + e.size) +
                          ") but '" + data.string() + "' has " + std::to_string(fsize) + " bytes",
                      Location{data.string()}, "the data file is truncated; copy the checkpoint files again");
  std::string bytes(static_cast<size_t>(e.size), '\0');
  in.seekg(e.offset);
  in.read(bytes.data(), e.size);
  if (!in) return make_error(ErrorCode::kIoError, "reading " + what + " from '" + data.string() + "' failed", Location{data.string()});
  const uint32_t crc = crc32c(bytes);
  if (crc32c_mask(crc) != e.masked_crc && crc != e.masked_crc)
    return make_error(ErrorCode::kParseError, what + " in '" + data.string() + "' fails its CRC-32C check",
                      Location{data.string()}, "the data file is damaged; copy the checkpoint files again");
  return tensor_from_bytes(e.dtype, e.shape, bytes, what);
}

std::vector<fs::path> default_checkpoint_prefixes(const fs::path& meta_path) {
  std::vector<fs::path> out;
  const fs::path dir = meta_path.parent_path();
  std::ifstream in(dir / "checkpoint");
  std::string line;
  while (in && std::getline(in, line)) {
    const std::string key = "model_checkpoint_path:";
    auto p = line.find(key);
    if (p == std::string::npos) continue;
    auto q1 = line.find('"', p);
    auto q2 = q1 == std::string::npos ? q1 : line.find('"', q1 + 1);
    if (q2 == std::string::npos) continue;
    fs::path cp = line.substr(q1 + 1, q2 - q1 - 1);
    out.push_back(cp.is_absolute() ? cp : dir / cp);
    break;
  }
  fs::path stem = meta_path;
  stem.replace_extension();
  if (out.empty() || out.front() != stem) out.push_back(stem);
  return out;
}

fs::path checkpoint_prefix_of(const fs::path& given) {
  const std::string s = given.string();
  if (given.extension() == ".index") return fs::path(s.substr(0, s.size() - 6));
  auto p = s.rfind(".data-");
  if (p != std::string::npos && s.find("-of-", p) != std::string::npos) return fs::path(s.substr(0, p));
  return given;
}

}  // namespace nnc::tf_frontend
