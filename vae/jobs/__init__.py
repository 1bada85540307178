"""Training jobs out of the web process (no Streamlit): the Train page's form rules, a bounded pool of worker
processes with a visible queue, the workers themselves, and job records in the store for operators.

* :mod:`vae.jobs.form` — form values → validated configs (the CLI's rules), the budget and name checks;
* :mod:`vae.jobs.limits` — workers, queue length and per-job budgets from ``VAE_TRAIN_*`` variables;
* :mod:`vae.jobs.pool` — ``JobPool`` (queue, supervisor thread, worker processes), ``get_pool``, ``start_job``;
* :mod:`vae.jobs.worker` — the worker process: ``vae.training_run.train_and_save`` with every event forwarded;
* :mod:`vae.jobs.schedule` — queue position → estimated start;
* :mod:`vae.jobs.jobfiles` — ``<store>/.jobs``: records and stop requests, read by ``python -m vae jobs``.

Importing this package imports nothing else, so ``vae.uploads`` and the CLI can use its parts freely.
"""
