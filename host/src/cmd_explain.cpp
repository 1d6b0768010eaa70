// nnc host: `host explain <kind>.<name>`: a component's documentation and option schema.
#include <fmt/format.h>

#include <iostream>

#include "cli.h"
#include "nnc/executor.h"
#include "nnc/registry.h"

namespace nnc::host {

namespace {
/// `host explain ops`: the reference executor's supported-op table.
int explain_ops() {
  const auto& table = reference_op_table();
  std::cout << "ops the fp32 reference executor runs (" << table.size() << "):\n";
  std::cout << fmt::format("  {:<28} {:>10}  {}\n", "op", "min opset", "notes");
  for (const ReferenceOpInfo& op : table)
    std::cout << fmt::format("  {:<28} {:>10}  {}\n", op.domain.empty() ? op.op_type : op.domain + "." + op.op_type,
                             op.min_opset, op.note);
  return kExitOk;
}
}  // namespace

int cmd_explain(const std::vector<std::string>& args, const CommonOptions& common) {
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    std::cout << "host explain <kind>.<name>: documents a component and its options (see `host plugins`)\n"
                 "host explain ops: the ops nnc's fp32 reference executor runs\n";
    return kExitOk;
  }
  if (args.size() == 1 && args[0] == "ops") return explain_ops();
  if (args.size() != 1) return usage_error("explain", "expected one component name, e.g. host explain pass.remove_identity");
  DiagnosticSink diag;
  diag.set_level(common.level);
  PluginManager plugins;
  load_plugins(plugins, common, diag);
  const std::string& name = args[0];
  auto found = plugins.registry().find_qualified(name);
  if (!found) {
    diag.error(plugins.unavailable_component_error(name));
    return kExitFailure;
  }
  const ComponentInfo& info = *found->info;
  std::cout << name << " " << info.version << " (plugin " << found->plugin << ")\n  " << info.doc << "\n";
  if (found->kind == ComponentKind::kFrontend) {
    const FrontendEntry* fe = plugins.registry().frontends.find(info.name);
    std::cout << "  reads:";
    for (const auto& e : fe->extensions) std::cout << " " << e;
    std::cout << "\n";
  }
  if (info.options.empty()) {
    std::cout << "options: none\n";
    return kExitOk;
  }
  std::cout << "options:\n";
  for (const OptionSpec& o : info.options) {
    std::string dflt = o.required ? "required" : o.default_value ? "default " + option_value_to_toml(*o.default_value) : "optional";
    std::cout << fmt::format("  {:<24} {:<26} {}\n", o.name, option_type_name(o.type), dflt);
    std::cout << "      " << o.doc << "\n";
    if (!o.choices.empty()) {
      std::cout << "      one of:";
      for (const auto& c : o.choices) std::cout << " " << c;
      std::cout << "\n";
    }
  }
  return kExitOk;
}

}  // namespace nnc::host
