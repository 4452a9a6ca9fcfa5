// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>

/// PTP and Sony SDIO codes the virtual body speaks (PTP/ISO 15740 and the Sony vendor extension as
/// libgphoto2 2.5.30 uses it; see ../shared/reference/gphoto-sony.md).
namespace sonyalpaca::ptp::sim::code {

// Operations
inline constexpr std::uint16_t GetDeviceInfo = 0x1001, OpenSession = 0x1002, CloseSession = 0x1003,
                               GetStorageIDs = 0x1004, GetObjectInfo = 0x1008, GetObject = 0x1009;
inline constexpr std::uint16_t SonySdioConnect = 0x9201, SonyGetSdioExtDeviceInfo = 0x9202,
                               SonySetControlDeviceA = 0x9205, SonySetControlDeviceB = 0x9207,
                               SonyGetAllDevicePropData = 0x9209;

// Responses
inline constexpr std::uint16_t Ok = 0x2001, GeneralError = 0x2002, SessionNotOpen = 0x2003,
                               OperationNotSupported = 0x2005, ParameterNotSupported = 0x2006,
                               InvalidObjectHandle = 0x2009, DevicePropNotSupported = 0x200A, StoreFull = 0x200C,
                               AccessDenied = 0x200F, DeviceBusy = 0x2019, InvalidDevicePropValue = 0x201C,
                               SessionAlreadyOpen = 0x201E;

// Events
inline constexpr std::uint16_t SonyObjectAdded = 0xC201, SonyObjectRemoved = 0xC202, SonyPropertyChanged = 0xC203;

// Data types
inline constexpr std::uint16_t Int8 = 0x0001, UInt8 = 0x0002, Int16 = 0x0003, UInt16 = 0x0004, Int32 = 0x0005,
                               UInt32 = 0x0006;

// Properties
inline constexpr std::uint16_t CompressionSetting = 0x5004, FocusMode = 0x500A, ExposureProgramMode = 0x500E,
                               FNumber = 0x5007;
inline constexpr std::uint16_t SonyShutterSpeed = 0xD20D, SonyBatteryLevel = 0xD218, SonyFocusFound = 0xD213,
                               SonyObjectInMemory = 0xD215, SonyIso = 0xD21E, SonyCaptureTarget = 0xD222,
                               SonyPriorityMode = 0xD25A, SonyRawFileType = 0xD288, SonySensorCrop = 0xD219;
// Body health (names from libgphoto2's ptp.h; values from Sony's Camera Remote SDK, unverified on bodies)
inline constexpr std::uint16_t SonyBatteryLevelIndicator = 0xD20E, SonyMediaSlot1Status = 0xD248,
                               SonyMediaSlot1RemainingShots = 0xD249, SonyDeviceOverheatStatus = 0xD251;
// Sony controls ("buttons") and the focus drive
inline constexpr std::uint16_t SonyS1 = 0xD2C1, SonyS2 = 0xD2C2, SonyBulb = 0xD2C7, SonyMovie = 0xD2C8,
                               SonyNearFar = 0xD2D1, SonyAfMfHold = 0xD2D2;

// Object formats and handles
inline constexpr std::uint16_t FormatJpeg = 0x3801, FormatArw = 0xB101;
inline constexpr std::uint32_t CaptureHandle = 0xFFFFC001, LiveViewHandle = 0xFFFFC002;

}  // namespace sonyalpaca::ptp::sim::code
