# nnc tests: ctest `external_plugin_against_install`: tests/external_plugin built against `cmake --install` output.
# Runs after the build (ctest never builds): it installs the already-built tree into a scratch prefix.
add_test(NAME external_plugin_against_install
  COMMAND bash "${CMAKE_CURRENT_LIST_DIR}/external_plugin/run_test.sh" "${PROJECT_BINARY_DIR}" "${PROJECT_SOURCE_DIR}")
set_tests_properties(external_plugin_against_install PROPERTIES
  LABELS "external;e2e"
  TIMEOUT 900
  RUN_SERIAL ON
  ENVIRONMENT "NNC_CMAKE=${CMAKE_COMMAND};NNC_CMAKE_GENERATOR=${CMAKE_GENERATOR};NNC_CXX_COMPILER=${CMAKE_CXX_COMPILER}")
