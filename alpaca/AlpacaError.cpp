// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/AlpacaError.hpp"

#include "focus/AbsoluteFocuser.hpp"
#include "ptp/Body.hpp"

namespace sonyalpaca::alpaca {

AlpacaError AlpacaError::notImplemented(std::string_view what) {
    return {ErrorCode::NotImplemented, std::string(what)};
}
AlpacaError AlpacaError::invalidValue(std::string_view what) { return {ErrorCode::InvalidValue, std::string(what)}; }
AlpacaError AlpacaError::notConnected(std::string_view what) { return {ErrorCode::NotConnected, std::string(what)}; }
AlpacaError AlpacaError::invalidOperation(std::string_view what) {
    return {ErrorCode::InvalidOperation, std::string(what)};
}

std::string fullMessage(const std::exception& error) {
    std::string message = error.what();
    try {
        std::rethrow_if_nested(error);
    } catch (const std::exception& nested) {
        message += ": " + fullMessage(nested);
    } catch (...) {
        message += ": unknown error";
    }
    return message;
}

ErrorReply toAlpaca(std::exception_ptr error) noexcept {
    try {
        std::rethrow_exception(error);
    } catch (const AlpacaError& e) {
        return {static_cast<int>(e.code()), fullMessage(e)};
    } catch (const ptp::BodyUnavailable& e) {
        return {static_cast<int>(ErrorCode::NotConnected), fullMessage(e)};
    } catch (const focus::FocuserBusy& e) {
        return {static_cast<int>(ErrorCode::InvalidOperation), fullMessage(e)};
    } catch (const std::exception& e) {
        return {static_cast<int>(ErrorCode::Unspecified), fullMessage(e)};
    } catch (...) {
        return {static_cast<int>(ErrorCode::Unspecified), "unknown internal error"};
    }
}

}  // namespace sonyalpaca::alpaca
