// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/BodySession.hpp"

namespace sonyalpaca::alpaca {

void BodySession::acquire() {
    std::lock_guard lock(mutex_);
    body_->open();
    ++users_;
}

void BodySession::release() noexcept {
    std::lock_guard lock(mutex_);
    if (users_ > 0 && --users_ == 0) body_->close();
}

}  // namespace sonyalpaca::alpaca
