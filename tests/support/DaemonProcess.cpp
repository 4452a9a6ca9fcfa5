// SPDX-License-Identifier: GPL-3.0-or-later
#include "DaemonProcess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sonyalpaca::test {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sonyalpaca-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string sonyalpacaPath() { return SONYALPACA_EXECUTABLE; }

DaemonProcess::DaemonProcess(std::vector<std::string> arguments, std::map<std::string, std::string> environment,
                             std::string program)
    : log_file_(log_dir_.path() / "stderr.log") {
    std::vector<std::string> env_strings;
    for (char** entry = environ; *entry; ++entry) {
        const std::string text(*entry);
        const auto name = text.substr(0, text.find('='));
        // Keep the child independent of a service manager around the test run.
        if (environment.count(name) || name == "NOTIFY_SOCKET" || name == "WATCHDOG_USEC" || name == "WATCHDOG_PID" ||
            name == "JOURNAL_STREAM" || name == "INVOCATION_ID")
            continue;
        env_strings.push_back(text);
    }
    const int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error("cannot create the daemon log file");
    struct stat log_status = {};
    ::fstat(log_fd, &log_status);
    for (const auto& [name, value] : environment)
        env_strings.push_back(name + "=" +
                              (value == kStderrIdentity
                                   ? std::to_string(log_status.st_dev) + ":" + std::to_string(log_status.st_ino)
                                   : value));
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args{std::move(program)};
    args.insert(args.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ == 0) {
        ::dup2(log_fd, 1);
        ::dup2(log_fd, 2);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        ::dup2(null_fd, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execvpe(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(log_fd);
    if (pid_ < 0) throw std::runtime_error("fork failed");
}

DaemonProcess::DaemonProcess(DaemonProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      exit_code_(other.exit_code_),
      log_dir_(std::move(other.log_dir_)),
      log_file_(std::move(other.log_file_)),
      port_(other.port_),
      discovery_port_(other.discovery_port_) {}

DaemonProcess::~DaemonProcess() {
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

DaemonProcess DaemonProcess::serve(const std::filesystem::path& state_dir, std::vector<std::string> extra) {
    // An empty config file of the test's own, so a config in /etc cannot change what is tested.
    const auto config = state_dir / "test-config.json";
    std::filesystem::create_directories(state_dir);
    std::ofstream(config) << "{}\n";
    std::vector<std::string> args{
        "serve",       "--bind",           "127.0.0.1", "--port",       "0", "--discovery-port", "0",
        "--state-dir", state_dir.string(), "--config",  config.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    DaemonProcess daemon(args);
    if (!daemon.waitUntilListening()) throw std::runtime_error("the daemon did not start:\n" + daemon.log());
    return daemon;
}

std::string DaemonProcess::log() const {
    std::ifstream in(log_file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<std::string> DaemonProcess::waitForLog(const std::string& pattern, std::chrono::milliseconds timeout) {
    const std::regex wanted(pattern);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string text = log();
        std::smatch match;
        if (std::regex_search(text, match, wanted)) return match.size() > 1 ? match[1].str() : match[0].str();
        if (wait(std::chrono::milliseconds(0))) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

bool DaemonProcess::waitUntilListening(std::chrono::milliseconds timeout) {
    static const std::regex api(R"(Alpaca API listening on .*:(\d+))");
    static const std::regex discovery(R"(Alpaca discovery on UDP port (\d+))");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string text = log();
        std::smatch match;
        const bool discovery_off = text.find("Alpaca discovery is off") != std::string::npos;
        if (std::regex_search(text, match, api)) {
            port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
            if (std::regex_search(text, match, discovery)) {
                discovery_port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
                return true;
            }
            if (discovery_off) return true;
        }
        if (wait(std::chrono::milliseconds(0))) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

void DaemonProcess::signal(int signal) const {
    if (pid_ > 0 && !exit_code_) ::kill(pid_, signal);
}

std::optional<int> DaemonProcess::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
        int status = 0;
        const pid_t result = ::waitpid(pid_, &status, WNOHANG);
        if (result == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_code_;
}

RunResult runSonyalpaca(std::vector<std::string> arguments, std::chrono::milliseconds timeout) {
    return runProgram(sonyalpacaPath(), std::move(arguments), {}, timeout);
}

RunResult runProgram(const std::string& program, std::vector<std::string> arguments,
                     std::map<std::string, std::string> environment, std::chrono::milliseconds timeout) {
    DaemonProcess process(std::move(arguments), std::move(environment), program);
    const auto code = process.wait(timeout);
    if (!code) throw std::runtime_error("sonyalpaca did not finish in time:\n" + process.log());
    return {*code, process.log()};
}

long processStatusKiB(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    throw std::runtime_error("no " + field + " in /proc/" + std::to_string(pid) + "/status");
}

std::string daemonGphotoVersion() {
    const auto text = runSonyalpaca({"--version"}).output;
    std::smatch found;
    if (!std::regex_search(text, found, std::regex(R"(libgphoto2 (\d+\.\d+\.\d+[.\d]*))")))
        throw std::runtime_error("sonyalpaca --version names no libgphoto2 version: " + text);
    return found[1];
}

}  // namespace sonyalpaca::test
