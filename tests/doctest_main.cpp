// SPDX-License-Identifier: GPL-3.0-or-later
// doctest's main, with one addition: a run whose filters match no test case fails. ctest runs each
// test case by name (doctest_discover_tests); a name that does not survive that trip (a ';' splits
// it into two CMake list items) would otherwise "pass" without running anything.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

namespace {

struct RunCounter final : doctest::IReporter {
    static inline bool ended = false;
    static inline unsigned matched = 0;

    explicit RunCounter(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        ended = true;
        matched = stats.numTestCasesPassingFilters;
    }
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("run-counter", 1, RunCounter);

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit()) return result;  // --help, --list-test-cases ...
    if (result == 0 && RunCounter::ended && RunCounter::matched == 0) {
        std::fprintf(stderr, "doctest: no test case matches the filters given: nothing was tested\n");
        return 1;
    }
    return result;
}
