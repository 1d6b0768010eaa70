// nnc core: the plugin loader: scans libnnc_<kind>_<name>.so, checks descriptor/version/ABI, registers.
#include "nnc/plugin_manager.h"

#include <boost/dll/library_info.hpp>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <regex>
#include <set>

#include "builtin_components.h"
#include "nnc/plugin.h"
#include "nnc/suggest.h"

namespace nnc {

namespace fs = std::filesystem;

namespace {
/// Loaded plugin libraries are never unloaded: objects made by plugin code (graphs holding
/// plugin-made subgraphs, passes, diagnostics handlers) may outlive the PluginManager that loaded
/// them. The list is reachable for the life of the process, so leak checkers stay quiet.
std::vector<boost::dll::shared_library>& resident_libraries() {
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  return *libraries;
}
}  // namespace

struct PluginManager::Impl {
  ~Impl() {
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    for (auto& lib : libraries) resident_libraries().push_back(std::move(lib));
  }
  std::vector<boost::dll::shared_library> libraries;
  Registry registry;
  std::vector<PluginRecord> records;
  std::vector<fs::path> searched;
  std::set<std::string> considered;  // canonical paths already looked at
};

namespace {

const std::regex& plugin_file_pattern() {
  static const std::regex pattern("^libnnc_(frontend|pass|calib|target|write|runtime|exec)_([a-z0-9][a-z0-9_]*)\\.so$");
  return pattern;
}

std::string version_string(int major, int minor) { return std::to_string(major) + "." + std::to_string(minor); }

std::string host_sdk() { return version_string(NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR); }

/// Looks for a C++-mangled export of the entry point, to say precisely what is wrong.
bool has_mangled_entry_point(const fs::path& path) {
  try {
    boost::dll::library_info info(path, /*throw_if_not_native=*/false);
    for (const std::string& sym : info.symbols())
      if (sym.rfind("_Z", 0) == 0 && sym.find(NNC_PLUGIN_ENTRY_POINT) != std::string::npos) return true;
  } catch (const std::exception&) {
  }
  return false;
}

/// Checks the descriptor fields against the host; empty string = acceptable.
std::string descriptor_problem(const nnc_plugin_descriptor* d, PluginRecord& rec) {
  if (!d) return "the entry point " NNC_PLUGIN_ENTRY_POINT "() returned a null descriptor";
  constexpr size_t v1_size = offsetof(nnc_plugin_descriptor, reserved);
  if (d->struct_size < v1_size) {
    return "descriptor is too small (" + std::to_string(d->struct_size) + " bytes, SDK " + host_sdk() +
           " needs at least " + std::to_string(v1_size) + "); rebuild the plugin against this SDK";
  }
  rec.sdk_major = d->sdk_major;
  rec.sdk_minor = d->sdk_minor;
  if (d->name) rec.name = d->name;
  if (d->version) rec.version = d->version;
  std::string plugin_sdk = version_string(d->sdk_major, d->sdk_minor);
  if (d->sdk_major != NNC_SDK_VERSION_MAJOR) {
    return "SDK major version mismatch: plugin built against SDK " + plugin_sdk + ", host provides SDK " + host_sdk() +
           "; rebuild the plugin against nnc SDK " + std::to_string(NNC_SDK_VERSION_MAJOR) + ".x";
  }
  if (d->sdk_minor > NNC_SDK_VERSION_MINOR) {
    return "plugin needs a newer SDK: built against SDK " + plugin_sdk + " (minor " + std::to_string(d->sdk_minor) +
           ") but the host provides SDK " + host_sdk() + " (minor " + std::to_string(NNC_SDK_VERSION_MINOR) +
           "); upgrade nnc or rebuild the plugin against SDK " + host_sdk();
  }
  if (!d->abi_tag || std::string(d->abi_tag) != NNC_ABI_TAG) {
    return std::string("ABI tag mismatch: plugin built with '") + (d->abi_tag ? d->abi_tag : "(null)") +
           "', host built with '" NNC_ABI_TAG "'; rebuild the plugin with the same compiler and standard library";
  }
  if (!d->name || !*d->name) return "descriptor has a null or empty plugin name; give the plugin a name in NNC_PLUGIN";
  if (!d->version || !*d->version) return "descriptor has a null or empty version string";
  if (!d->register_fn) return "descriptor has no register function";
  return "";
}

}  // namespace

PluginManager::PluginManager() : impl_(std::make_unique<Impl>()) {
  PluginRegistrar builtin(kBuiltinPluginName);
  Status s = register_builtin_components(builtin);
  if (s.is_ok()) s = builtin.commit(impl_->registry);
  PluginRecord rec;
  rec.path = "(built into libnnc_core)";
  rec.name = kBuiltinPluginName;
  rec.version = product_version();
  rec.sdk_major = NNC_SDK_VERSION_MAJOR;
  rec.sdk_minor = NNC_SDK_VERSION_MINOR;
  rec.loaded = s.is_ok();
  rec.reason = s.is_ok() ? "" : s.to_string();
  for (const auto& q : impl_->registry.qualified_names()) rec.components.push_back(q);
  impl_->records.push_back(std::move(rec));
}

PluginManager::~PluginManager() = default;

Registry& PluginManager::registry() noexcept { return impl_->registry; }
const Registry& PluginManager::registry() const noexcept { return impl_->registry; }
const std::vector<PluginRecord>& PluginManager::records() const noexcept { return impl_->records; }
const std::vector<fs::path>& PluginManager::searched_dirs() const noexcept { return impl_->searched; }

bool PluginManager::is_plugin_file_name(const std::string& filename) {
  return std::regex_match(filename, plugin_file_pattern());
}

fs::path PluginManager::default_plugin_dir() {
  std::error_code ec;
  fs::path core = boost::dll::this_line_location(ec);
  if (ec || core.empty()) return {};
  return core.parent_path() / NNC_PLUGIN_SUBDIR;
}

std::vector<fs::path> PluginManager::search_path(const std::vector<fs::path>& cli_dirs) {
  std::vector<fs::path> dirs = cli_dirs;
  if (const char* env = std::getenv("NNC_PLUGIN_PATH")) {
    std::string list = env;
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = list.find(':', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) dirs.emplace_back(list.substr(start, end - start));
      start = end + 1;
    }
  }
  fs::path def = default_plugin_dir();
  if (!def.empty()) dirs.push_back(def);
  return dirs;
}

void PluginManager::load_from(const std::vector<fs::path>& dirs) {
  for (const fs::path& dir : dirs) {
    impl_->searched.push_back(dir);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (is_plugin_file_name(it->path().filename().string())) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) (void)load_file(f);
  }
}

Status PluginManager::load_file(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  std::string key = (ec ? path : canonical).string();
  if (impl_->considered.count(key)) return Status::ok();  // same file seen through another search dir
  impl_->considered.insert(key);

  PluginRecord rec;
  rec.path = path;
  std::smatch m;
  std::string filename = path.filename().string();
  if (std::regex_match(filename, m, plugin_file_pattern())) rec.file_component = m[1].str() + "." + m[2].str();

  auto reject = [&](const std::string& reason) {
    rec.loaded = false;
    rec.reason = reason;
    impl_->records.push_back(rec);
    return make_error(ErrorCode::kPluginError, path.string() + ": " + reason);
  };
  if (rec.file_component.empty())
    return reject("file name does not follow libnnc_<kind>_<name>.so (kind: frontend, pass, calib, target, write, runtime, exec)");

  boost::dll::shared_library lib;
  try {
    lib.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return reject(std::string("cannot load the library: ") + e.what());
  }
  if (!lib.has(NNC_PLUGIN_ENTRY_POINT)) {
    if (has_mangled_entry_point(path)) {
      return reject("the entry point " NNC_PLUGIN_ENTRY_POINT " is exported with a C++-mangled name; declare it "
                    "extern \"C\" (the NNC_PLUGIN macro does this)");
    }
    return reject("missing entry point: no exported symbol " NNC_PLUGIN_ENTRY_POINT "; declare the plugin with "
                  "NNC_PLUGIN(name, version, register_fn)");
  }
  using EntryPoint = const nnc_plugin_descriptor*();
  const nnc_plugin_descriptor* descriptor = nullptr;
  try {
    descriptor = lib.get<EntryPoint>(NNC_PLUGIN_ENTRY_POINT)();
  } catch (const std::exception& e) {
    return reject(std::string("the entry point threw: ") + e.what());
  }
  if (std::string problem = descriptor_problem(descriptor, rec); !problem.empty()) return reject(problem);

  for (const PluginRecord& other : impl_->records) {
    if (other.loaded && other.name == rec.name)
      return reject("duplicate plugin name '" + rec.name + "': already loaded from " + other.path.string());
  }

  PluginRegistrar registrar(rec.name);
  int rc = 1;
  try {
    rc = descriptor->register_fn(&registrar);
  } catch (const std::exception& e) {  // only reachable for hand-written descriptors
    registrar.fail_exception(e.what());
  } catch (...) {
    registrar.fail_exception(nullptr);
  }
  if (registrar.failed()) return reject("registration failed: " + registrar.failure().message());
  if (rc != 0) return reject("register function returned error code " + std::to_string(rc));
  std::vector<std::string> staged = registrar.staged_names();
  if (Status s = registrar.commit(impl_->registry); !s.is_ok()) return reject(s.message());
  rec.components = std::move(staged);

  rec.loaded = true;
  impl_->libraries.push_back(std::move(lib));
  impl_->records.push_back(std::move(rec));
  return Status::ok();
}

const PluginRecord* PluginManager::rejected_provider_of(const std::string& qualified_name) const {
  for (const PluginRecord& rec : impl_->records) {
    if (rec.loaded) continue;
    if (rec.file_component == qualified_name) return &rec;
    auto dot = qualified_name.find('.');
    if (dot != std::string::npos && !rec.name.empty() && rec.name == qualified_name.substr(dot + 1)) return &rec;
  }
  return nullptr;
}

Status PluginManager::unavailable_component_error(const std::string& qualified_name) const {
  if (const PluginRecord* rec = rejected_provider_of(qualified_name)) {
    return make_error(ErrorCode::kPluginError,
                      "plugin '" + qualified_name + "' is unavailable: " + rec->path.string() + " was rejected: " + rec->reason,
                      {}, "fix or rebuild that plugin; `host plugins` lists every rejected file with its reason");
  }
  std::string dirs;
  for (const auto& d : impl_->searched) dirs += (dirs.empty() ? "" : ", ") + d.string();
  std::string hint = "`host plugins` lists what is available";
  if (qualified_name.find('.') == std::string::npos)
    hint = "name components as <kind>.<name> (kinds: frontend, pass, calib, target, write, runtime, exec); " + hint;
  return make_error(ErrorCode::kNotFound,
                    "unknown plugin '" + qualified_name + "'" + did_you_mean(qualified_name, impl_->registry.qualified_names()) +
                        (dirs.empty() ? "" : "; searched " + dirs),
                    {}, hint);
}

}  // namespace nnc
