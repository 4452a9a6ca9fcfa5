// SPDX-License-Identifier: GPL-3.0-or-later
// The libgphoto2 worker's jobs outlive their timeout: the caller has returned (its frame and what it
// owned are gone) while the job still runs. Run under ASan, a job that reached back into the caller
// would be a use after free here.
#include "ptp/gphoto/GPhotoWorker.hpp"

#include "ptp/Body.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

using namespace sonyalpaca::ptp;
using namespace std::chrono_literals;

namespace {
/// A caller whose job times out: it returns the error's message, and its heap and stack data go with it.
std::string callerThatTimesOut(gphoto::GPhotoWorker& worker, std::atomic<long>& sum, std::atomic<bool>& started) {
    std::vector<long> data(4096, 3);  // the caller's; freed when this function returns
    std::string label = "a job that owns a copy of its data";
    try {
        worker.run("the slow job", 20ms, [data, label, &sum, &started] {
            started = true;
            std::this_thread::sleep_for(300ms);  // the caller is long gone by now
            sum = std::accumulate(data.begin(), data.end(), 0L) + static_cast<long>(label.size());
        });
    } catch (const BodyError& e) {
        return e.what();
    }
    return {};
}
}  // namespace

TEST_CASE("gphoto worker: a job that outlives its timeout finishes on its own data after the caller returned") {
    gphoto::GPhotoWorker worker;
    std::atomic<long> sum{0};
    std::atomic<bool> started{false};
    const std::string message = callerThatTimesOut(worker, sum, started);
    CHECK(message.find("did not finish the slow job within 0.02") != std::string::npos);
    CHECK(sum == 0);  // the caller did not wait for the job
    // Overwrite the freed stack and heap the caller used.
    {
        std::vector<long> other(4096, -1);
        volatile long sink = std::accumulate(other.begin(), other.end(), 0L);
        (void)sink;
    }
    // Jobs run in order: this one waits for the slow one to end.
    worker.run("the next job", 5s, [] {});
    CHECK(started);
    CHECK(sum == 4096 * 3 + static_cast<long>(std::string("a job that owns a copy of its data").size()));
    CHECK(worker.healthy());
}

TEST_CASE("gphoto worker: the worker owns the job until it has run, also when its caller has timed out") {
    gphoto::GPhotoWorker worker;
    auto token = std::make_shared<int>(1);
    std::weak_ptr<int> watch = token;
    std::atomic<bool> release{false};
    try {
        worker.run("the held job", 10ms, [token = std::move(token), &release] {
            for (int i = 0; i < 500 && !release; ++i) std::this_thread::sleep_for(1ms);
            return *token;
        });
        FAIL("the job should have timed out");
    } catch (const BodyError&) {
    }
    CHECK_FALSE(watch.expired());  // the caller's copy is gone; the worker still holds the job's
    release = true;
    worker.run("the next job", 5s, [] {});
    // The finished task goes with the worker's queue entry.
    for (int i = 0; i < 100 && !watch.expired(); ++i) std::this_thread::sleep_for(1ms);
    CHECK(watch.expired());
}
