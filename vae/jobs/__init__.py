"""Training jobs out of the web process (no Streamlit): the Train page's form rules, a bounded pool of worker
processes with a visible queue (or, with Redis, a distributed queue), the workers themselves, and job records
for operators.

* :mod:`vae.jobs.form` — form values → validated configs (the CLI's rules), the budget and name checks;
* :mod:`vae.jobs.limits` — workers, queue length and per-job budgets from ``VAE_TRAIN_*`` variables;
* :mod:`vae.jobs.pool` — ``JobPool`` (queue, supervisor thread, worker processes), ``get_pool``, ``start_job``;
* :mod:`vae.jobs.worker` — the worker process: ``vae.training_run.train_and_save`` with every event forwarded;
* :mod:`vae.jobs.schedule` — queue position → estimated start;
* :mod:`vae.jobs.jobfiles` — ``<store>/.jobs``: records and stop requests, read by ``python -m vae jobs``;
* :mod:`vae.jobs.service` — the one choice of backend: the pool above, or with Redis (``VAE_REDIS_URL``) the
  distributed queue (RQ) that ``latent-explorer worker`` processes consume on any machine:
  :mod:`~vae.jobs.queue_client` (submit, position, estimated start, cancel, stop; the replicas' keeper),
  :mod:`~vae.jobs.queue_records` (records, heartbeats and events in Redis), :mod:`~vae.jobs.queue_task` (the
  function RQ runs: supervises a warm training process), :mod:`~vae.jobs.queue_worker` (the ``worker`` command),
  :mod:`~vae.jobs.wire` (specs and events as JSON);
* :mod:`vae.jobs.projection_jobs` — the t-SNE / UMAP maps of a user's model, fitted in one worker process of their own
  (not the training pool: a map must not wait behind a training), one job per codes and method, with progress.

Importing this package imports nothing else, so ``vae.uploads`` and the CLI can use its parts freely.
"""
