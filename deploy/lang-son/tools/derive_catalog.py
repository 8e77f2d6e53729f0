#!/usr/bin/env python3
"""Derives the Lạng Sơn catalog and the 2017-Q1 demo scenario from the figures read off the
province's report (shared/data/lang-son/). Run once by a maintainer; its output is committed:

    python3 deploy/lang-son/tools/derive_catalog.py ../shared/data/lang-son deploy/lang-son

- units.csv       the 11 districts (shared districts.csv) and the provincial departments that
                  report province-only figures
- indicators.csv  the 79 indicators with their rules; `reported_by` names unit kinds or codes;
                  every indicator is reported by month or by quarter, due DEADLINE_DAYS after the
                  period; figures may not be negative (but a change in percent); a change of more
                  than YOY_THRESHOLD_PCT against the year before is flagged
- plans.csv       2017 annual plan = q1_2017 / pct_of_plan * 100 (six decimals)
- baselines.csv   2016-Q1 province value = q1_2017 / (1 + yoy_pct / 100) (six decimals)
- years.csv       figures are accepted from FIRST_YEAR (the baselines' year, so that it can be
                  imported) to next year
- reference-2017-q1.csv  the report's 2017-Q1 figures, what the pipeline must reproduce
- scenarios/lang-son-2017-q1/<unit>/<sector>.csv  each unit's drop files: every district's share
  of every district-reported indicator (shares add up exactly to the province figure, in steps of
  the figure's last printed decimal) and each department's province figures.
- scenarios/lang-son-2017-m/<unit>/<sector>-<month>.csv  the same quarter reported month by
  month: a flow's three months add up exactly to the unit's quarterly share; a stock's March
  figure is its quarterly share (January and February are a little below it).
  Every scenario figure says when it was observed (`observed_at`): REPORTED_AFTER_DAYS after its
  period, within the deadline, as the units of 2017 reported it, so that a replay years later
  judges their timeliness by then and not by the day of the replay.
"""
import csv
import datetime
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
# The province's reporting calendar: figures are due this many days after the period ends.
DEADLINE_DAYS = 10
# Resolution 1672/NQ-UBTVQH15 (16 June 2025): the communes formed by it work from 1 July 2025,
# when the district level ends.
LAST_DAY_OF_DISTRICTS = "2025-06-30"
FIRST_DAY_OF_COMMUNES = "2025-07-01"
UNITS_SOURCE = (
    "# Lạng Sơn's reporting units (docs/CATALOG.md). The 11 districts report until 2025-06-30. Since\n"
    "# 2025-07-01 the 65 commune-level units (61 communes, 4 wards) of Resolution 1672/NQ-UBTVQH15\n"
    "# report instead; successor_of names the districts their old communes belonged to. Source:\n"
    "# github.com/dvhcvn/20250701 (the resolution's text and mapping/merges.json) with the old\n"
    "# communes' districts from github.com/daohoangson/dvhcvn (tag v20250301), via communes-2025.csv.\n")
# When the scenario's units reported each period: this many days after its end (on time).
REPORTED_AFTER_DAYS = 5


# The report's sector headings (column sector_vi).
SECTOR_TITLES = {
    "agriculture": "Sản xuất nông nghiệp",
    "forestry": "Lâm nghiệp",
    "rural": "Xây dựng nông thôn mới",
    "industry": "Sản xuất công nghiệp",
    "trade": "Hoạt động thương mại, dịch vụ",
    "tourism": "Du lịch",
    "transport": "Vận tải",
    "investment": "Hoạt động đầu tư xây dựng kết cấu hạ tầng",
    "enterprise": "Phát triển doanh nghiệp, hợp tác xã",
    "budget": "Thu, chi ngân sách",
    "credit": "Hoạt động tín dụng, ngân hàng",
    "education": "Giáo dục và đào tạo",
    "health": "Y tế",
    "inspection": "Thanh tra, giải quyết khiếu nại tố cáo",
    "security": "Quốc phòng, an ninh, trật tự an toàn xã hội",
}

# How the report says figures that are not achievements (column report_vi): counted events and
# stocks whose name already says "có", as the reference report words them.
REPORT_PHRASES = {
    "enterprise.new.count": "Đã có {value} thành lập mới",
    "enterprise.new.capital": "Tổng số vốn điều lệ đăng ký của doanh nghiệp mới đạt {value}",
    "enterprise.suspended": "Có {value} đăng ký tạm ngừng hoạt động",
    "enterprise.dissolved": "{value} đăng ký giải thể",
    "enterprise.active.count": "Toàn tỉnh hiện có {value} đăng ký hoạt động",
    "cooperative.new.count": "Có {value} được thành lập mới",
    "cooperative.active.count": "Toàn tỉnh hiện có {value}",
    "security.traffic.accidents": "Đã xảy ra {value} tai nạn giao thông",
    "security.traffic.deaths": "hậu quả làm chết {value}",
    "security.traffic.violations": "Đã xử lý {value} vi phạm an toàn giao thông",
    "security.crime.cases": "Đã xảy ra {value} phạm pháp hình sự",
    "security.drugs.cases": "Đã bắt {value} ma túy",
}


def reported_on(period):
    """The day the scenario's units reported `period` (2017-01 .. 2017-12, 2017-Q1 .. Q4):
    REPORTED_AFTER_DAYS after its last day."""
    year, rest = int(period[:4]), period[5:]
    last_month = int(rest[1]) * 3 if rest.startswith("Q") else int(rest)
    first_after = datetime.date(year + last_month // 12, last_month % 12 + 1, 1)
    return (first_after + datetime.timedelta(days=REPORTED_AFTER_DAYS - 1)).isoformat()
# A change against the same period last year beyond this (in percent, either way) is flagged.
YOY_THRESHOLD_PCT = 50
# The report lists these totals' sources of capital completely ("trong đó" the four sources the
# province manages, footnote 7), so the parts must add up to them. The printed figures do not
# (403.62 against 408.93 executed), which the system must flag, not hide.
PARTS_RULE_OVERRIDES = {"invest.executed.total": "=", "invest.disbursed.total": "="}
# The first year figures are accepted for: 2016, the year of the baselines, whose figures may be
# imported (`tonghop import`); the last is "next_year", so that the current year always is.
FIRST_YEAR = 2016
# Indicators that may be negative: changes in percent.
MAY_BE_NEGATIVE = {"trade.cpi_change"}


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

    def write(name, header, rows, header_comment=""):
        path = os.path.join(out_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(header_comment)
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)

    # The districts report until the reorganization of 1 July 2025, the communes and wards since
    # (communes-2025.csv, written by communes_2025.py from Resolution 1672/NQ-UBTVQH15).
    with open(os.path.join(out_dir, "communes-2025.csv"), encoding="utf-8") as f:
        communes = list(csv.DictReader(f))
    write("units.csv", ["code", "name_vi", "kind", "valid_from", "valid_to", "parent", "successor_of"],
          [[d["code"], d["name_vi"], d["kind"], "", LAST_DAY_OF_DISTRICTS, "", ""] for d in districts] +
          [[c["code"], c["name_vi"], c["kind"], FIRST_DAY_OF_COMMUNES, "", "", c["successor_of"]] for c in communes] +
          [[code, name, "department", "", "", "", ""] for code, name, _ in DEPARTMENTS],
          header_comment=UNITS_SOURCE)

    rows, plans, baselines, reference = [], [], [], []
    for ind in indicators:
        reporters = "district|city|commune|ward" if ind["reported_by"] == "districts" else department_of(ind["id"])
        rows.append([ind["id"], ind["sector"], ind["name_vi"], ind["unit"], reporters,
                     ind["space_agg"], ind["time_agg"], ind["part_of"],
                     PARTS_RULE_OVERRIDES.get(ind["id"], ind["parts_rule"]),
                     "month|quarter", DEADLINE_DAYS, "", "", YOY_THRESHOLD_PCT, "",
                     "no" if ind["id"] in MAY_BE_NEGATIVE else "yes",
                     SECTOR_TITLES[ind["sector"]], REPORT_PHRASES.get(ind["id"], "")])
        q1 = Decimal(ind["q1_2017"])
        if ind["pct_of_plan"]:
            plans.append([ind["id"], "2017", text(q1 / Decimal(ind["pct_of_plan"]) * 100)])
        if ind["yoy_pct"]:
            baselines.append([ind["id"], "2016-Q1", text(q1 / (1 + Decimal(ind["yoy_pct"]) / 100))])
        reference.append([ind["id"], "2017-Q1", ind["q1_2017"], ind["pct_of_plan"], ind["yoy_pct"]])
    write("indicators.csv", ["id", "sector", "name_vi", "unit", "reported_by", "space_agg",
                             "time_agg", "part_of", "parts_rule", "period_type", "deadline_days",
                             "min", "max", "yoy_threshold_pct", "weight_indicator", "non_negative",
                             "sector_vi", "report_vi"],
          rows)
    write("plans.csv", ["indicator", "year", "plan"], plans)
    write("baselines.csv", ["indicator", "period", "value"], baselines)
    write("years.csv", ["first_year", "last_year"], [[FIRST_YEAR, "next_year"]])
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
            files.setdefault((unit, ind["sector"]), []).append(
                [ind["id"], "2017-Q1", format(value, "f"), reported_on("2017-Q1")])
    for (unit, sector), figures in sorted(files.items()):
        write(f"scenarios/lang-son-2017-q1/{unit}/{sector}.csv", ["indicator", "period", "value", "observed_at"],
              figures)

    # Month by month: the province's months first, so that a total's months are its parts' months
    # plus a share of what the parts leave out (parts checks hold, or fail, month by month as
    # they do for the quarter); then each month split across the districts.
    province_months = {}
    by_id = {ind["id"]: ind for ind in indicators}
    parts_of = {}
    for ind in indicators:
        if ind["part_of"]:
            parts_of.setdefault(ind["part_of"], []).append(ind["id"])

    def months_of(indicator_id):
        if indicator_id not in province_months:
            ind = by_id[indicator_id]
            q1 = Decimal(ind["q1_2017"])
            parts = parts_of.get(indicator_id, [])
            if ind["time_agg"] == "last":
                step = Decimal(1).scaleb(q1.as_tuple().exponent)
                province_months[indicator_id] = [max(q1 - 2 * step, 0 * step), max(q1 - step, 0 * step), q1]
            elif parts:
                rest = q1 - sum(Decimal(by_id[p]["q1_2017"]) for p in parts)
                part_months = [months_of(p) for p in parts]
                province_months[indicator_id] = [sum(m[i] for m in part_months) + r
                                                 for i, r in enumerate(split(rest, 3, 0))]
            else:
                province_months[indicator_id] = split(q1, 3, 0)
        return province_months[indicator_id]

    monthly = {}
    for salt, ind in enumerate(indicators):
        for month, value in zip(("01", "02", "03"), months_of(ind["id"])):
            if ind["reported_by"] == "districts":
                shares = zip((d["code"] for d in districts), split(value, len(districts), salt))
            else:
                shares = [(department_of(ind["id"]), value)]
            for unit, unit_value in shares:
                monthly.setdefault((unit, ind["sector"], month), []).append(
                    [ind["id"], f"2017-{month}", format(unit_value, "f"), reported_on(f"2017-{month}")])
    for (unit, sector, month), figures in sorted(monthly.items()):
        write(f"scenarios/lang-son-2017-m/{unit}/{sector}-{month}.csv",
              ["indicator", "period", "value", "observed_at"], figures)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
