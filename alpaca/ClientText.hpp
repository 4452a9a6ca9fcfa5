// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace sonyalpaca::alpaca {

/// Text a client sent (a path, a query, a header, a name, an error message quoting them), made safe
/// for one log line: control characters (below 0x20 and 0x7F) become \n, \r, \t or \xNN, and a
/// backslash is doubled, so a client cannot end the line and forge another in the log, the journal
/// or the setup page's log tail. Longer than `limit` bytes: cut, with "…(N bytes)" appended. Other bytes (UTF-8
/// text) stay as they are. Every log call that carries client text passes it through here.
std::string loggable(std::string_view text, std::size_t limit = 300);

/// Why `name` cannot name a learned lens profile, or empty when it can: at most 100 bytes of UTF-8
/// text without control characters. The rule of the setup page's form and of the Focuser's Action
/// "learn" alike.
std::string badLensName(std::string_view name);

}  // namespace sonyalpaca::alpaca
