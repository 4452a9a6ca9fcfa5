// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <string>

namespace sonyalpaca::server {

/// True when stderr is the journal stream systemd set up for this process (JOURNAL_STREAM names
/// stderr's device and inode).
bool stderrIsJournal(const std::map<std::string, std::string>& environment);

/// Logs to stderr at `level` (trace ... off). Under journald (see stderrIsJournal) lines carry no
/// timestamp and start with a syslog priority prefix ("<6>") so journald keeps the levels;
/// otherwise they carry a timestamp, the logger name and the level.
void setupLogging(const std::string& level, bool journal);

}  // namespace sonyalpaca::server
