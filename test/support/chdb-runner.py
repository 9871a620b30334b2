"""Runs SQL on current ClickHouse through chDB (the ClickHouse engine in process, from PyPI).

Reads one JSON job on stdin: {"database", "statements": [...], "inserts": [{"table", "jsonl"}],
"after_inserts"?: [...], "queries": {"name": {"sql", "params_structure"?, "params_row"?}}} and prints {"version", "results":
{"name": [rows...]}} as JSON. A query's bound values become the one-row table `params` (what the
HTTP interface's external data gives a query on a server).
Errors go to stderr with the failing statement and exit code 1. Used by the projections test that
runs the migrations and the main queries on current ClickHouse next to the Debian 18.16 server.
"""
import json
import sys
import tempfile

from chdb import session


def main() -> int:
    job = json.load(sys.stdin)
    with tempfile.TemporaryDirectory(prefix="filmroom-chdb-") as path:
        db = session.Session(path)
        database = job["database"]

        def run(sql: str, fmt: str = "CSV") -> str:
            try:
                return db.query(sql, fmt).bytes().decode()
            except Exception as error:  # chDB raises its own error types; report the statement
                print(f"current ClickHouse refused: {error}\n--- statement ---\n{sql}", file=sys.stderr)
                raise SystemExit(1)

        run(f"CREATE DATABASE IF NOT EXISTS {database}")
        run(f"USE {database}")
        for statement in job["statements"]:
            run(statement)
        for insert in job["inserts"]:
            run(f"INSERT INTO {insert['table']} FORMAT JSONEachRow {insert['jsonl']}")
        for statement in job.get("after_inserts", []):
            run(statement)
        results = {}
        for name, query in job["queries"].items():
            run("DROP TABLE IF EXISTS params")
            if query.get("params_structure"):
                run(f"CREATE TABLE params ({query['params_structure']}) ENGINE = Memory")
                run(f"INSERT INTO params FORMAT JSONEachRow {query['params_row']}")
            text = run(query["sql"], "JSONEachRow")
            results[name] = [json.loads(line) for line in text.splitlines() if line.strip()]
        version = run("SELECT version()").strip().strip('"')
        db.close()
    json.dump({"version": version, "results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
