// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/JpegHuffmanTable.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>

namespace sonyalpaca::ptp::sim {

JpegHuffmanTable::JpegHuffmanTable(const std::array<std::uint32_t, 256>& frequency) {
    // Huffman tree over the used symbols plus one reserved symbol (256) of frequency 1, which
    // keeps the all-ones code unused as JPEG requires.
    std::vector<int> parent;
    std::vector<int> symbol_of_leaf;
    using Node = std::pair<std::uint64_t, int>;  // (weight, node index) min-heap
    std::priority_queue<Node, std::vector<Node>, std::greater<>> heap;
    for (int s = 0; s <= 256; ++s) {
        const std::uint32_t f = s == 256 ? 1 : frequency[static_cast<std::size_t>(s)];
        if (f == 0) continue;
        heap.emplace(f, static_cast<int>(parent.size()));
        parent.push_back(-1);
        symbol_of_leaf.push_back(s);
    }
    const std::size_t leaves = parent.size();
    while (heap.size() > 1) {
        const Node a = heap.top();
        heap.pop();
        const Node b = heap.top();
        heap.pop();
        const int joined = static_cast<int>(parent.size());
        parent.push_back(-1);
        parent[static_cast<std::size_t>(a.second)] = joined;
        parent[static_cast<std::size_t>(b.second)] = joined;
        heap.emplace(a.first + b.first, joined);
    }
    std::array<unsigned, 300> per_length{};
    std::vector<std::pair<unsigned, int>> by_length;  // (length, symbol)
    for (std::size_t leaf = 0; leaf < leaves; ++leaf) {
        unsigned depth = 0;
        for (int n = parent[leaf]; n != -1; n = parent[static_cast<std::size_t>(n)]) ++depth;
        depth = std::max(depth, 1U);
        ++per_length[depth];
        by_length.emplace_back(depth, symbol_of_leaf[leaf]);
    }
    // Limit the lengths to 16 (JPEG Annex K.3): move pairs of the longest codes up.
    for (std::size_t i = per_length.size() - 1; i > 16; --i) {
        while (per_length[i] > 0) {
            std::size_t j = i - 2;
            while (per_length[j] == 0) --j;
            per_length[i] -= 2;
            per_length[i - 1] += 1;
            per_length[j + 1] += 2;
            per_length[j] -= 1;
        }
    }
    // Drop the reserved symbol: it is the last one, on the longest length.
    std::size_t longest = 16;
    while (per_length[longest] == 0) --longest;
    --per_length[longest];
    std::sort(by_length.begin(), by_length.end(), [](const auto& a, const auto& b) {
        if ((a.second == 256) != (b.second == 256)) return b.second == 256;
        return a.first != b.first ? a.first < b.first : a.second < b.second;
    });
    by_length.pop_back();
    std::size_t next = 0;
    unsigned value = 0;
    for (unsigned len = 1; len <= 16; ++len) {
        counts[len - 1] = static_cast<std::uint8_t>(per_length[len]);
        for (unsigned i = 0; i < per_length[len]; ++i) {
            const auto s = static_cast<std::size_t>(by_length[next++].second);
            symbols.push_back(static_cast<std::uint8_t>(s));
            code[s] = static_cast<std::uint16_t>(value++);
            length[s] = static_cast<std::uint8_t>(len);
        }
        value <<= 1;
    }
}

}  // namespace sonyalpaca::ptp::sim
