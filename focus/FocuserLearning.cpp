// SPDX-License-Identifier: GPL-3.0-or-later
// The focuser's learning jobs: lens learning (Action "learn", the setup page's wizard) and the generic
// profile's travel found by homing from both ends. Both run on the focuser's worker as its other jobs.
#include "focus/AbsoluteFocuser.hpp"

#include "config/Log.hpp"
#include "focus/LensModel.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sonyalpaca::focus {

void AbsoluteFocuser::learn(LearnOptions options) {
    std::lock_guard lock(mutex_);
    if (!setup_.meter) throw std::logic_error("lens learning needs the body's live view, which this focuser has not");
    options.guess = setup_.lens;
    options.step_time_ms = model_.step_time_ms;
    options.backlash = std::max(setup_.settings.backlash, 0.0);  // configured by the user, else measured
    post(JobKind::Learn, target_, Step{1, 1}, "lens learning");
    learn_request_ = std::move(options);
    learning_ = LearningStatus{
        true, "starting", 0, "waiting for the current step", learning_.result, learning_.profile_file, ""};
}

void AbsoluteFocuser::adoptProfile(const config::LensEntry& lens, bool generic) {
    setup_.lens = lens;
    setup_.generic = generic;
    model_ = driveModel(lens, setup_.settings.backlash);
    tracker_ = PositionTracker(model_);
    tracker_.atEndStop(1);
    max_step_ = static_cast<long>(std::floor(model_.travel + 1e-9));
    position_ = maxStep();
    target_ = position_;
    needs_homing_ = false;
}

bool AbsoluteFocuser::measureGenericTravel(std::stop_token cancel) {
    auto logger = log::get("focus");
    LearnOptions options;
    {
        std::lock_guard lock(mutex_);
        activity_ = Activity::Homing;
        steps_done_ = 0;
        steps_total_ = 0;
        options.guess = setup_.lens;
        options.step_time_ms = model_.step_time_ms;
    }
    logger->info("focuser: unknown lens: finding its travel by driving between both end stops, watching the live view");
    save(true);
    try {
        LensLearner learner(body_, setup_.meter, options);
        const double largest = learner.measureLargestSteps(cancel);
        config::LensEntry lens = genericLens();
        const double scale = largest / lens.full_travel_moves[config::kStepSizes - 1];
        for (double& moves : lens.full_travel_moves) moves *= scale;
        lens.source = "built in, travel found by homing from both ends";
        {
            std::lock_guard lock(mutex_);
            adoptProfile(lens, true);
            generic_travel_found_ = true;
        }
        logger->info("focuser: the unknown lens crosses its travel in {:.2f} of its largest steps: {:.0f} units of the "
                     "generic profile; homed at the infinity end stop. Learn the lens for exact step sizes",
                     largest, lens.full_travel_moves[0]);
        save(false);
        return true;
    } catch (const LearnCancelled&) {
        logger->info("focuser: finding the travel was interrupted; the position stays unknown");
    } catch (const std::exception& e) {
        logger->warn("focuser: cannot find the unknown lens's travel ({}); homing with the generic profile's",
                     e.what());
    }
    std::lock_guard lock(mutex_);
    generic_travel_found_ = true;  // not again this session: plain homing from now on
    return false;
}

void AbsoluteFocuser::driveLearn(std::stop_token cancel) {
    auto logger = log::get("focus");
    LearnOptions options;
    {
        std::lock_guard lock(mutex_);
        options = *learn_request_;
        activity_ = Activity::Learning;
        steps_done_ = 0;
        steps_total_ = 100;
    }
    save(true);
    auto progress = [this](const LearnProgress& p) {
        std::lock_guard lock(mutex_);
        learning_.phase = p.phase;
        learning_.percent = p.percent;
        learning_.message = p.message;
        steps_done_ = p.percent;
    };
    try {
        LensLearner learner(body_, setup_.meter, options, progress);
        const LearnResult result = learner.run(cancel);
        std::string file;
        try {
            file = saveLearnedProfile(result, setup_.lenses_dir).string();
        } catch (const std::exception& e) {
            logger->error("lens learning: cannot save the profile in {}: {}", setup_.lenses_dir.string(), e.what());
        }
        {
            std::lock_guard lock(mutex_);
            config::LensEntry lens = result.profile;
            lens.source = file.empty() ? std::string("learned, not saved") : file;
            adoptProfile(lens, false);
            learning_.active = false;
            learning_.percent = 100;
            learning_.phase = "done";
            learning_.message.clear();
            learning_.result = learnedSummary(result);
            learning_.profile_file = file;
        }
        logger->info("lens learning: done: {}; saved in {}", learnedSummary(result), file.empty() ? "nothing" : file);
        save(false);
        return;
    } catch (const LearnCancelled&) {
        std::lock_guard lock(mutex_);
        learning_.error = "cancelled";
        logger->info("lens learning: cancelled; the position is unknown until the next homing");
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        learning_.error = e.what();
        last_error_ = std::string("lens learning failed: ") + e.what();
        logger->error("lens learning failed: {}", e.what());
    }
    {
        // The lens is somewhere between the stops: the next move homes first.
        std::lock_guard lock(mutex_);
        learning_.active = false;
        tracker_.restore(model_.travel / 2, unknownSigma(model_.travel), 0, false);
        position_ = std::lround(tracker_.position());
        target_ = position_;
        needs_homing_ = true;
    }
    save(false);
}

}  // namespace sonyalpaca::focus
