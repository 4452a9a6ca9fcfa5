// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/Jpeg.hpp"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <jpeglib.h>

namespace sonyalpaca::imaging {
namespace {

/// libjpeg reports fatal errors through error_exit, which must not return: it jumps back to the
/// caller's setjmp with the message kept. No C++ object with a destructor lives between the
/// setjmp and the libjpeg calls that may jump.
struct ErrorManager {
    jpeg_error_mgr base;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void onError(j_common_ptr info) {
    auto* manager = reinterpret_cast<ErrorManager*>(info->err);
    (*info->err->format_message)(info, manager->message);
    std::longjmp(manager->jump, 1);
}

void onMessage(j_common_ptr, int) {}  // warnings (corrupt data libjpeg can work around) stay quiet

unsigned scaleFor(unsigned width, unsigned min_width) {
    unsigned denominator = 1;
    while (denominator < 8 && min_width > 0 && width / (denominator * 2) >= min_width) denominator *= 2;
    return denominator;
}

/// Decodes to grey (`grey`) or to the JPEG's own colour (grey or RGB), scaled down so as to stay at
/// least `min_width` wide (0: full size).
Image8 decode(std::span<const std::uint8_t> jpeg, bool grey, unsigned min_width) {
    if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        throw JpegError("not a JPEG: the data does not start with the JPEG marker FF D8");
    Image8 image;
    jpeg_decompress_struct info{};
    ErrorManager errors{};
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = onError;
    errors.base.emit_message = onMessage;
    if (setjmp(errors.jump)) {
        jpeg_destroy_decompress(&info);
        throw JpegError(std::string("unreadable JPEG: ") + errors.message);
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, jpeg.data(), static_cast<unsigned long>(jpeg.size()));
    jpeg_read_header(&info, TRUE);
    info.out_color_space = grey || info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    info.scale_num = 1;
    info.scale_denom = scaleFor(info.image_width, min_width);
    if (grey) info.dct_method = JDCT_IFAST;
    jpeg_start_decompress(&info);
    image.width = info.output_width;
    image.height = info.output_height;
    image.components = static_cast<unsigned>(info.output_components);
    const std::size_t stride = static_cast<std::size_t>(image.width) * image.components;
    image.samples.resize(stride * image.height);
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = image.samples.data() + static_cast<std::size_t>(info.output_scanline) * stride;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return image;
}

}  // namespace

Image8 decodeJpegGrey(std::span<const std::uint8_t> jpeg, unsigned min_width) { return decode(jpeg, true, min_width); }

Image8 decodeJpeg(std::span<const std::uint8_t> jpeg) { return decode(jpeg, false, 0); }

std::vector<std::uint8_t> encodeJpeg(const Image8& image, int quality) {
    if (image.width == 0 || image.height == 0 || (image.components != 1 && image.components != 3) ||
        image.samples.size() != static_cast<std::size_t>(image.width) * image.height * image.components)
        throw std::invalid_argument("JPEG encode: the image is empty or its sample count does not match its size");
    if (quality < 1 || quality > 100) throw std::invalid_argument("JPEG encode: quality must be 1..100");
    jpeg_compress_struct info{};
    ErrorManager errors{};
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = onError;
    errors.base.emit_message = onMessage;
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&info);
        std::free(buffer);
        throw std::runtime_error(std::string("JPEG encode failed: ") + errors.message);
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = image.width;
    info.image_height = image.height;
    info.input_components = static_cast<int>(image.components);
    info.in_color_space = image.components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    const std::size_t stride = static_cast<std::size_t>(image.width) * image.components;
    while (info.next_scanline < info.image_height) {
        // libjpeg's API takes non-const rows; it only reads them.
        auto* row = const_cast<JSAMPLE*>(image.samples.data() + info.next_scanline * stride);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    std::vector<std::uint8_t> out(buffer, buffer + size);
    std::free(buffer);
    return out;
}

}  // namespace sonyalpaca::imaging
