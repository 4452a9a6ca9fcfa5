// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace sonyalpaca::server {

/// `sonyalpaca simulate-body [options]`: runs the virtual Sony body alone, serving PTP/IP, until
/// SIGTERM or SIGINT. Returns the exit code (2 for bad options).
int runSimulateBody(int argc, const char* const* argv);

/// The help text of simulate-body.
std::string simulateBodyUsage();

}  // namespace sonyalpaca::server
