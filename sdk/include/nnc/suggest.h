// nnc SDK: "did you mean" helpers for unknown names (plugins, options, layers, values).
#pragma once

#include <string>
#include <vector>

namespace nnc {

/// Levenshtein edit distance (case-insensitive).
int edit_distance(const std::string& a, const std::string& b);

/// Up to `max_results` candidates closest to `name`, best first, keeping only plausible ones
/// (distance <= max(2, len/3), or a case-insensitive substring match).
std::vector<std::string> close_matches(const std::string& name, const std::vector<std::string>& candidates,
                                       size_t max_results = 3);

/// " (did you mean 'a' or 'b'?)" or "" when nothing is close.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

/// "'a', 'b', 'c'" — quoted, comma-separated; truncated with ", ... (N more)" past `max_items`.
std::string quoted_list(const std::vector<std::string>& items, size_t max_items = 12);

}  // namespace nnc
