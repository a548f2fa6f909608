"""Fails unless the wheel named on the command line is abi3 and manylinux2014 (glibc 2.17) or older.

Used by package.sh (every wheel it builds) and test.sh (the wheel it tests). The tag is read
from the file name with the pinned `packaging`; auditwheel (in package.sh) checks that the
symbols the module really uses agree with it.
"""

from __future__ import annotations

import pathlib
import re
import sys

from packaging.utils import parse_wheel_filename

OLDEST_GLIBC = (2, 17)
LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def glibc_of(platform: str) -> tuple[int, int] | None:
    """The glibc version a platform tag requires, or None for a tag that is not manylinux."""
    legacy = re.fullmatch(r"(manylinux1|manylinux2010|manylinux2014)_x86_64", platform)
    if legacy:
        return LEGACY[legacy.group(1)]
    modern = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", platform)
    return (int(modern.group(1)), int(modern.group(2))) if modern else None


def main(path: str) -> int:
    _, _, _, tags = parse_wheel_filename(pathlib.Path(path).name)
    problems = []
    if any(tag.abi != "abi3" for tag in tags):
        problems.append(f"not abi3: {sorted(str(t) for t in tags)}")
    glibcs = {tag.platform: glibc_of(tag.platform) for tag in tags}
    if not glibcs or any(v is None or v > OLDEST_GLIBC for v in glibcs.values()):
        problems.append(f"needs a glibc newer than 2.17 or is not manylinux: {sorted(glibcs)}")
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if not problems:
        print(f"wheel tags ok (abi3, glibc <= 2.17): {sorted(str(t) for t in tags)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
