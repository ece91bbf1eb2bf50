"""Write the self-made metadata samples into this folder (run from the repository root).

    .venv/bin/python tests/data/metadata/make_samples.py

The samples and their known values are defined in tests/extractors/metadata/samples.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.extractors.metadata.samples import build_samples  # noqa: E402


def main() -> None:
    for relative, content in build_samples().items():
        target = HERE / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        print(f"{relative}: {len(content)} bytes")


if __name__ == "__main__":
    main()
