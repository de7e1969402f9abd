"""The sweep's embedded store: SQLite, one row per cell (``cells``) and one per cell and seed (``runs``).

Both are keyed by the cell's key (SHA-256 of its full configuration, :func:`.sweep.cell_key`); ``cells`` keeps
the configuration itself as canonical JSON beside the pooled result.  A cell and its seed rows are written in one
transaction, so the store holds whole cells only, whatever interrupts a sweep; a cell present in ``cells`` is
done.  Wall-clock times (which differ run to run) live apart, in ``timings``, so the result tables of two runs of
the same grid compare equal row for row.  The journal is in WAL mode: a reader (a progress monitor, a test) can
read while a sweep writes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterable

from spectral_universality.errors import InputError

STORE_NAME = "sweep.sqlite"

#: Result columns of ``cells`` after ``key`` and ``config`` (``energies`` and ``mode_range`` are JSON text).
CELL_COLUMNS = ("status", "reason", "s_hat", "s_hat_se", "eta_hat", "gamma_hat_1", "fit", "mode_range",
                "theory_stable", "theory_reason", "contraction_1", "diverged_fraction", "energies")
#: Columns of ``runs`` after ``key``.
RUN_COLUMNS = ("seed", "status", "reason", "s_hat", "s_hat_se", "eta_hat", "gamma_hat_1", "max_abs_theta")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS cells (key TEXT PRIMARY KEY, config TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
    s_hat REAL, s_hat_se REAL, eta_hat REAL, gamma_hat_1 REAL, fit TEXT, mode_range TEXT, theory_stable INTEGER,
    theory_reason TEXT, contraction_1 REAL, diverged_fraction REAL, energies TEXT);
CREATE TABLE IF NOT EXISTS runs (key TEXT NOT NULL REFERENCES cells(key), seed INTEGER NOT NULL,
    status TEXT NOT NULL, reason TEXT, s_hat REAL, s_hat_se REAL, eta_hat REAL, gamma_hat_1 REAL,
    max_abs_theta REAL, PRIMARY KEY (key, seed));
CREATE TABLE IF NOT EXISTS timings (key TEXT PRIMARY KEY, engine TEXT, seconds REAL, finished REAL);
"""


class SweepStore:
    """An open store at ``path`` (created with its tables when missing); use as a context manager.

    Raises
    ------
    InputError
        The file exists but is not a sweep store (or not SQLite at all).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, timeout=30.0)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path} is not a sweep store: {exc}") from None

    def __enter__(self) -> "SweepStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def done_keys(self, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` whose cells are stored."""
        keys = list(keys)
        found: set[str] = set()
        for i in range(0, len(keys), 500):  # SQLite caps the number of bound parameters per statement
            chunk = keys[i:i + 500]
            rows = self.conn.execute(f"SELECT key FROM cells WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            found.update(r[0] for r in rows)
        return found

    def put(self, cells: list[tuple[dict[str, Any], dict[str, Any]]], engine: str) -> None:
        """Store ``(config, result)`` pairs (a result of :func:`.sweep.run_cell`) in one transaction."""
        from .sweep import cell_key

        now = time.time()
        with self.conn:  # one transaction: commits on success, rolls back on any exception (Ctrl-C included)
            for config, res in cells:
                key = cell_key(config)
                vals = [_encode(c, res.get(c)) for c in CELL_COLUMNS]
                self.conn.execute(f"INSERT OR REPLACE INTO cells VALUES (?, ?, {','.join('?' * len(vals))})",
                                  [key, json.dumps(config, sort_keys=True), *vals])
                self.conn.execute("DELETE FROM runs WHERE key = ?", [key])
                self.conn.executemany(f"INSERT INTO runs VALUES (?, {','.join('?' * len(RUN_COLUMNS))})",
                                      [[key, *(row.get(c) for c in RUN_COLUMNS)] for row in res["runs"]])
                self.conn.execute("INSERT OR REPLACE INTO timings VALUES (?, ?, ?, ?)",
                                  [key, engine, res.get("seconds"), now])

    def cells(self, keys: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Stored cells (all, or those of ``keys`` in that order) with their configuration and seed rows."""
        cols = ("key", "config", *CELL_COLUMNS)
        rows = {r[0]: dict(zip(cols, r)) for r in self.conn.execute(f"SELECT {','.join(cols)} FROM cells")}
        runs: dict[str, list[dict[str, Any]]] = {}
        for r in self.conn.execute(f"SELECT key, {','.join(RUN_COLUMNS)} FROM runs ORDER BY key, seed"):
            runs.setdefault(r[0], []).append(dict(zip(RUN_COLUMNS, r[1:])))
        order = list(rows) if keys is None else [k for k in keys if k in rows]
        out = []
        for k in order:
            row = rows[k]
            row["config"] = json.loads(row["config"])
            for c in ("energies", "mode_range"):
                row[c] = None if row[c] is None else json.loads(row[c])
            row["theory_stable"] = None if row["theory_stable"] is None else bool(row["theory_stable"])
            row["runs"] = runs.get(k, [])
            out.append(row)
        return out

    def timings(self) -> dict[str, tuple[str, float]]:
        """``key -> (engine, seconds)`` of every stored cell."""
        return {k: (e, s) for k, e, s in self.conn.execute("SELECT key, engine, seconds FROM timings")}

    def dump(self) -> dict[str, list[tuple]]:
        """The result tables' rows in key order (exact values: what two runs of one grid must share)."""
        return {"cells": self.conn.execute("SELECT * FROM cells ORDER BY key").fetchall(),
                "runs": self.conn.execute("SELECT * FROM runs ORDER BY key, seed").fetchall()}


def _encode(column: str, value: Any) -> Any:
    if column in ("energies", "mode_range"):
        return None if value is None else json.dumps(value)
    if column == "theory_stable":
        return None if value is None else int(value)
    return value
