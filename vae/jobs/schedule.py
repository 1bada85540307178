"""When will a queued training start? Estimates from the running jobs' progress and the pool's speed.

A running job that has done a fraction p of its batches in t seconds needs about t·(1 − p)/p more (once p is
large enough to say anything; before that, its expected duration). A queued job is expected to take its
images × epochs divided by the pool's speed (images per second, measured on the jobs it ran; a guess before
the first). No job runs longer than the time budget, so every estimate is capped by it. Then the queue is
played forward: each job ahead takes the first worker to become free (list scheduling), and the answer is
when a worker is free for this job.
"""
from __future__ import annotations

import heapq

DEFAULT_SPEED = 4000.0   # images/s of one worker before anything was measured (MLP on MNIST, one core)
MIN_PROGRESS = 0.02      # below this, a running job's own speed says too little


def expected_seconds(image_epochs: float, speed: float, cap: float) -> float:
    """Duration of a job of ``image_epochs`` at ``speed`` images/s, at most ``cap`` (the time budget)."""
    return min(cap, image_epochs / max(speed, 1e-9))


def remaining_seconds(elapsed: float, progress: float, expected: float) -> float:
    """Time left for a running job: from its own pace once it has some progress, else from its expectation."""
    if progress >= MIN_PROGRESS:
        return max(0.0, elapsed * (1.0 - progress) / progress)
    return max(0.0, expected - elapsed)


def start_in(running_left: list[float], ahead: list[float], workers: int) -> float:
    """Seconds until a job starts, given the time left of each running job, the durations of the jobs queued
    ahead of it (in order), and the number of workers (idle workers are free now)."""
    free = sorted(running_left)[:workers] + [0.0] * max(0, workers - len(running_left))
    heapq.heapify(free)
    for duration in ahead:
        heapq.heappush(free, heapq.heappop(free) + duration)
    return free[0]
