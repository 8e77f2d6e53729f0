#!/usr/bin/env python3
"""Writes Lạng Sơn's commune-level units since 1 July 2025 (communes-2025.csv, read by
derive_catalog.py) and Vietnam's 34 provinces (deploy/vietnam/units.csv) from two public datasets.
Run once by a maintainer; its output is committed:

    git -C dvhcvn show v20250301:data/dvhcvn.json > old.json         # github.com/daohoangson/dvhcvn
    git -C 20250701 show HEAD:mapping/merges.json > merges.json        # github.com/dvhcvn/20250701
    python3 deploy/lang-son/tools/communes_2025.py old.json merges.json deploy

- old.json: the units before 1 July 2025 (provinces, districts, communes with the General
  Statistics Office's codes), daohoangson/dvhcvn at tag v20250301 (data of 2025-03-01).
- merges.json: for each new province and commune, the old units it was made of (whole or in
  part), dvhcvn/20250701, read off Resolution 202/2025/QH15 (34 provinces) and Resolutions
  1654..1687/NQ-UBTVQH15 (communes; Lạng Sơn: 1672/NQ-UBTVQH15 of 16 June 2025, 65 units: 61
  communes and 4 wards), whose text that repository keeps in input/docs/.
A new commune's successor_of names the old districts its old communes belonged to.
"""
import csv
import json
import os
import sys
import unicodedata

LANG_SON = "20"  # the province's code, the same before and after
DISTRICT_CODES = {  # the GSO district codes of deploy/lang-son/units.csv's districts
    "178": "lang-son-city", "180": "trang-dinh", "181": "binh-gia", "182": "van-lang", "183": "cao-loc",
    "184": "van-quan", "185": "bac-son", "186": "huu-lung", "187": "chi-lang", "188": "loc-binh",
    "189": "dinh-lap",
}
KINDS = {"Xã": ("commune", "xa"), "Phường": ("ward", "phuong")}
PROVINCE_PREFIXES = ("Thành phố ", "Tỉnh ")


def slug(name):
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in folded if unicodedata.category(c) != "Mn").lower()
    return "-".join(ascii_name.split())


def main(old_path, merges_path, deploy_dir):
    with open(old_path, encoding="utf-8") as f:
        old = json.load(f)["data"]
    with open(merges_path, encoding="utf-8") as f:
        new = json.load(f)["data"]
    district_of = {}
    for province in old:
        if province["level1_id"] != LANG_SON:
            continue
        for district in province["level2s"]:
            for commune in district["level3s"]:
                district_of[commune["level3_id"]] = DISTRICT_CODES[district["level2_id"]]

    lang_son = next(p for p in new if p["level1_id"] == LANG_SON)
    rows = []
    for unit in lang_son["level2s"]:
        word, name = unit["name"].split(" ", 1)
        kind, prefix = KINDS[word]
        districts = sorted({district_of[m["old_id"]] for m in unit["merges"]})
        made_of = "; ".join(m["name"] + ("" if m["type"] == "full" else " (một phần)") for m in unit["merges"])
        rows.append([f"{prefix}-{slug(name)}", unit["name"], kind, unit["level2_id"], "|".join(districts), made_of])
    with open(os.path.join(deploy_dir, "lang-son", "communes-2025.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name_vi", "kind", "gso_code", "successor_of", "made_of"])
        w.writerows(sorted(rows, key=lambda r: r[3]))

    os.makedirs(os.path.join(deploy_dir, "vietnam"), exist_ok=True)
    with open(os.path.join(deploy_dir, "vietnam", "units.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("# Vietnam's 34 provinces and centrally run cities since 1 July 2025 (Resolution 202/2025/QH15),\n"
                "# in the General Statistics Office's order (Official Letter 915/CTK-CSCL), as listed by\n"
                "# github.com/dvhcvn/20250701 (mapping/merges.json); written by\n"
                "# deploy/lang-son/tools/communes_2025.py. The units of a national catalog (docs/CATALOG.md).\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name_vi", "kind", "valid_from", "valid_to", "parent", "successor_of"])
        for province in new:
            name = province["name"]
            short = next((name[len(p):] for p in PROVINCE_PREFIXES if name.startswith(p)), name)
            kind = "city" if name.startswith("Thành phố") else "province"
            w.writerow([slug(short), name, kind, "2025-07-01", "", "", ""])


if __name__ == "__main__":
    main(*sys.argv[1:4])
