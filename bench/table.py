"""Print a results file of run.py as the reStructuredText table of the README.

.venv/bin/python bench/table.py bench/results/<timestamp>.json
"""

import json
import sys


def rows(document: dict):
    goals = document.get("targets", {})
    for row in document["results"]:
        goal = goals.get(row["scenario"])
        target = ""
        if goal:
            target = f"{goal['target']}: {goal['value']}, {'met' if goal['met'] else 'missed'}"
        yield (
            row["scenario"],
            str(row["connections"]),
            f"{row['rps']:.0f} ({row['rps_min']:.0f}-{row['rps_max']:.0f})",
            f"{row['p50_ms']:.1f}",
            f"{row['p99_ms']:.0f}",
            f"{row['ratio']:.2f}",
            str(row["non_2xx"] + row["socket_errors"]),
            target,
        )


def table(document: dict) -> str:
    header = ("scenario", "c", "req/s (min-max)", "p50 ms", "p99 ms", "ratio", "failed", "target")
    body = list(rows(document))
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)

    def line(cells):
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([rule, line(header), rule, *map(line, body), rule])


if __name__ == "__main__":
    print(table(json.loads(open(sys.argv[1]).read())))
