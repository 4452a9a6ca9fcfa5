// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/ImageReply.hpp"

#include "imaging/ImageArrayJson.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

namespace sonyalpaca::alpaca {
namespace {

/// ImageBytes: the per-response header, then views of the shared pixel bytes.
class ImageBytesSource final : public BodySource {
public:
    ImageBytesSource(std::shared_ptr<const imaging::ImageBytes> image, const ReplyContext& context)
        : image_(std::move(image)),
          header_(image_->header(context.client_transaction_id, context.server_transaction_id)) {}

    std::size_t size() const noexcept override { return image_->size(); }

    std::span<const char> read(std::size_t offset, std::size_t max) override {
        if (offset >= size() || max == 0) throw std::out_of_range("ImageBytes read past the end");
        if (offset < header_.size()) {
            const auto* start = reinterpret_cast<const char*>(header_.data()) + offset;
            return {start, std::min(max, header_.size() - offset)};
        }
        const auto pixels = image_->pixelBytes();
        const std::size_t at = offset - header_.size();
        return {reinterpret_cast<const char*>(pixels.data()) + at, std::min(max, pixels.size() - at)};
    }

private:
    std::shared_ptr<const imaging::ImageBytes> image_;
    std::array<std::uint8_t, imaging::ImageBytesHeader::kSize> header_;
};

/// The JSON ImageArray, formatted on demand into a buffer of its own.
class ImageArrayJsonSource final : public BodySource {
public:
    static constexpr std::size_t kBuffer = std::size_t{256} << 10;

    ImageArrayJsonSource(std::shared_ptr<const imaging::ImageBytes> image, const ReplyContext& context)
        : image_(std::move(image)),
          writer_(image_->columns(), image_->numX(), image_->numY(), context.client_transaction_id,
                  context.server_transaction_id),
          buffer_(kBuffer) {}

    std::size_t size() const noexcept override { return writer_.totalSize(); }

    std::span<const char> read(std::size_t offset, std::size_t max) override {
        const std::size_t written = writer_.write(offset, buffer_.data(), std::min(max, buffer_.size()));
        if (written == 0) throw std::out_of_range("ImageArray JSON read past the end");
        return {buffer_.data(), written};
    }

private:
    std::shared_ptr<const imaging::ImageBytes> image_;
    imaging::ImageArrayJson writer_;
    std::vector<char> buffer_;
};

}  // namespace

HttpResponse imageArrayReply(std::shared_ptr<const imaging::ImageBytes> image, const ReplyContext& context) {
    if (context.accepts_imagebytes)
        return HttpResponse::streamed("application/imagebytes",
                                      std::make_shared<ImageBytesSource>(std::move(image), context));
    return HttpResponse::streamed("application/json; charset=utf-8",
                                  std::make_shared<ImageArrayJsonSource>(std::move(image), context));
}

}  // namespace sonyalpaca::alpaca
