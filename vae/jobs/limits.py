"""What one server lets its students run: workers, queue length, and each job's budget (no Streamlit).

Every limit comes from the environment, so an operator sets them per replica without touching code:

=============================== ========= =====================================================================
variable                        default   meaning
=============================== ========= =====================================================================
``VAE_TRAIN_WORKERS``           cores//2  worker processes training at once (1 on a 2-core server)
``VAE_TRAIN_QUEUE``             30        trainings waiting at most (a class of 30 can all submit once)
``VAE_TRAIN_MAX_IMAGE_EPOCHS``  1000000   epochs × training images of one job (250 epochs of the MNIST subset)
``VAE_TRAIN_MAX_SECONDS``       600       running time of one job; a job still running then is stopped
``VAE_TRAIN_NICE``              5         the workers' ``nice`` (0-19): when the cores are short, the class's pages
                                          go first and the training takes what is left (see :data:`DEFAULT_NICE`)
``VAE_TRAIN_ANON_SLOTS``        2         active trainings (running or queued) of every anonymous visitor together:
                                          a class member (joined with the class link) or a teacher has one each
``VAE_TRAIN_ABANDON_SECONDS``   120       a queued job whose page has not polled for this long is dropped (its
                                          submitter left); a running job still finishes and saves. 0: never
=============================== ========= =====================================================================

The image-epoch budget is checked in the form, before anything runs (the refusal states the limit and the
largest number of epochs allowed on the chosen dataset); the time budget is enforced by the worker while it
trains (and, as a backstop, by the pool, which kills a worker running a job 60 s past it).
"""
from __future__ import annotations

import os
from dataclasses import dataclass


def env_number(name: str, default: float, lo: float, cast=int):
    """``$name`` as a number ≥ ``lo``; an unset, unreadable or too small value gives ``default``. The one reader of
    the app's numeric settings from the environment (this module's limits, the class's follow spread)."""
    raw = os.environ.get(name, "").strip()
    try:
        value = cast(raw) if raw else default
    except ValueError:
        return default
    return value if value >= lo else default


#: Workers run at this niceness: a CPU-bound training must not slow thirty students' reruns (bench/load.py
#: measured the class's p95 ×2.95 with a training at nice 0, the training itself at 0.62 of its idle speed).
DEFAULT_NICE = 5


def default_workers() -> int:
    """Half the cores, at least one: the web process keeps the other half for the class's sessions."""
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class Limits:
    """A server's training limits; :meth:`from_env` reads them (see the module's table)."""

    workers: int = 1
    max_queue: int = 30
    max_image_epochs: int = 1_000_000
    max_seconds: float = 600.0
    nice: int = DEFAULT_NICE
    anon_slots: int = 2
    abandon_seconds: float = 120.0

    @classmethod
    def from_env(cls) -> "Limits":
        """The limits this process runs with (``VAE_TRAIN_*`` variables, defaults otherwise)."""
        return cls(workers=env_number("VAE_TRAIN_WORKERS", default_workers(), 1),
                   max_queue=env_number("VAE_TRAIN_QUEUE", 30, 0),
                   max_image_epochs=env_number("VAE_TRAIN_MAX_IMAGE_EPOCHS", 1_000_000, 1),
                   max_seconds=env_number("VAE_TRAIN_MAX_SECONDS", 600.0, 1.0, float),
                   nice=min(19, env_number("VAE_TRAIN_NICE", DEFAULT_NICE, 0)),
                   anon_slots=env_number("VAE_TRAIN_ANON_SLOTS", 2, 0),
                   abandon_seconds=env_number("VAE_TRAIN_ABANDON_SECONDS", 120.0, 0.0, float))

    def max_epochs(self, n_images: int) -> int:
        """The most epochs one job may run on ``n_images`` training images (at least 1)."""
        return max(1, self.max_image_epochs // max(1, int(n_images)))
