// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/GuardedServer.hpp"

#include "config/Log.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <type_traits>
#include <vector>

namespace sonyalpaca::alpaca {
namespace {
using Clock = std::chrono::steady_clock;

/// Workers kept when idle, and how long a worker beyond them waits for work before it ends.
constexpr std::size_t kKeptWorkers = 8;
constexpr auto kRetireAfter = std::chrono::seconds(15);
/// A worker's stack. Routing matches the path with std::regex, which recurses once per character
/// (about 256 bytes each at -O2; HttpServer refuses paths over 1024 characters before that); the
/// sanitizers' instrumentation needs several times more.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kWorkerStack = std::size_t{16} << 20;
#else
constexpr std::size_t kWorkerStack = std::size_t{2} << 20;
#endif
/// How long a refused client is given to read its 503 before the socket is closed.
constexpr auto kRefusalLinger = std::chrono::milliseconds(250);

int millisecondsUntil(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

/// Waits until `fd` is ready for `events` (or has failed or hung up) before `deadline`; false when
/// the time passed or `stop_fd` became readable.
bool waitFor(int fd, short events, int stop_fd, Clock::time_point deadline) {
    for (int round = 0; round < 1000; ++round) {
        const int timeout = millisecondsUntil(deadline);
        std::array<pollfd, 2> fds{pollfd{fd, events, 0}, pollfd{stop_fd, POLLIN, 0}};
        const int ready = ::poll(fds.data(), fds.size(), timeout);
        if (ready < 0 && errno != EINTR) return false;
        if (fds[1].revents != 0) return false;
        if (fds[0].revents != 0) return true;
        if (ready == 0 && timeout == 0) return false;
    }
    return false;
}

bool ipAndPort(const sockaddr_storage& address, socklen_t size, std::string& ip, int& port) {
    std::array<char, NI_MAXHOST> host{};
    std::array<char, NI_MAXSERV> service{};
    if (::getnameinfo(reinterpret_cast<const sockaddr*>(&address), size, host.data(), host.size(), service.data(),
                      service.size(), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return false;
    ip = host.data();
    port = std::atoi(service.data());
    return true;
}

/// One connection's bytes for cpp-httplib. Unlike cpp-httplib's SocketStream it lives as long as
/// the connection (bytes a client sent ahead wait for their request), counts a request's time and
/// size from its first byte, and every wait also ends when the server stops.
class ConnectionStream final : public httplib::Stream {
public:
    ConnectionStream(int fd, int stop_fd, const ConnectionLimits& limits)
        : fd_(fd), stop_fd_(stop_fd), limits_(limits) {}

    /// Waits, up to the idle limit, for the first byte of the next request (or the client's end).
    bool awaitRequest() const { return begin_ < end_ || waitFor(fd_, POLLIN, stop_fd_, Clock::now() + limits_.idle); }

    /// A request starts: its time and size limits count from now.
    void beginRequest() {
        deadline_ = Clock::now() + limits_.request;
        allowance_ = limits_.request_bytes;
    }

    bool is_readable() const override { return begin_ < end_ || waitFor(fd_, POLLIN, stop_fd_, deadline_); }
    bool is_writable() const override { return waitFor(fd_, POLLOUT, stop_fd_, Clock::now() + limits_.write); }

    ssize_t read(char* ptr, size_t size) override {
        if (size == 0) return 0;
        if (begin_ == end_) {
            // The request's time is up even while the client still sends (slowly).
            if (Clock::now() >= deadline_ || !is_readable()) return fail();
            ssize_t got = -1;
            do got = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
            while (got < 0 && errno == EINTR);
            if (got < 0) return fail();
            if (got == 0) return 0;
            begin_ = 0;
            end_ = static_cast<std::size_t>(got);
        }
        const std::size_t n = std::min({size, end_ - begin_, allowance_});
        if (n == 0) return fail();  // the request is larger than allowed
        std::memcpy(ptr, buffer_.data() + begin_, n);
        begin_ += n;
        allowance_ -= n;
        return static_cast<ssize_t>(n);
    }

    ssize_t write(const char* ptr, size_t size) override {
        if (!is_writable()) return fail();
        ssize_t sent = -1;
        do sent = ::send(fd_, ptr, size, MSG_NOSIGNAL);
        while (sent < 0 && errno == EINTR);
        return sent < 0 ? fail() : sent;
    }

    /// A read or write failed or broke a limit: cpp-httplib may still answer (400), but the
    /// connection then ends.
    bool failed() const { return failed_; }

    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        sockaddr_storage address{};
        socklen_t size = sizeof address;
        if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0) ipAndPort(address, size, ip, port);
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        sockaddr_storage address{};
        socklen_t size = sizeof address;
        if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0) ipAndPort(address, size, ip, port);
    }
    socket_t socket() const override { return fd_; }

private:
    ssize_t fail() {
        failed_ = true;
        return -1;
    }

    const int fd_;
    const int stop_fd_;
    const ConnectionLimits& limits_;
    std::array<char, 16384> buffer_{};
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    Clock::time_point deadline_ = Clock::now();
    std::size_t allowance_ = 0;
    bool failed_ = false;
};

/// cpp-httplib's task queue for accepted connections, one task per connection: a worker for each
/// task, started when no worker is free, up to `max_threads`; beyond that tasks wait for a worker.
/// Workers beyond kKeptWorkers end after kRetireAfter without work.
class ElasticPool final : public httplib::TaskQueue {
    // 0.18's enqueue returns whether it took the task; 0.11's returns nothing.
    using EnqueueResult = decltype(std::declval<httplib::TaskQueue&>().enqueue(std::function<void()>{}));

public:
    explicit ElasticPool(std::size_t max_threads) : max_threads_(max_threads) {}
    ~ElasticPool() override { shutdown(); }
    ElasticPool(const ElasticPool&) = delete;
    ElasticPool& operator=(const ElasticPool&) = delete;

    EnqueueResult enqueue(std::function<void()> task) override {
        std::vector<pthread_t> ended;
        {
            const std::lock_guard lock(mutex_);
            jobs_.push_back(std::move(task));
            ended.swap(ended_);
            if (idle_ < jobs_.size() && workers_.size() < max_threads_ && !shutdown_) startWorker();
        }
        wake_.notify_one();
        for (const pthread_t thread : ended) ::pthread_join(thread, nullptr);
        return static_cast<EnqueueResult>(true);  // void on 0.11
    }

    void shutdown() override {
        std::vector<pthread_t> all;
        {
            const std::lock_guard lock(mutex_);
            shutdown_ = true;
            all.swap(workers_);
            all.insert(all.end(), ended_.begin(), ended_.end());
            ended_.clear();
        }
        wake_.notify_all();
        for (const pthread_t thread : all) ::pthread_join(thread, nullptr);
    }

private:
    /// Called with the lock held.
    void startWorker() {
        pthread_attr_t attributes;
        ::pthread_attr_init(&attributes);
        ::pthread_attr_setstacksize(&attributes, kWorkerStack);
        pthread_t thread;
        const int error = ::pthread_create(&thread, &attributes, &ElasticPool::run, this);
        ::pthread_attr_destroy(&attributes);
        if (error == 0)
            workers_.push_back(thread);
        else  // the task waits for a worker that is running
            log::get("alpaca")->warn("cannot start an HTTP worker ({} running): {}", workers_.size(),
                                     std::strerror(error));
    }

    static void* run(void* self) {
        static_cast<ElasticPool*>(self)->work();
        return nullptr;
    }

    void work() {
        std::unique_lock lock(mutex_);
        while (true) {
            if (!jobs_.empty()) {
                auto task = std::move(jobs_.front());
                jobs_.pop_front();
                lock.unlock();
                try {
                    task();
                } catch (const std::exception& e) {
                    log::get("alpaca")->error("an HTTP connection ended with an error: {}", e.what());
                }
                task = nullptr;
                lock.lock();
                continue;
            }
            if (shutdown_) return;
            ++idle_;
            const bool woken = wake_.wait_for(lock, kRetireAfter, [this] { return !jobs_.empty() || shutdown_; });
            --idle_;
            if (!woken && workers_.size() > kKeptWorkers) {
                // Retire: the next enqueue() or shutdown() joins this thread.
                const pthread_t self = ::pthread_self();
                workers_.erase(std::find_if(workers_.begin(), workers_.end(),
                                            [self](pthread_t each) { return ::pthread_equal(each, self) != 0; }));
                ended_.push_back(self);
                return;
            }
        }
    }

    const std::size_t max_threads_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    std::vector<pthread_t> workers_;
    std::vector<pthread_t> ended_;
    std::size_t idle_ = 0;
    bool shutdown_ = false;
};

/// Logs refusals at most once per 10 s, with how many there were.
class RefusalLog {
public:
    void add(const std::string& reason) {
        const std::lock_guard lock(mutex_);
        ++count_;
        const auto now = Clock::now();
        if (now - last_ < std::chrono::seconds(10)) return;
        log::get("alpaca")->warn("refused {} connection(s) with 503: {}", count_, reason);
        count_ = 0;
        last_ = now;
    }

private:
    std::mutex mutex_;
    std::size_t count_ = 0;
    Clock::time_point last_{};
};
RefusalLog refusal_log;
}  // namespace

GuardedServer::GuardedServer(const ConnectionLimits& limits) : limits_(limits), admission_(limits_) {
    if (::pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::runtime_error(std::string("cannot create the HTTP server's stop pipe: ") + std::strerror(errno));
    new_task_queue = [max = limits_.threads] { return new ElasticPool(max); };
}

GuardedServer::~GuardedServer() {
    for (const int fd : stop_pipe_) ::close(fd);
}

void GuardedServer::stopAll() noexcept {
    if (stopping_.exchange(true)) return;
    const char byte = 1;  // never read: every poll on the pipe sees it from now on
    [[maybe_unused]] const ssize_t written = ::write(stop_pipe_[1], &byte, 1);
}

void GuardedServer::setBacklog(int backlog) noexcept {
    const socket_t fd = svr_sock_;
    if (fd != INVALID_SOCKET) ::listen(fd, backlog);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
    try {
        sockaddr_storage peer{};
        socklen_t size = sizeof peer;
        if (::getpeername(sock, reinterpret_cast<sockaddr*>(&peer), &size) == 0) {
            auto entry = admission_.enter(clientAddress(peer));
            if (const auto* reason = std::get_if<std::string>(&entry))
                refuse(sock, *reason);
            else
                serve(sock);
        }
    } catch (const std::exception& e) {
        log::get("alpaca")->error("an HTTP connection failed: {}", e.what());
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return true;
}

void GuardedServer::serve(int fd) {
    const int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    ConnectionStream stream(fd, stop_pipe_[0], limits_);
#ifdef CPPHTTPLIB_SERVER_READ_TIMEOUT_SECOND  // 0.18: the addresses are passed in
    std::string remote_ip, local_ip;
    int remote_port = 0, local_port = 0;
    stream.get_remote_ip_and_port(remote_ip, remote_port);
    stream.get_local_ip_and_port(local_ip, local_port);
#endif
    const std::size_t most = std::max<std::size_t>(keep_alive_max_count_, 1);
    for (std::size_t served = 0; served < most && !stopping_; ++served) {
        if (!stream.awaitRequest()) return;
        stream.beginRequest();
        const bool last = served + 1 == most;
        bool closed = false;
#ifdef CPPHTTPLIB_SERVER_READ_TIMEOUT_SECOND
        const bool ok = process_request(stream, remote_ip, remote_port, local_ip, local_port, last, closed, nullptr);
#else
        const bool ok = process_request(stream, last, closed, nullptr);
#endif
        if (!ok || closed || stream.failed()) return;
    }
}

void GuardedServer::refuse(int fd, const std::string& reason) {
    refusal_log.add(reason);
    const std::string body = "sonyalpaca: " + reason + "\n";
    const std::string reply = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                              "Retry-After: 2\r\nConnection: close\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
    if (::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) return;
    ::shutdown(fd, SHUT_WR);
    // Read what the client sent until it closes (or briefly): closing a socket with unread bytes
    // resets the connection, and the client could lose the reply before reading it.
    const auto until = Clock::now() + kRefusalLinger;
    std::array<char, 4096> scratch{};
    for (int round = 0; round < 64 && waitFor(fd, POLLIN, stop_pipe_[0], until); ++round)
        if (::recv(fd, scratch.data(), scratch.size(), 0) <= 0) return;
}

}  // namespace sonyalpaca::alpaca
