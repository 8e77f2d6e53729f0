#include "web/query_worker.h"

#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace tonghop::web {

struct QueryWorker::State {
  struct Job {
    tonghop::v1::QueryRequest request;
    Done done;
  };
  State(cli::AggregatorLink link, size_t max_waiting) : link(std::move(link)), max_waiting(max_waiting) {}

  void Serve() {
    while (true) {
      Job job;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [this] { return stopping || !jobs.empty(); });
        if (stopping) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      tonghop::v1::QueryReply reply;
      const Status status = cli::CallAggregator(link, job.request, &reply, &answered_last);
      // Under the lock, so that the destructor, once it holds it, knows no callback runs later.
      std::lock_guard lock(mutex);
      if (stopping) return;
      job.done(status, reply);
    }
  }

  const cli::AggregatorLink link;
  const size_t max_waiting;
  std::string answered_last;  // the worker's thread's own
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> jobs;
  bool stopping = false;
};

QueryWorker::QueryWorker(cli::AggregatorLink link, size_t max_waiting)
    : state_(std::make_shared<State>(std::move(link), max_waiting)) {
  std::thread([state = state_] {
    pthread_setname_np(pthread_self(), "web-query");
    state->Serve();
  }).detach();
}

QueryWorker::~QueryWorker() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    state_->jobs.clear();
  }
  state_->wake.notify_all();
}

bool QueryWorker::Submit(tonghop::v1::QueryRequest request, Done done) {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping || state_->jobs.size() >= state_->max_waiting) return false;
    state_->jobs.push_back({std::move(request), std::move(done)});
  }
  state_->wake.notify_one();
  return true;
}

}  // namespace tonghop::web
