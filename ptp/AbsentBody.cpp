// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/AbsentBody.hpp"

namespace sonyalpaca::ptp {

std::string AbsentBody::describe() const { return reason_; }

}  // namespace sonyalpaca::ptp
