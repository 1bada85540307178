"""Run a benchmark and keep its result: ``python bench/record.py [--name NAME] -- CMD ...``.

Every bench in this folder prints its figures and ends with one JSON line. This wrapper runs the
command (its output goes to the terminal as usual), takes that last JSON line, and writes
``bench/results/<name>-<YYYY-MM-DD>[-N].json`` with the date, the machine (host name, cores, CPU
model, load average at start), the exact command, and the JSON object, so every figure quoted in the
README or in an issue can be checked against a committed run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    """Where the run happened: host, cores, CPU model, load average (the machine is shared and noisy)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"host": platform.node(), "cores": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "loadavg": [round(v, 2) for v in os.getloadavg()]}


def last_json_line(text: str) -> dict:
    """The last line of ``text`` that parses as a JSON object (the bench's result)."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    raise ValueError("the command printed no JSON line")


def result_path(name: str, day: dt.date) -> Path:
    """A new file name for ``name`` on ``day`` (``-2``, ``-3`` … when that day already has runs)."""
    path, n = RESULTS / f"{name}-{day.isoformat()}.json", 1
    while path.exists():
        n += 1
        path = RESULTS / f"{name}-{day.isoformat()}-{n}.json"
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the command, echo its output, and write the result file; exit with the command's status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", help="result name (default: the bench script's stem)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("give the bench command after --")
    name = args.name or next((Path(w).stem for w in cmd if w.endswith(".py")), Path(cmd[0]).name)
    started = dt.datetime.now().astimezone()
    env_machine = machine()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = []
    for line in proc.stdout:
        sys.stdout.write(line)
        out.append(line)
    status = proc.wait()
    if status != 0:
        print(f"record: the command exited with {status}; nothing written", file=sys.stderr)
        return status
    result = last_json_line("".join(out))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = result_path(name, started.date())
    record = {"date": started.isoformat(timespec="seconds"), "machine": env_machine,
              "command": " ".join(cmd), "result": result}
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"record: wrote {path.relative_to(RESULTS.parent.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
