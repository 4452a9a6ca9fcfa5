// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace sonyalpaca::server {

/// `sonyalpaca info [--camera auto|simulator|ptpip:HOST[:PORT]]`: opens the body and prints its
/// identity, settings, lists and capabilities - a new user's first check that the camera is seen.
/// Returns 0, or 1 with the reason when no body can be opened, 2 for a bad command line.
int runInfo(int argc, const char* const* argv);

/// The --help text of info.
const char* infoUsage();

}  // namespace sonyalpaca::server
