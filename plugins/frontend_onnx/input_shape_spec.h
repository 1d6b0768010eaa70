// nnc frontend_onnx: mx_nc-style input shapes ("224,224,3": channel-last, no batch) parsed and mapped onto a model input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nnc/status.h"

namespace nnc::onnx_frontend {

/// The frontend's `input_shapes` option, parsed. Grammar: "auto" (every input keeps its declared
/// shape) or one entry per model input, in the model's input order, separated by ';', each "auto"
/// or positive comma-separated dims given channel-last without the batch ("224,224,3;10").
struct InputShapesSpec {
  bool all_auto = true;
  /// One entry per model input; nullopt = "auto" for that input. Empty when all_auto.
  std::vector<std::optional<std::vector<int64_t>>> per_input;
  /// The text of each entry as written (for messages), parallel to per_input.
  std::vector<std::string> texts;
};

/// Parses the option text. Bad text ("", "224,x,3", "-3", "0", "1,,2") is an error naming the text
/// and the bad part, with the expected form as fix hint. `where` names the option or flag in messages
/// ("frontend option input_shapes").
Expected<InputShapesSpec> parse_input_shapes_spec(std::string_view text, const std::string& where);

/// One declared dim of a model input: a fixed size or symbolic ("N") / unknown (neither).
struct DeclaredDim {
  std::optional<int64_t> value;  ///< fixed size when set (>= 0)
  std::string symbol;            ///< dim_param when symbolic
};

/// A model input as the model declares it.
struct DeclaredInput {
  std::string name;
  std::optional<std::vector<DeclaredDim>> dims;  ///< nullopt when the model declares no rank
};

/// Which layout the mapping chose (for messages and tests).
enum class MappedLayout { kAsGiven, kChannelFirst, kChannelLast };

/// The result of mapping one channel-last shape onto one input.
struct MappedShape {
  std::vector<int64_t> dims;      ///< full dims in the model's own layout, batch included
  MappedLayout layout = MappedLayout::kAsGiven;
  std::string note;               ///< non-empty when a guess was made (ambiguous layout, unknown rank)
};

/// Maps `given` (channel-last, no batch, e.g. H,W,C) onto `input`:
///  - rank 1: the dims as given (there is no batch dim);
///  - rank 2: [batch, d];
///  - rank >= 3: channel-first [batch, C, spatial...] or channel-last [batch, spatial..., C], whichever
///    agrees with the model's fixed dims (and repeated symbols); when both do and differ, symbol names
///    decide ("C"/"channels" at dim 1 or at the last dim), else channel-first (ONNX convention) with a note;
///  - unknown rank: [batch, C, spatial...] with a note.
/// The batch is the model's fixed leading dim when it has one, else `batch` (values < 1 mean 1).
/// Errors name the input, the model's dims and the given text: wrong count of dims, a scalar input,
/// or a shape contradicting the model's fixed dims in every layout. `model` names the file.
Expected<MappedShape> map_channel_last_shape(const DeclaredInput& input, const std::vector<int64_t>& given,
                                             const std::string& given_text, int64_t batch, const std::string& model);

/// Declared dims as text: "[N, 3, 224, ?]" ("[*]" for unknown rank).
std::string declared_dims_str(const DeclaredInput& input);

}  // namespace nnc::onnx_frontend
