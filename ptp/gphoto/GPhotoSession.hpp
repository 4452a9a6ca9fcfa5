// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Settings.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct _Camera;
struct _GPContext;
struct _CameraAbilitiesList;
struct _GPPortInfoList;

namespace sonyalpaca::ptp::gphoto {

/// Where a file is on the camera, as libgphoto2 names it.
struct CameraPath {
    std::string folder;
    std::string name;
};

/// Throws the exception a failed libgphoto2 call (`result` < 0) becomes: BodyUnavailable when the
/// body is gone or cannot be reached, BodyBusy, or BodyError; the message names `what` failed,
/// quotes libgphoto2's `detail` and says what the user can do.
[[noreturn]] void throwFailure(int result, const std::string& what, std::string detail);

/// The running libgphoto2's version, e.g. "2.5.31" (gp_library_version).
std::string libraryVersion();

/// One libgphoto2 camera session. Not thread-safe: only the GPhotoWorker thread uses it.
/// Failures throw ptp::BodyUnavailable when the body is gone or cannot be reached, ptp::BodyError
/// when it refused; messages say what to do.
class GPhotoSession {
public:
    GPhotoSession();
    ~GPhotoSession();
    GPhotoSession(const GPhotoSession&) = delete;
    GPhotoSession& operator=(const GPhotoSession&) = delete;

    /// Opens the body `source` names: the Sony body on USB (auto), or ptpip:HOST:PORT.
    void connect(const config::CameraSource& source);
    void disconnect() noexcept;
    bool connected() const noexcept { return camera_ != nullptr; }

    /// True when the configuration has a widget called `name`.
    bool has(const std::string& name);
    /// The widget's value as text (choices and text as they are, ranges as numbers, toggles 0/1).
    std::string value(const std::string& name);
    /// The widget's choices (radio and menu widgets).
    std::vector<std::string> choices(const std::string& name);
    /// Sets a choice or text widget to `value`.
    void set(const std::string& name, const std::string& value);
    /// Sets a range widget to `value`.
    void setNumber(const std::string& name, float value);
    /// Sets a toggle widget.
    void setToggle(const std::string& name, int value);

    /// Presses the shutter and waits for the file (libgphoto2's capture, up to 35 s of waiting).
    CameraPath capture();
    /// Presses the shutter and returns at once; the file comes as an event (waitForFile).
    void trigger();
    /// Waits up to `timeout` for a FILE_ADDED event; nullopt if none came.
    std::optional<CameraPath> waitForFile(std::chrono::milliseconds timeout);
    /// Reads a file into memory.
    std::vector<std::uint8_t> download(const CameraPath& path);
    /// Asks the body for its device info (never cached): throws BodyUnavailable when it is gone.
    void probe();
    /// One live-view frame.
    std::vector<std::uint8_t> preview();

private:
    void check(int result, const std::string& what);
    /// libgphoto2's camera drivers, loaded at the first opening in this process.
    _CameraAbilitiesList* cameraDrivers();
    /// libgphoto2's port drivers (no USB device list): for PTP/IP, loaded once in this process.
    _GPPortInfoList* portDrivers();
    /// Sets widget `name` to `value` (the pointer gp_widget_set_value takes for its type).
    void setValue(const std::string& name, const void* value, const std::string& shown);

    _Camera* camera_ = nullptr;
    std::string port_;  ///< "usb:001,004" or "ptpip:..." once connected
    _GPContext* context_ = nullptr;
};

}  // namespace sonyalpaca::ptp::gphoto
