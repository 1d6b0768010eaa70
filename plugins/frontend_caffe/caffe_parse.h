// nnc frontend_caffe: reading NetParameter from .prototxt (text) and .caffemodel (binary), V1 upgrade.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "nnc/diagnostics.h"
#include "nnc/status.h"
#include "nnc_caffe.pb.h"

namespace nnc::caffe_frontend {

/// Parses protobuf text `text` read from `file` (named in messages). A syntax error is a kParseError
/// at its line and column; fields unknown to nnc's caffe.proto are skipped with a warning each (at
/// their line and column) on `diag`. An unknown enum value (`pool: MEDIAN`) is an error.
Expected<caffe::NetParameter> parse_net_text(std::string_view text, const std::string& file, DiagnosticSink* diag);

/// Parses a binary NetParameter (a .caffemodel). Truncated or corrupt bytes are a kParseError naming
/// `file`.
Expected<caffe::NetParameter> parse_net_binary(std::string_view bytes, const std::string& file);

/// Reads a whole file; a missing, unreadable or empty file is an error naming it (`what` says which
/// role it plays: "network definition", "weights").
Expected<std::string> read_file_bytes(const std::filesystem::path& path, const std::string& what);

/// Converts legacy V1 `layers` entries into `layer` entries (type enum -> type string, same params
/// and blobs) in place. An unknown V1 type is an error naming the layer, except in a weights file
/// (`weights_only`), whose layers only supply blobs by name.
Status upgrade_v1_layers(caffe::NetParameter& net, const std::string& file, bool weights_only = false);

}  // namespace nnc::caffe_frontend
