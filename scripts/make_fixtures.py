#!/usr/bin/python3
"""Regenerate every PyTorch fixture under test/fixtures/.

Run with Debian's PyTorch 1.13.1:  apt-get install -y python3-torch && /usr/bin/python3 scripts/make_fixtures.py [name ...]
Each module scripts/fixtures/<name>.py defines main() and writes test/fixtures/<name>.json (or a folder).
The fixtures are committed, so the TypeScript tests never need Python.
"""
import importlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "fixtures"))


def main(argv):
    names = argv or sorted(p.stem for p in (HERE / "fixtures").glob("*.py") if p.stem != "common")
    for name in names:
        mod = importlib.import_module(name)
        print(f"== {name}", flush=True)
        mod.main()


if __name__ == "__main__":
    main(sys.argv[1:])
