// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/MovePlanner.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sonyalpaca::focus {
namespace {
constexpr std::size_t kSizes = 7;

/// The two legs of a plan: steps against the approach, then steps with it.
struct Legs {
    double against = 0;  ///< total length of the steps against the approach
    double with = 0;     ///< total length of the steps in the approach direction
};

Legs legsOf(const DriveModel& model, const std::array<int, 7>& counts, int approach) {
    Legs legs;
    for (std::size_t k = 0; k < kSizes; ++k) {
        const double length = std::abs(counts[k]) * model.step_length[k];
        if (counts[k] * approach > 0)
            legs.with += length;
        else
            legs.against += length;
    }
    return legs;
}

/// The lens position after the first leg (`middle`) and after both (`end`).
struct Path {
    double middle;
    double end;
};

Path pathOf(const DriveModel& model, double from, const Legs& legs, int approach, int previous_direction) {
    const int against = -approach;
    double position = from;
    int last = previous_direction;
    if (legs.against > 0) {
        const double lost = (last != 0 && last != against) ? model.backlash : 0;
        position += against * std::max(0.0, legs.against - lost);
        last = against;
    }
    const double middle = position;
    if (legs.with > 0) {
        const double lost = (last != 0 && last != approach) ? model.backlash : 0;
        position += approach * std::max(0.0, legs.with - lost);
    }
    return {middle, position};
}

/// Depth-first search over the net count of each size, largest size first, with branch and bound
/// on the time spent. Candidate counts for a size surround what the remaining distance asks of it.
class Search {
public:
    Search(const DriveModel& model, double from, double target, int approach, int previous_direction)
        : model_(model), from_(from), target_(target), approach_(approach), previous_(previous_direction) {}

    void run() { descend(kSizes, target_ - from_, 0.0); }

    bool found() const { return best_time_ < std::numeric_limits<double>::infinity(); }
    const std::array<int, 7>& counts() const { return best_; }
    double time() const { return best_time_; }

private:
    void descend(std::size_t size, double remaining, double time) {
        if (time + lowerBound(size, remaining) >= best_time_) return;
        if (size == 0) {
            consider(time);
            return;
        }
        const std::size_t k = size - 1;
        const double length = model_.step_length[k];
        const double cost = model_.step_time_ms[k] + model_.command_ms;
        // The backlash can be taken up twice at most; allow for it and for a few extra steps. The
        // count nearest to what is left goes first, so a good plan bounds the search early.
        const auto spread = static_cast<int>(std::ceil((2 * model_.backlash) / length)) + 2;
        const auto nearest = static_cast<int>(std::lround(remaining / length));
        for (int offset = 0; offset <= 2 * spread; ++offset) {
            const int count = nearest + (offset % 2 ? (offset + 1) / 2 : -(offset / 2));
            counts_[k] = count;
            descend(size - 1, remaining - count * length, time + std::abs(count) * cost);
        }
        counts_[k] = 0;
    }

    /// The least time the sizes below `size` need to cover `remaining`: every unit of distance
    /// costs at least the cheapest time per unit among them.
    double lowerBound(std::size_t size, double remaining) const {
        const double distance = std::abs(remaining) - model_.tolerance - 2 * model_.backlash;
        if (distance <= 0) return 0;
        if (size == 0) return std::numeric_limits<double>::infinity();
        double per_unit = std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < size; ++k)
            per_unit = std::min(per_unit, (model_.step_time_ms[k] + model_.command_ms) / model_.step_length[k]);
        return distance * per_unit;
    }

    void consider(double time) {
        bool any = false;
        bool with_approach = false;
        for (auto count : counts_) {
            any = any || count != 0;
            with_approach = with_approach || count * approach_ > 0;
        }
        if (any && approach_ != 0 && !with_approach) return;  // must end moving in the approach direction
        const int approach = approach_ != 0 ? approach_ : (target_ >= from_ ? 1 : -1);
        const Path path = pathOf(model_, from_, legsOf(model_, counts_, approach), approach, previous_);
        if (std::abs(path.end - target_) > model_.tolerance) return;
        if (path.middle < -1e-9 || path.middle > model_.travel + 1e-9) return;
        if (path.end < -1e-9 || path.end > model_.travel + 1e-9) return;
        best_time_ = time;
        best_ = counts_;
    }

    const DriveModel& model_;
    double from_, target_;
    int approach_, previous_;
    std::array<int, 7> counts_{};
    std::array<int, 7> best_{};
    double best_time_ = std::numeric_limits<double>::infinity();
};
}  // namespace

double endPosition(const DriveModel& model, double from, const std::array<int, 7>& counts, int approach,
                   int previous_direction) {
    return pathOf(model, from, legsOf(model, counts, approach), approach, previous_direction).end;
}

Plan planMove(const DriveModel& model, double from, double target, int approach, int previous_direction) {
    if (!(target >= 0 && target <= model.travel))
        throw std::invalid_argument("focus target " + std::to_string(target) + " is outside 0.." +
                                    std::to_string(model.travel));
    if (std::abs(target - from) <= model.tolerance) return {{}, from, 0, 0};
    Search search(model, from, target, approach, previous_direction);
    search.run();
    if (!search.found())
        throw std::invalid_argument("no sequence of focus steps reaches " + std::to_string(target) + " from " +
                                    std::to_string(from));
    const auto& counts = search.counts();
    const int direction = approach != 0 ? approach : (target >= from ? 1 : -1);
    Plan plan;
    plan.time_ms = search.time();
    // Against the approach first, then with it; largest steps first within each leg.
    for (int leg : {-direction, direction})
        for (std::size_t k = kSizes; k-- > 0;)
            if (counts[k] * leg > 0)
                for (int i = 0; i < std::abs(counts[k]); ++i) plan.steps.push_back({static_cast<int>(k) + 1, leg});
    plan.end = endPosition(model, from, counts, direction, previous_direction);
    plan.last_direction = plan.steps.empty() ? 0 : plan.steps.back().direction;
    return plan;
}

}  // namespace sonyalpaca::focus
