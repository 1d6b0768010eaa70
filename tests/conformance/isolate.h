// nnc conformance: crash safety: run a case in a forked child (--isolate), or name the case on a fatal signal.
#pragma once

#include <functional>
#include <string>

#include "run_case.h"

namespace nnc::conformance {

/// Runs `fn` in a forked child and returns its result. A child killed by a signal (segfault, abort)
/// becomes FAIL stage "crash" naming the signal; one still running after `timeout_s` seconds (0 = no
/// limit) is killed and becomes FAIL stage "timeout".
CaseResult run_isolated(const std::function<CaseResult()>& fn, int timeout_s);

/// Builds the ONNX operator-schema registry (lazy, tens of ms) in this process, so that forked
/// children inherit it instead of rebuilding it for every case.
void warm_up_before_fork();

/// In-process mode: installs handlers for SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGABRT that print
/// "CRASH in case <name>" (the name set by set_current_case) before dying with the same signal, so a
/// crash never ends the run silently.
void install_crash_reporter();
void set_current_case(const std::string& name);

}  // namespace nnc::conformance
