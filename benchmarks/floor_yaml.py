"""The floor of ``kdirectory validate``: read every record file of a project and parse it
with PyYAML's C loader, nothing else.

Prints one JSON line: the files read and their bytes.

    python benchmarks/floor_yaml.py PROJECT

Imports only the standard library and PyYAML, as a floor should.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: floor_yaml.py PROJECT")
    folder = Path(sys.argv[1]) / "data" / "clinics"
    files = size = 0
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml", ".json"):
            continue
        data = path.read_bytes()
        yaml.load(data, Loader=yaml.CSafeLoader)
        files += 1
        size += len(data)
    sys.stdout.write(json.dumps({"files": files, "bytes": size}) + "\n")


if __name__ == "__main__":
    main()
