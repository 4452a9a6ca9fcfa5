// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/MovePlanner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

namespace sonyalpaca::focus {
namespace {
constexpr std::size_t kSizes = config::kStepSizes;

/// The two legs of a plan: steps against the approach, then steps with it.
struct Legs {
    double against = 0;  ///< total length of the steps against the approach
    double with = 0;     ///< total length of the steps in the approach direction
};

Legs legsOf(const DriveModel& model, const std::array<int, config::kStepSizes>& counts, int approach) {
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

/// The lens position after the first leg (`middle`) and after both (`end`), and the play left.
struct Path {
    double middle;
    double end;
    double gap;
};

/// One leg of `motion` units of motor travel in `direction` from `position` with the play at `gap`
/// (see farGap): the lens follows once the play in that direction is taken up.
void driveLeg(const DriveModel& model, double& position, double& gap, int direction, double motion) {
    if (motion <= 0) return;
    const double play = direction > 0 ? gap : model.backlash - gap;
    const double taken = std::min(play, motion);
    position += direction * (motion - taken);
    const double left = play - taken;
    gap = direction > 0 ? left : model.backlash - left;
}

Path pathOf(const DriveModel& model, double from, const Legs& legs, int approach, double gap) {
    double position = from;
    driveLeg(model, position, gap, -approach, legs.against);
    const double middle = position;
    driveLeg(model, position, gap, approach, legs.with);
    return {middle, position, gap};
}

/// What one step of size index k costs the search: its time, and the variance it adds at its price.
double stepCost(const DriveModel& model, std::size_t k) {
    const double spread = model.jitter * model.step_length[k];
    return model.step_time_ms[k] + model.command_ms + model.variance_ms * spread * spread;
}

/// Depth-first search over the net count of each size, largest size first, with branch and bound
/// on the time spent. Candidate counts for a size surround what the remaining distance asks of it.
class Search {
public:
    Search(const DriveModel& model, double from, double target, int approach, double gap)
        : model_(model),
          from_(from),
          target_(target),
          approach_(approach),
          gap_(gap),
          direction_(approach != 0 ? approach : (target >= from ? 1 : -1)),
          against_play_(-direction_ > 0 ? gap : model.backlash - gap) {}

    void run() { descend(kSizes, target_ - from_, 0.0); }

    bool found() const { return best_time_ < std::numeric_limits<double>::infinity(); }
    const std::array<int, config::kStepSizes>& counts() const { return best_; }
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
        const double cost = stepCost(model_, k);
        // The backlash can be taken up twice at most; allow for it and for a few extra steps. The
        // count nearest to what is left goes first, so a good plan bounds the search early.
        const auto spread = static_cast<int>(std::ceil((2 * model_.backlash) / length)) + 2;
        const auto nearest = static_cast<int>(std::lround(remaining / length));
        const double against_before = against_;
        for (int offset = 0; offset <= 2 * spread; ++offset) {
            const int count = nearest + (offset % 2 ? (offset + 1) / 2 : -(offset / 2));
            // The leg against the approach only grows as smaller sizes join it: once it would leave
            // the travel, no completion of this plan can stay inside.
            against_ = against_before + (count * direction_ < 0 ? std::abs(count) * length : 0.0);
            const double middle = from_ - direction_ * std::max(0.0, against_ - against_play_);
            if (middle < -1e-9 || middle > model_.travel + 1e-9) continue;
            counts_[k] = count;
            descend(size - 1, remaining - count * length, time + std::abs(count) * cost);
        }
        against_ = against_before;
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
            per_unit = std::min(per_unit, stepCost(model_, k) / model_.step_length[k]);
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
        const Path path = pathOf(model_, from_, legsOf(model_, counts_, approach), approach, gap_);
        if (std::abs(path.end - target_) > model_.tolerance) return;
        if (path.middle < -1e-9 || path.middle > model_.travel + 1e-9) return;
        if (path.end < -1e-9 || path.end > model_.travel + 1e-9) return;
        best_time_ = time;
        best_ = counts_;
    }

    const DriveModel& model_;
    double from_, target_;
    int approach_;
    double gap_;
    int direction_;        // the approach, or the direction of the move when free
    double against_play_;  // play to take up before the leg against the approach moves the lens
    double against_ = 0;   // motor travel of the leg against the approach chosen so far
    std::array<int, config::kStepSizes> counts_{};
    std::array<int, config::kStepSizes> best_{};
    double best_time_ = std::numeric_limits<double>::infinity();
};
}  // namespace

double farGap(int previous_direction, double backlash) {
    return previous_direction > 0 ? 0.0 : previous_direction < 0 ? backlash : backlash / 2;
}

double endPosition(const DriveModel& model, double from, const std::array<int, config::kStepSizes>& counts,
                   int approach, int previous_direction) {
    return pathOf(model, from, legsOf(model, counts, approach), approach, farGap(previous_direction, model.backlash))
        .end;
}

Plan planMove(const DriveModel& model, double from, double target, int approach, int previous_direction) {
    return planMoveFromGap(model, from, farGap(previous_direction, model.backlash), target, approach);
}

Plan planMoveFromGap(const DriveModel& model, double from, double far_gap, double target, int approach) {
    if (!(target >= 0 && target <= model.travel))
        throw std::invalid_argument("focus target " + std::to_string(target) + " is outside 0.." +
                                    std::to_string(model.travel));
    const double gap = std::clamp(far_gap, 0.0, model.backlash);
    if (std::abs(target - from) <= model.tolerance) {
        Plan none;
        none.end = from;
        none.end_gap = gap;
        return none;
    }
    std::optional<Search> search;
    search.emplace(model, from, target, approach, gap);
    search->run();
    if (!search->found() && approach != 0) {
        // Next to the end stop behind the approach there may be no room to come back: land either way.
        approach = 0;
        search.emplace(model, from, target, approach, gap);
        search->run();
    }
    if (!search->found())
        throw std::invalid_argument("no sequence of focus steps reaches " + std::to_string(target) + " from " +
                                    std::to_string(from));
    const auto& counts = search->counts();
    const int direction = approach != 0 ? approach : (target >= from ? 1 : -1);
    Plan plan;
    for (std::size_t k = 0; k < kSizes; ++k) {
        const double n = std::abs(counts[k]);
        const double spread = model.jitter * model.step_length[k];
        plan.time_ms += n * (model.step_time_ms[k] + model.command_ms);
        plan.variance += n * spread * spread;
    }
    // Against the approach first, then with it; largest steps first within each leg.
    for (int leg : {-direction, direction})
        for (std::size_t k = kSizes; k-- > 0;)
            if (counts[k] * leg > 0)
                for (int i = 0; i < std::abs(counts[k]); ++i) plan.steps.push_back({static_cast<int>(k) + 1, leg});
    const Path path = pathOf(model, from, legsOf(model, counts, direction), direction, gap);
    plan.end = path.end;
    plan.end_gap = path.gap;
    plan.last_direction = plan.steps.empty() ? 0 : plan.steps.back().direction;
    return plan;
}

}  // namespace sonyalpaca::focus
