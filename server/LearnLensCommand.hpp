// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace sonyalpaca::server {

/// `sonyalpaca learn-lens [options]`: opens the body, learns the lens's seven step sizes from the
/// live view (focus::LensLearner) and saves the profile where the daemon finds it. Ctrl-C cancels.
/// Returns 0, 1 when the body cannot be opened or learning fails (with the reason), 2 for a bad
/// command line, 130 when cancelled.
int runLearnLens(int argc, const char* const* argv);

/// The --help text of learn-lens.
const char* learnLensUsage();

}  // namespace sonyalpaca::server
