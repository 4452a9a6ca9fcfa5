// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/LensDatabase.hpp"
#include "config/Settings.hpp"
#include "focus/LensLearner.hpp"
#include "focus/MovePlanner.hpp"
#include "focus/PositionTracker.hpp"
#include "ptp/Body.hpp"

#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

namespace sonyalpaca::focus {

/// Everything the focuser needs to start on one body and lens.
struct FocuserSetup {
    config::LensEntry lens;
    bool generic = false;  ///< the lens is unknown and runs on the generic profile
    config::FocuserSettings settings;
    std::filesystem::path state_file;  ///< where position, uncertainty and lens are kept
    std::string body_id;               ///< model and serial of the body: a saved state is for this body only
    /// Live view → comparable grid (imaging::liveViewGrid): lens learning, and the generic profile's
    /// travel found by homing from both ends. Empty: neither.
    ViewMeter meter;
    std::filesystem::path lenses_dir;  ///< where learned profiles are saved (STATE_DIR/lenses)
};

/// Lens learning as the focuser runs it.
struct LearningStatus {
    bool active = false;
    std::string phase;  ///< LearnProgress::phase while active
    int percent = 0;
    std::string message;
    std::string result;        ///< summary of the last learning that finished
    std::string profile_file;  ///< where its profile was saved
    std::string error;         ///< why the last learning stopped, empty when it did not fail
};

/// What the focuser is doing.
enum class Activity {
    Idle,
    Moving,          ///< a move or a jog
    Homing,          ///< into the infinity end stop (or finding an unknown lens's travel)
    Learning,        ///< lens learning
    WaitingForBody,  ///< a move waits while the body reconnects
};

/// The activity as the status shows it: "idle", "moving", "homing", "learning",
/// "waiting for the body to reconnect".
std::string_view activityName(Activity activity) noexcept;

/// What the focuser is doing and believes, for the Action "status", the setup page and the log.
struct FocuserStatus {
    std::string lens_id;
    std::string lens_name;
    bool generic_lens = false;
    double travel = 0;
    double estimate = 0;      ///< believed lens position, in units
    double sigma = 0;         ///< its standard deviation
    bool homed = false;       ///< an end stop fixed the position since it was last lost
    bool homing_due = false;  ///< the next move homes first (policy or uncertainty)
    long position = 0;        ///< Alpaca Position
    long target = 0;          ///< the last commanded target
    bool moving = false;
    Activity activity = Activity::Idle;
    int steps_done = 0;  ///< progress of the current move or homing
    int steps_total = 0;
    std::string last_error;  ///< why the last move failed, empty when it did not
    LearningStatus learning;
};

/// A move, homing or jog was asked while the lens is being learned.
class FocuserBusy : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The absolute focuser on a lens the body can only step: plans each move (MovePlanner), drives it
/// on its own thread one step at a time, tracks where the lens is (PositionTracker), homes into the
/// infinity end stop when the policy or the uncertainty asks, and keeps its state in a file so a
/// restart continues where it stopped.
///
/// Position semantics: after a move that landed within half a unit of its target, position() is the
/// target exactly (clients such as N.I.N.A. wait for Position == target); the sub-unit residual
/// stays in the tracker's estimate. During a move it follows the estimate step by step.
///
/// Thread-safe. Moves are asynchronous: move() and home() return at once, isMoving() is true until
/// the lens has stopped.
class AbsoluteFocuser {
public:
    /// Restores the saved state when it is for the same body and lens and was not cut mid-move,
    /// and decides from the homing policy whether the first move homes first.
    AbsoluteFocuser(ptp::Body& body, FocuserSetup setup);
    /// Stops after the current step and saves the state.
    ~AbsoluteFocuser();
    AbsoluteFocuser(const AbsoluteFocuser&) = delete;
    AbsoluteFocuser& operator=(const AbsoluteFocuser&) = delete;

    /// The highest position: the lens's travel in whole units (the infinity end stop).
    long maxStep() const noexcept;
    long position() const;
    bool isMoving() const;

    /// Starts a move to `target`, clamped to [0, maxStep()]. A move already running stops after
    /// its current step and the new one continues from there.
    void move(long target);
    /// Starts homing: drive into the infinity end stop with the largest step.
    void home();
    /// Starts one step of `size` (1 = smallest .. 7 = largest) toward infinity (`direction` +1) or
    /// near (-1), for a person nudging the focus from the setup page. It runs on the same worker as
    /// move(), so the tracker follows it; it never homes first. Afterwards Position is the rounded
    /// estimate and the target. Throws std::invalid_argument for a size or direction out of range.
    void jog(int size, int direction);
    /// Starts learning the lens (LensLearner): minutes of driving between the end stops while
    /// IsMoving is true. On success the learned profile is saved in FocuserSetup::lenses_dir and the
    /// focuser runs on it from then on, at the infinity stop (Position = MaxStep). halt() cancels;
    /// moves are refused (FocuserBusy) until it ends. `options.guess`, step times and backlash are
    /// filled in from the current profile. Throws std::logic_error without a live-view meter.
    void learn(LearnOptions options);
    /// Stops after the current step and waits until the job that was running has ended: at most one
    /// step's drive time (plus the body's answer to the step command), whatever other threads ask
    /// meanwhile. A move asked while halt() waits starts afterwards; halt() does not wait for it.
    void halt();

    FocuserStatus status() const;
    nlohmann::json statusJson() const;
    /// The profile in use (it changes when the lens is learned, or the generic profile's travel is found).
    config::LensEntry lens() const;
    bool generic() const;

    /// Temperature compensation (only when the lens profile has a coefficient).
    bool tempCompAvailable() const;
    bool tempComp() const;
    /// Throws std::logic_error when the profile has no coefficient.
    void setTempComp(bool on);
    /// A new body temperature (from an image's maker notes): with compensation on and the focuser
    /// idle, moves by coefficient × the change once that reaches a whole unit.
    void temperatureChanged(double celsius);
    /// The last temperature passed to temperatureChanged().
    std::optional<double> lastTemperature() const;

    /// How long a move waits for a body that is reconnecting before it fails (30 s; tests shorten it).
    void setBodyAwayWait(std::chrono::milliseconds wait) noexcept { body_away_wait_ = wait; }

private:
    enum class JobKind { Move, Home, Jog, Learn };
    /// One job for the worker. Its stop source is its one cancellation: halt(), a newer job and the
    /// focuser's end all stop it, and the job looks at nothing else.
    struct Job {
        JobKind kind;
        long target;
        Step step{1, 1};  ///< Jog only
        unsigned long generation = 0;
        std::stop_source cancel{};
    };

    /// Makes a job the next one; the running job ends after its current step (lock held). Refuses
    /// (FocuserBusy, naming `what`) while the lens is being learned.
    void post(JobKind kind, long target, Step step, const char* what);
    /// Running or pending: IsMoving (lock held).
    bool busy() const noexcept { return running_ || pending_.has_value(); }

    void run(std::stop_token stop);
    void runJob(const Job& job);
    /// A move or homing: homes first when due, then drives to the target.
    void driveJob(const Job& job, std::stop_token cancel);
    enum class BodyWait { Back, Halted, Gone };
    /// Waits while the body reconnects (IsMoving stays true), up to body_away_wait_.
    BodyWait waitForBody(std::stop_token cancel);
    /// When the body has reconnected since the last look, its lens may have moved while it was away
    /// (the body off, the lens detached): the position becomes uncertain and homing due.
    void noticeReconnect();
    /// Homing: drives into the infinity stop far enough whatever the position; false when cancelled.
    bool driveHome(std::stop_token cancel);
    /// Drives with the largest step into the end stop in `direction` (+1 infinity, -1 near), `distance`
    /// units and more; there the position is exact. False when cancelled.
    bool driveIntoStop(int direction, double distance, bool homing, std::stop_token cancel);
    /// Drives one planned move; false when cancelled.
    bool driveTo(long target, std::stop_token cancel);
    /// Learns the lens and switches to the learned profile (FocuserLearning.cpp, as the next two).
    void driveLearn(std::stop_token cancel);
    /// The generic profile's travel: the largest steps between the two end stops, counted on the
    /// live view; ends at the infinity stop. False when cancelled or not measurable.
    bool measureGenericTravel(std::stop_token cancel);
    /// Runs on the new profile from the infinity stop (lock held).
    void adoptProfile(const config::LensEntry& lens, bool generic);
    /// Drives the single step of a jog.
    void driveJog(const Step& step);
    /// Sends one step and waits until the lens has finished it (a halt waits for it too; only the
    /// focuser's end cuts the wait).
    void driveStep(const Step& step);
    bool homingDue() const;
    void restore();  // FocuserState.cpp, as save()
    void save(bool moving);
    /// The standard deviation of a position known only to be somewhere on the travel.
    static double unknownSigma(double travel) noexcept;
    /// Keeps the estimate but no longer trusts it (lock held, or before the worker starts).
    void loosenPosition();
    /// Refuses a new job while learning runs (lock held).
    void refuseWhileLearning(const char* what) const;

    ptp::Body& body_;
    // setup_.lens, setup_.generic and model_ change only on the worker (learning, the generic
    // travel), under the lock; other threads read them under the lock.
    FocuserSetup setup_;
    DriveModel model_;

    mutable std::mutex mutex_;  // guards everything below
    std::condition_variable_any wake_;
    PositionTracker tracker_;
    std::optional<Job> pending_;
    bool running_ = false;             // the worker is running a job (not only pending)
    std::stop_source running_cancel_;  // the running job's (Job::cancel)
    std::stop_token worker_stop_;      // the worker's own: set and read on the worker only
    // Generations: every job gets the next number when it is asked; the worker records the number of
    // the job it runs and of the last one it finished, so halt() waits for exactly the job it cut.
    unsigned long generation_ = 0;          // of the newest job asked
    unsigned long running_generation_ = 0;  // of the job the worker runs (valid while running_)
    unsigned long done_generation_ = 0;     // of the newest job the worker finished
    bool needs_homing_ = false;             // the policy asks to home at the first move
    long position_ = 0;
    long target_ = 0;
    Activity activity_ = Activity::Idle;
    int steps_done_ = 0;
    int steps_total_ = 0;
    std::string last_error_;
    bool temp_comp_ = false;
    std::optional<double> reference_temperature_;
    std::optional<double> last_temperature_;
    bool deferred_logged_ = false;
    std::optional<LearnOptions> learn_request_;
    LearningStatus learning_;
    bool generic_travel_found_ = false;
    std::atomic<long> max_step_{0};    // maxStep(), readable without the lock
    std::uint64_t body_sessions_ = 0;  // the body's sessions() when the focuser last looked
    std::atomic<std::chrono::milliseconds> body_away_wait_{std::chrono::seconds(30)};

    std::jthread worker_;  // last: joins before the members it uses go
};

}  // namespace sonyalpaca::focus
