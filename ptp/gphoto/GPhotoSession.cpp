// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/gphoto/GPhotoSession.hpp"

#include "config/Log.hpp"
#include "ptp/Body.hpp"
#include "ptp/gphoto/DeviceHolders.hpp"

#include <gphoto2/gphoto2-setting.h>
#include <gphoto2/gphoto2-version.h>
#include <gphoto2/gphoto2.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <utility>

namespace sonyalpaca::ptp::gphoto {
namespace {
constexpr int kSonyVendor = 0x054c;

/// libgphoto2's explanations of a failure on this thread (the worker's), innermost first, since the
/// last result was checked.
thread_local std::vector<std::string> gphoto_errors;

void noteGphotoError(const char* text) {
    if (text && gphoto_errors.size() < 8) gphoto_errors.emplace_back(text);
}

/// The most telling explanation: the innermost one that names a PTP error, else the innermost.
std::string takeGphotoError() {
    std::string found;
    for (const auto& line : gphoto_errors)
        if (line.find("PTP") != std::string::npos) {
            found = line;
            break;
        }
    if (found.empty() && !gphoto_errors.empty()) found = gphoto_errors.front();
    gphoto_errors.clear();
    return found;
}

/// Owns a widget tree.
struct WidgetTree {
    CameraWidget* widget = nullptr;
    ~WidgetTree() {
        if (widget) gp_widget_free(widget);
    }
};

/// Owns a CameraFile.
struct File {
    CameraFile* file = nullptr;
    File() { gp_file_new(&file); }
    ~File() { gp_file_unref(file); }
    std::vector<std::uint8_t> bytes() const {
        const char* data = nullptr;
        unsigned long size = 0;
        gp_file_get_data_and_size(file, &data, &size);
        const auto* begin = reinterpret_cast<const std::uint8_t*>(data);
        return std::vector<std::uint8_t>(begin, begin + size);
    }
};

bool isConnectionError(int result) {
    switch (result) {
    case GP_ERROR_IO:
    case GP_ERROR_IO_READ:
    case GP_ERROR_IO_WRITE:
    case GP_ERROR_IO_USB_FIND:
    case GP_ERROR_IO_USB_CLAIM:
    case GP_ERROR_IO_INIT:
    case GP_ERROR_IO_LOCK:
    case GP_ERROR_MODEL_NOT_FOUND:
    case GP_ERROR_TIMEOUT: return true;
    default: return false;
    }
}

/// Linux caps USB transfer buffers at usbfs_memory_mb (16 MB by default), less than one RAW file.
std::string usbfsAdvice() {
    std::ifstream in("/sys/module/usbcore/parameters/usbfs_memory_mb");
    std::string current;
    in >> current;
    return " - a RAW file is larger than Linux's USB buffer allows (usbfs_memory_mb is " +
           (current.empty() ? std::string("unknown") : current) +
           "): raise it with `echo 0 | sudo tee /sys/module/usbcore/parameters/usbfs_memory_mb` (0 = no limit), "
           "and for good with usbcore.usbfs_memory_mb=0 on the kernel command line";
}

std::string advice(int result) {
    switch (result) {
    case GP_ERROR_IO_USB_CLAIM: {
        std::string who;
        for (const auto& holder : processesHolding(sonyUsbDeviceNode()))
            who += (who.empty() ? "" : ", ") + holder.name + " (pid " + std::to_string(holder.pid) + ")";
        return " - another program holds the camera" + (who.empty() ? std::string() : ": " + who) +
               ". On a desktop gvfs grabs it: run `gio mount -s gphoto2` and `systemctl --user mask "
               "gvfs-gphoto2-volume-monitor`; otherwise stop that program";
    }
    case GP_ERROR_IO_LOCK:
    case GP_ERROR_IO_INIT:
        return " - no permission to open the camera's USB device: install the udev rule (see README) and put this "
               "user in its group, then replug the camera";
    case GP_ERROR_MODEL_NOT_FOUND:
    case GP_ERROR_IO_USB_FIND: return " - is the camera on, connected, and its USB connection set to PC Remote?";
    case GP_ERROR_CAMERA_BUSY: return " - the body is busy; try again in a moment";
    case GP_ERROR_TIMEOUT: return " - the body did not answer in time";
    default: return "";
    }
}
}  // namespace

void throwFailure(int result, const std::string& what, std::string detail) {
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '.')) detail.pop_back();
    std::string message = what + " failed: " + gp_result_as_string(result);
    if (!detail.empty()) message += " (" + detail + ")";
    if (detail.find("Store Full") != std::string::npos || detail.find("Store full") != std::string::npos)
        message += " - the body's buffer or memory card is full: let it finish writing, or free the card";
    message += advice(result);
    if (isConnectionError(result)) throw BodyUnavailable(message);
    if (result == GP_ERROR_CAMERA_BUSY) throw BodyBusy(message);
    throw BodyError(message);
}

GPhotoSession::GPhotoSession() : context_(gp_context_new()) {
    // libgphoto2 explains a failure (often with the PTP error, "PTP Store Full") through the context
    // or in an error log line, then returns a generic code: keep the last explanation.
    const auto note_context_error = [](GPContext*, const char* text, void*) { noteGphotoError(text); };
    gp_context_set_error_func(context_, note_context_error, nullptr);
    static const int log_id = gp_log_add_func(
        GP_LOG_ERROR, [](GPLogLevel, const char*, const char* text, void*) { noteGphotoError(text); }, nullptr);
    (void)log_id;
}

GPhotoSession::~GPhotoSession() {
    disconnect();
    gp_context_unref(context_);
}

void GPhotoSession::check(int result, const std::string& what) {
    if (result >= GP_OK) {
        gphoto_errors.clear();
        return;
    }
    throwFailure(result, what, takeGphotoError());
}

void GPhotoSession::connect(const config::CameraSource& source) {
    if (camera_) return;
    // libgphoto2 keeps the last two downloaded pictures in its file-system cache ("cached-images",
    // read once per process): two whole RAW frames (~93 MB for 24 MP) resident on a Pi for nothing,
    // since every frame is downloaded once. Keep none.
    static std::once_flag no_picture_cache;
    std::call_once(no_picture_cache, [] {
        gp_setting_set(const_cast<char*>("libgphoto"), const_cast<char*>("cached-images"), const_cast<char*>("0"));
    });
    CameraAbilitiesList* abilities = cameraDrivers();
    // The port list names the USB devices present, so it is read at each USB opening; a PTP/IP
    // address needs only the port drivers, read once (each reading keeps ~5 KB for good).
    const bool usb = source.kind != config::CameraSource::Kind::PtpIp;
    GPPortInfoList* ports = usb ? nullptr : portDrivers();
    std::unique_ptr<GPPortInfoList, int (*)(GPPortInfoList*)> free_ports(nullptr, gp_port_info_list_free);
    if (usb) {
        gp_port_info_list_new(&ports);
        free_ports.reset(ports);
        check(gp_port_info_list_load(ports), "loading libgphoto2's port drivers");
    }

    std::string model, port;
    if (source.kind == config::CameraSource::Kind::PtpIp) {
        model = "PTP/IP Camera";
        // Both ports: given alone, the command port leaves the event port at 15740.
        port = "ptpip:" + source.host + ":" + std::to_string(source.port) + ":" + std::to_string(source.port);
    } else {
        CameraList* list = nullptr;
        gp_list_new(&list);
        const std::unique_ptr<CameraList, int (*)(CameraList*)> free_list(list, gp_list_free);
        check(gp_abilities_list_detect(abilities, ports, list, context_), "looking for cameras on USB");
        for (int i = 0; i < gp_list_count(list); ++i) {
            const char* name = nullptr;
            const char* path = nullptr;
            gp_list_get_name(list, i, &name);
            gp_list_get_value(list, i, &path);
            CameraAbilities a;
            const int index = gp_abilities_list_lookup_model(abilities, name);
            if (index >= 0 && gp_abilities_list_get_abilities(abilities, index, &a) >= 0 &&
                a.usb_vendor == kSonyVendor) {
                model = name;
                port = path;
                break;
            }
        }
        if (model.empty())
            throw BodyUnavailable("no Sony body is attached on USB: connect it, switch it on and set its USB "
                                  "connection to PC Remote");
    }

    CameraAbilities a;
    const int model_index = gp_abilities_list_lookup_model(abilities, model.c_str());
    if (model_index < 0) throw BodyUnavailable("libgphoto2 does not know the camera model \"" + model + "\"");
    gp_abilities_list_get_abilities(abilities, model_index, &a);
    const int port_index = gp_port_info_list_lookup_path(ports, port.c_str());
    if (port_index < 0) throw BodyUnavailable("libgphoto2 cannot use the port \"" + port + "\"");
    GPPortInfo info;
    gp_port_info_list_get_info(ports, port_index, &info);

    Camera* camera = nullptr;
    gp_camera_new(&camera);
    gp_camera_set_abilities(camera, a);
    gp_camera_set_port_info(camera, info);
    const int result = gp_camera_init(camera, context_);
    if (result < GP_OK) {
        gp_camera_unref(camera);
        const std::string what = "opening the body at " + port;
        if (result == GP_ERROR_IO || result == GP_ERROR_IO_USB_CLAIM || result == GP_ERROR_IO_LOCK ||
            result == GP_ERROR_IO_INIT || result == GP_ERROR_MODEL_NOT_FOUND || result == GP_ERROR_IO_USB_FIND ||
            result == GP_ERROR_TIMEOUT)
            throw BodyUnavailable(what + " failed: " + gp_result_as_string(result) + advice(result));
        throw BodyUnavailable(what + " failed: " + gp_result_as_string(result));
    }
    camera_ = camera;
    port_ = port;
    log::get("ptp")->info("opened {} at {}", model, port);
}

namespace {
/// A libgphoto2 list made by `make`, filled by `load` at its first use, and kept in `kept` for the
/// rest of the process (guarded by `mutex`); a failed load frees it and throws, saying `what`.
template <typename List, typename Load>
List* keptForProcess(std::mutex& mutex, List*& kept, int (*make)(List**), int (*release)(List*), Load load,
                     const char* what) {
    std::lock_guard lock(mutex);
    if (!kept) {
        List* loaded = nullptr;
        make(&loaded);
        const int result = load(loaded);
        if (result < GP_OK) {
            release(loaded);
            throwFailure(result, what, takeGphotoError());
        }
        kept = loaded;
    }
    return kept;
}
}  // namespace

CameraAbilitiesList* GPhotoSession::cameraDrivers() {
    // Loaded once per process: loading opens every camera driver (some 60 shared objects) and each
    // load kept about 45 KB that was never given back (issue 16: +13 MB over 300 Connect/Disconnect
    // cycles, ~380 MB an hour of failing reopens). The list does not change while the process runs;
    // the port list (the USB devices present) is read at each opening.
    static std::mutex mutex;
    static CameraAbilitiesList* drivers = nullptr;
    return keptForProcess(
        mutex, drivers, gp_abilities_list_new, gp_abilities_list_free,
        [this](CameraAbilitiesList* list) { return gp_abilities_list_load(list, context_); },
        "loading libgphoto2's camera drivers");
}

GPPortInfoList* GPhotoSession::portDrivers() {
    static std::mutex mutex;
    static GPPortInfoList* drivers = nullptr;
    return keptForProcess(mutex, drivers, gp_port_info_list_new, gp_port_info_list_free, gp_port_info_list_load,
                          "loading libgphoto2's port drivers");
}

void GPhotoSession::disconnect() noexcept {
    if (!camera_) return;
    gp_camera_exit(camera_, context_);
    gp_camera_unref(camera_);
    camera_ = nullptr;
}

bool GPhotoSession::has(const std::string& name) {
    if (!camera_) throw BodyUnavailable("the body is not open");
    WidgetTree tree;
    return gp_camera_get_single_config(camera_, name.c_str(), &tree.widget, context_) >= GP_OK;
}

std::string GPhotoSession::value(const std::string& name) {
    if (!camera_) throw BodyUnavailable("the body is not open");
    WidgetTree tree;
    check(gp_camera_get_single_config(camera_, name.c_str(), &tree.widget, context_), "reading " + name);
    CameraWidgetType type;
    gp_widget_get_type(tree.widget, &type);
    switch (type) {
    case GP_WIDGET_RANGE: {
        float number = 0;
        gp_widget_get_value(tree.widget, &number);
        return std::to_string(number);
    }
    case GP_WIDGET_TOGGLE:
    case GP_WIDGET_DATE: {
        int number = 0;
        gp_widget_get_value(tree.widget, &number);
        return std::to_string(number);
    }
    default: {
        const char* text = nullptr;
        gp_widget_get_value(tree.widget, &text);
        return text ? text : "";
    }
    }
}

std::vector<std::string> GPhotoSession::choices(const std::string& name) {
    if (!camera_) throw BodyUnavailable("the body is not open");
    WidgetTree tree;
    check(gp_camera_get_single_config(camera_, name.c_str(), &tree.widget, context_), "reading " + name);
    std::vector<std::string> list;
    for (int i = 0; i < gp_widget_count_choices(tree.widget); ++i) {
        const char* choice = nullptr;
        if (gp_widget_get_choice(tree.widget, i, &choice) >= GP_OK && choice) list.emplace_back(choice);
    }
    return list;
}

void GPhotoSession::setValue(const std::string& name, const void* value, const std::string& shown) {
    if (!camera_) throw BodyUnavailable("the body is not open");
    WidgetTree tree;
    check(gp_camera_get_single_config(camera_, name.c_str(), &tree.widget, context_), "reading " + name);
    check(gp_widget_set_value(tree.widget, value), "setting " + name + " to " + shown);
    check(gp_camera_set_single_config(camera_, name.c_str(), tree.widget, context_),
          "setting " + name + " to " + shown);
}

void GPhotoSession::set(const std::string& name, const std::string& value) { setValue(name, value.c_str(), value); }

void GPhotoSession::setNumber(const std::string& name, float value) { setValue(name, &value, std::to_string(value)); }

void GPhotoSession::setToggle(const std::string& name, int value) { setValue(name, &value, std::to_string(value)); }

CameraPath GPhotoSession::capture() {
    if (!camera_) throw BodyUnavailable("the body is not open");
    CameraFilePath path{};
    check(gp_camera_capture(camera_, GP_CAPTURE_IMAGE, &path, context_), "taking the exposure");
    return {path.folder, path.name};
}

void GPhotoSession::trigger() {
    if (!camera_) throw BodyUnavailable("the body is not open");
    check(gp_camera_trigger_capture(camera_, context_), "triggering the exposure");
}

std::optional<CameraPath> GPhotoSession::waitForFile(std::chrono::milliseconds timeout) {
    if (!camera_) throw BodyUnavailable("the body is not open");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        CameraEventType type = GP_EVENT_UNKNOWN;
        void* data = nullptr;
        check(gp_camera_wait_for_event(camera_, static_cast<int>(std::max<long long>(1, left.count())), &type, &data,
                                       context_),
              "waiting for the body's file");
        std::optional<CameraPath> found;
        if (type == GP_EVENT_FILE_ADDED && data) {
            const auto* path = static_cast<CameraFilePath*>(data);
            found = CameraPath{path->folder, path->name};
        }
        std::free(data);
        if (found) return found;
    }
    return std::nullopt;
}

std::vector<std::uint8_t> GPhotoSession::download(const CameraPath& path) {
    if (!camera_) throw BodyUnavailable("the body is not open");
    File file;
    const int result =
        gp_camera_file_get(camera_, path.folder.c_str(), path.name.c_str(), GP_FILE_TYPE_NORMAL, file.file, context_);
    if (result < GP_OK && port_.rfind("usb:", 0) == 0 &&
        (result == GP_ERROR_IO_READ || result == GP_ERROR_IO || result == GP_ERROR_TIMEOUT))
        throw BodyError("downloading " + path.name + " failed: " + gp_result_as_string(result) + usbfsAdvice());
    check(result, "downloading " + path.name);
    // libgphoto2 fetches a Sony capture from the body's memory during the capture and keeps it in its
    // file system (gp_filesystem_set_file_noop) whatever "cached-images" says; gp_camera_file_get
    // hands out a copy. Dropping that entry before the copy into our buffer keeps at most two copies
    // at once, and none once this returns (bench_memory: one whole frame less resident).
    if (camera_->fs != nullptr)
        gp_filesystem_delete_file_noop(camera_->fs, path.folder.c_str(), path.name.c_str(), context_);
    return file.bytes();
}

void GPhotoSession::probe() {
    if (!camera_) throw BodyUnavailable("the body is not open");
    CameraText summary;
    const int result = gp_camera_get_summary(camera_, &summary, context_);
    if (result < GP_OK && result != GP_ERROR_NOT_SUPPORTED)
        throw BodyUnavailable(std::string("the body does not answer: ") + gp_result_as_string(result));
}

std::vector<std::uint8_t> GPhotoSession::preview() {
    if (!camera_) throw BodyUnavailable("the body is not open");
    File file;
    check(gp_camera_capture_preview(camera_, file.file, context_), "taking a live-view frame");
    return file.bytes();
}

std::string libraryVersion() {
    const char** facts = gp_library_version(GP_VERSION_SHORT);
    return facts && facts[0] ? facts[0] : "unknown";
}

}  // namespace sonyalpaca::ptp::gphoto
