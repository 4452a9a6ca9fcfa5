// SPDX-License-Identifier: GPL-3.0-or-later
#include "SimulatorProcess.hpp"

#include "RawHttp.hpp"

#include <fstream>
#include <stdexcept>

namespace sonyalpaca::test {
namespace {
std::vector<std::string> arguments(const std::vector<std::string>& options) {
    std::vector<std::string> all{"simulate-body", "--port", "0", "--control-port", "0"};
    all.insert(all.end(), options.begin(), options.end());
    return all;
}
}  // namespace

SimulatorProcess::SimulatorProcess(const std::vector<std::string>& options) : process(arguments(options)) {
    const auto port = process.waitForLog(R"(serving PTP/IP on 127\.0\.0\.1:(\d+))");
    const auto control = process.waitForLog(R"(simulator control on http://127\.0\.0\.1:(\d+))");
    if (!port || !control) throw std::runtime_error("the simulator did not start:\n" + process.log());
    ptp_port = *port;
    control_port = static_cast<std::uint16_t>(std::stoi(*control));
}

nlohmann::json SimulatorProcess::status() const { return httpGet(control_port, "/status").json(); }

void writeTestLensProfile(const std::filesystem::path& state_dir) {
    std::filesystem::create_directories(state_dir / "lenses");
    std::ofstream(state_dir / "lenses" / "sel20.json") << R"json({"lenses": [{
        "maker": "Sony", "model_id": "SEL20F18G", "name": "FE 20mm f/1.8 G (measured)",
        "full_travel_moves_by_step_size": [533.0, 202.0, 78.5, 30.0, 11.2, 4.2, 1.4],
        "step_time_ms": [5, 12, 19, 26, 33, 40, 47], "jitter": 0.002, "backlash": 2}]})json";
}

}  // namespace sonyalpaca::test
