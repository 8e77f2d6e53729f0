#!/usr/bin/env python3
"""Derives the Lạng Sơn catalog and the 2017-Q1 demo scenario from the figures read off the
province's report (shared/data/lang-son/). Run once by a maintainer; its output is committed:

    python3 deploy/lang-son/tools/derive_catalog.py ../shared/data/lang-son deploy/lang-son

- units.csv       the 11 districts (shared districts.csv) and the provincial departments that
                  report province-only figures
- indicators.csv  the 79 indicators with their rules; `reported_by` names unit kinds or codes
- plans.csv       2017 annual plan = q1_2017 / pct_of_plan * 100 (six decimals)
- baselines.csv   2016-Q1 province value = q1_2017 / (1 + yoy_pct / 100) (six decimals)
- reference-2017-q1.csv  the report's 2017-Q1 figures, what the pipeline must reproduce
- scenarios/lang-son-2017-q1/<unit>/<sector>.csv  each unit's drop files: every district's share
  of every district-reported indicator (shares add up exactly to the province figure, in steps of
  the figure's last printed decimal) and each department's province figures.
"""
import csv
import os
import sys
from decimal import Decimal, ROUND_HALF_UP

# Which provincial department reports each province-only sector or indicator prefix.
DEPARTMENTS = [
    ("dien-luc", "Công ty Điện lực Lạng Sơn", ["industry.electricity_"]),
    ("cuc-thong-ke", "Cục Thống kê tỉnh Lạng Sơn", ["trade.cpi_change"]),
    ("cuc-hai-quan", "Cục Hải quan tỉnh Lạng Sơn", ["trade.external."]),
    ("so-ke-hoach-dau-tu", "Sở Kế hoạch và Đầu tư", ["invest.executed."]),
    ("kho-bac", "Kho bạc Nhà nước tỉnh Lạng Sơn", ["invest.disbursed."]),
    ("so-tai-chinh", "Sở Tài chính", ["budget."]),
    ("ngan-hang-nha-nuoc", "Ngân hàng Nhà nước chi nhánh tỉnh Lạng Sơn", ["credit."]),
]
SIX = Decimal("0.000001")


def department_of(indicator_id):
    for code, _, prefixes in DEPARTMENTS:
        if any(indicator_id.startswith(p) for p in prefixes):
            return code
    raise SystemExit(f"no department reports {indicator_id}; extend DEPARTMENTS")


def text(d):
    s = format(d.quantize(SIX, ROUND_HALF_UP), "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def split(total, parts, salt):
    """Splits `total` into `parts` shares in steps of its last printed decimal, with uneven but
    deterministic weights, so that they add up to exactly `total`."""
    step = Decimal(1).scaleb(total.as_tuple().exponent)
    steps = int(total / step)
    weights = [((i + 1) * 7919 + salt * 104729) % 23 + 3 for i in range(parts)]
    shares = [steps * w // sum(weights) for w in weights]
    for i in range(steps - sum(shares)):
        shares[i % parts] += 1
    return [s * step for s in shares]


def main(shared_dir, out_dir):
    with open(os.path.join(shared_dir, "districts.csv"), encoding="utf-8") as f:
        districts = list(csv.DictReader(f))
    with open(os.path.join(shared_dir, "indicators-2017-q1.csv"), encoding="utf-8") as f:
        indicators = list(csv.DictReader(f))

    def write(name, header, rows):
        path = os.path.join(out_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)

    write("units.csv", ["code", "name_vi", "kind"],
          [[d["code"], d["name_vi"], d["kind"]] for d in districts] +
          [[code, name, "department"] for code, name, _ in DEPARTMENTS])

    rows, plans, baselines, reference = [], [], [], []
    for ind in indicators:
        reporters = "district|city" if ind["reported_by"] == "districts" else department_of(ind["id"])
        rows.append([ind["id"], ind["sector"], ind["name_vi"], ind["unit"], reporters,
                     ind["space_agg"], ind["time_agg"], ind["part_of"], ind["parts_rule"]])
        q1 = Decimal(ind["q1_2017"])
        if ind["pct_of_plan"]:
            plans.append([ind["id"], "2017", text(q1 / Decimal(ind["pct_of_plan"]) * 100)])
        if ind["yoy_pct"]:
            baselines.append([ind["id"], "2016-Q1", text(q1 / (1 + Decimal(ind["yoy_pct"]) / 100))])
        reference.append([ind["id"], "2017-Q1", ind["q1_2017"], ind["pct_of_plan"], ind["yoy_pct"]])
    write("indicators.csv", ["id", "sector", "name_vi", "unit", "reported_by", "space_agg",
                             "time_agg", "part_of", "parts_rule"], rows)
    write("plans.csv", ["indicator", "year", "plan"], plans)
    write("baselines.csv", ["indicator", "period", "value"], baselines)
    write("reference-2017-q1.csv", ["indicator", "period", "value", "pct_of_plan", "yoy_pct"], reference)

    # Scenario: one folder per reporting unit, one file per sector.
    files = {}
    for salt, ind in enumerate(indicators):
        q1 = Decimal(ind["q1_2017"])
        if ind["reported_by"] == "districts":
            shares = zip((d["code"] for d in districts), split(q1, len(districts), salt))
        else:
            shares = [(department_of(ind["id"]), q1)]
        for unit, value in shares:
            files.setdefault((unit, ind["sector"]), []).append([ind["id"], "2017-Q1", format(value, "f")])
    for (unit, sector), figures in sorted(files.items()):
        write(f"scenarios/lang-son-2017-q1/{unit}/{sector}.csv", ["indicator", "period", "value"], figures)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
