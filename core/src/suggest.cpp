// nnc core: edit distance and "did you mean" suggestions for unknown names.
#include "nnc/suggest.h"

#include <algorithm>
#include <cctype>

namespace nnc {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

int edit_distance(const std::string& a_in, const std::string& b_in) {
  std::string a = lower(a_in), b = lower(b_in);
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> close_matches(const std::string& name, const std::vector<std::string>& candidates,
                                       size_t max_results) {
  std::vector<std::pair<int, std::string>> scored;
  std::string lname = lower(name);
  int limit = std::max(2, static_cast<int>(name.size()) / 3);
  for (const auto& c : candidates) {
    int d = edit_distance(name, c);
    std::string lc = lower(c);
    bool substring = !lname.empty() && lname.size() >= 3 &&
                     (lc.find(lname) != std::string::npos || lname.find(lc) != std::string::npos);
    if (d <= limit || substring) scored.emplace_back(substring ? std::min(d, limit) : d, c);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& s : scored) {
    if (out.size() >= max_results) break;
    if (std::find(out.begin(), out.end(), s.second) == out.end()) out.push_back(s.second);
  }
  return out;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  auto matches = close_matches(name, candidates);
  if (matches.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < matches.size(); ++i) {
    if (i) out += (i + 1 == matches.size()) ? " or " : ", ";
    out += "'" + matches[i] + "'";
  }
  return out + "?)";
}

std::string quoted_list(const std::vector<std::string>& items, size_t max_items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max_items; ++i) out += (i ? ", '" : "'") + items[i] + "'";
  if (items.size() > max_items) out += ", ... (" + std::to_string(items.size() - max_items) + " more)";
  return out;
}

}  // namespace nnc
