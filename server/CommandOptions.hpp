// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sonyalpaca::server {

/// The command line could not be understood (exit code 2); the message says what to type instead.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One option of a sub-command (serve, info, learn-lens, simulate-body).
struct CommandOption {
    std::string_view name;   ///< "--port"
    std::string_view value;  ///< what the value is, for "--port needs a value: N"; empty for a flag
    /// Takes the value ("" for a flag). May throw; the exception reaches parseOptions's caller.
    std::function<void(const std::string&)> take;
};

/// True when --help or -h is among argv[2...] (anywhere): the sub-command shows its help and does
/// nothing else.
bool helpWanted(int argc, const char* const* argv);

/// Hands argv[2...] to `options`, in order: "--name value" or "--name=value" for an option with a
/// value (the next argument is the value whatever it looks like), "--name" for a flag. Throws
/// UsageError for an unknown option (the message points to `help`, e.g. "sonyalpaca info --help"),
/// a missing value, and a value given to a flag.
void parseOptions(int argc, const char* const* argv, const std::vector<CommandOption>& options, std::string_view help);

}  // namespace sonyalpaca::server
