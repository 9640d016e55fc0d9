"""The pages' figures (issue 5): home, case list and case page, median and p95 in ms, with
10,000 synthetic cases, through the test client and (with --http) through `trm serve`.

    python -m benchmarks.web [--http]
    TRM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -m benchmarks.web

The same measurement as `python -m benchmarks`, which also times synthesis, actions, audit
verification and the deadline sweep; figures and the machine are in benchmarks/README.md.
"""

import sys

from benchmarks.__main__ import main

if __name__ == "__main__":
    main(["--cases", "10000", "--journeys", "1", *sys.argv[1:]])
