// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/Http.hpp"
#include "alpaca/Member.hpp"
#include "imaging/ImageBytes.hpp"

#include <memory>

namespace sonyalpaca::alpaca {

/// The reply to GET ImageArray (and ImageArrayVariant) for `image`: Alpaca's ImageBytes
/// (Content-Type application/imagebytes) when the client accepts them, otherwise the JSON
/// ImageArray, {"Type":2,"Rank":2,"Value":[[…]…],…}. Both are streamed from the image's one buffer:
/// ImageBytes send a 44-byte header made for this response followed by the shared pixel bytes
/// without copying them; JSON is formatted piece by piece into a small buffer, never whole in
/// memory. The response holds `image`, so the buffer lives until the last byte is sent even when a
/// new exposure replaces the camera's image meanwhile.
HttpResponse imageArrayReply(std::shared_ptr<const imaging::ImageBytes> image, const ReplyContext& context);

}  // namespace sonyalpaca::alpaca
