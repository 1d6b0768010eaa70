# nnc: nnc_add_plugin(): builds a plugin MODULE library named libnnc_<kind>_<name>.so, in-tree or
# against an installed SDK (find_package(nnc)).
include_guard(GLOBAL)

# nnc_add_plugin(<target> KIND <kind> NAME <name> SOURCES <files...> [OUTPUT_DIR <dir>] [NO_INSTALL])
#   KIND is one of frontend, pass, calib, target, write, runtime; the file is libnnc_<KIND>_<NAME>.so.
function(nnc_add_plugin target)
  cmake_parse_arguments(ARG "NO_INSTALL" "KIND;NAME;OUTPUT_DIR" "SOURCES" ${ARGN})
  if(NOT ARG_KIND OR NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "nnc_add_plugin(${target}): KIND, NAME and SOURCES are required")
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX "lib" OUTPUT_NAME "nnc_${ARG_KIND}_${ARG_NAME}"
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(TARGET nnc_core)
    target_link_libraries(${target} PRIVATE nnc_core)
  else()
    target_link_libraries(${target} PRIVATE nnc::core)
  endif()
  target_link_options(${target} PRIVATE "-Wl,--no-undefined")
  if(ARG_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIR}")
  elseif(DEFINED NNC_PLUGIN_BUILD_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${NNC_PLUGIN_BUILD_DIR}")
  endif()
  if(DEFINED NNC_PLUGIN_TO_LIB)
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN/${NNC_PLUGIN_TO_LIB}")
  endif()
  if(NOT ARG_NO_INSTALL AND DEFINED NNC_PLUGIN_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION "${NNC_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
