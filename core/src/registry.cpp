// nnc core: registry lookups by qualified name and by file extension; component-kind prefixes.
#include "nnc/registry.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace nnc {

const char* component_kind_prefix(ComponentKind kind) noexcept {
  switch (kind) {
    case ComponentKind::kFrontend: return "frontend";
    case ComponentKind::kPass: return "pass";
    case ComponentKind::kCalibrator: return "calib";
    case ComponentKind::kTarget: return "target";
    case ComponentKind::kWriter: return "write";
    case ComponentKind::kRuntime: return "runtime";
    case ComponentKind::kExec: return "exec";
  }
  return "pass";
}

Status check_component_name(const std::string& name) {
  bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '_' || c == '-';
  });
  if (ok) return Status::ok();
  return make_error(ErrorCode::kInvalidArgument, "invalid component name '" + name + "'", {},
                    "component names use lowercase letters, digits, '_' and '-' only");
}

namespace {
template <typename Entry>
void collect(const ComponentRegistry<Entry>& reg, ComponentKind kind, std::vector<std::string>& out) {
  for (const auto& name : reg.names()) out.push_back(std::string(component_kind_prefix(kind)) + "." + name);
}
}  // namespace

std::optional<Registry::Found> Registry::find_qualified(const std::string& qualified_name) const {
  auto dot = qualified_name.find('.');
  if (dot == std::string::npos) return std::nullopt;
  std::string prefix = qualified_name.substr(0, dot);
  std::string name = qualified_name.substr(dot + 1);
  auto from = [&](const auto& reg, ComponentKind kind) -> std::optional<Found> {
    if (prefix != component_kind_prefix(kind)) return std::nullopt;
    if (const auto* e = reg.find(name)) return Found{kind, &e->info, e->plugin};
    return std::nullopt;
  };
  if (auto f = from(frontends, ComponentKind::kFrontend)) return f;
  if (auto f = from(passes, ComponentKind::kPass)) return f;
  if (auto f = from(calibrators, ComponentKind::kCalibrator)) return f;
  if (auto f = from(targets, ComponentKind::kTarget)) return f;
  if (auto f = from(writers, ComponentKind::kWriter)) return f;
  if (auto f = from(runtimes, ComponentKind::kRuntime)) return f;
  if (auto f = from(executors, ComponentKind::kExec)) return f;
  return std::nullopt;
}

std::vector<std::string> Registry::qualified_names() const {
  std::vector<std::string> out;
  collect(frontends, ComponentKind::kFrontend, out);
  collect(passes, ComponentKind::kPass, out);
  collect(calibrators, ComponentKind::kCalibrator, out);
  collect(targets, ComponentKind::kTarget, out);
  collect(writers, ComponentKind::kWriter, out);
  collect(runtimes, ComponentKind::kRuntime, out);
  collect(executors, ComponentKind::kExec, out);
  std::sort(out.begin(), out.end());
  return out;
}

const FrontendEntry* Registry::frontend_for_extension(const std::string& extension) const {
  std::string ext = extension;
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& [name, entry] : frontends.entries())
    if (std::find(entry.extensions.begin(), entry.extensions.end(), ext) != entry.extensions.end()) return &entry;
  return nullptr;
}

const FrontendEntry* Registry::frontend_for_path(const std::string& path) const {
  return frontend_for_extension(std::filesystem::path(path).extension().string());
}

}  // namespace nnc
