// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sonyalpaca::alpaca {

/// The Alpaca error numbers (API Reference §2.8.3).
enum class ErrorCode : int {
    NotImplemented = 0x400,
    InvalidValue = 0x401,
    ValueNotSet = 0x402,
    NotConnected = 0x407,
    InvalidOperation = 0x40B,
    ActionNotImplemented = 0x40C,
    OperationCancelled = 0x40E,
    Unspecified = 0x4FF,
};

/// An error that crosses the Alpaca boundary as an HTTP 200 reply with ErrorNumber and ErrorMessage.
/// Device code throws it; the router turns it into the reply.
class AlpacaError : public std::runtime_error {
public:
    AlpacaError(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ErrorCode code() const noexcept { return code_; }

    /// Each takes the whole message, a sentence naming the member and saying why.
    static AlpacaError notImplemented(std::string_view what);
    static AlpacaError invalidValue(std::string_view what);
    static AlpacaError notConnected(std::string_view what);
    static AlpacaError invalidOperation(std::string_view what);

private:
    ErrorCode code_;
};

/// An error number and message ready to send.
struct ErrorReply {
    int number;
    std::string message;
};

/// Maps any exception to its Alpaca error (the one boundary, like MPD's ToAck): AlpacaError keeps its
/// code; ptp::BodyUnavailable becomes NotConnected, focus::FocuserBusy InvalidOperation; anything else
/// is UnspecifiedError with its message, nested causes appended.
ErrorReply toAlpaca(std::exception_ptr error) noexcept;

/// The message of `error` followed by its nested causes ("a: b: c").
std::string fullMessage(const std::exception& error);

}  // namespace sonyalpaca::alpaca
