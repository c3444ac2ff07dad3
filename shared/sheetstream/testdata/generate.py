#!/usr/bin/python3
"""Writes the openpyxl and LibreOffice files of the sheetstream corpus.

    /usr/bin/python3 shared/sheetstream/testdata/generate.py

Needs python3-openpyxl and LibreOffice (soffice on PATH). The files it writes are
committed, so the tests need neither; run it again only to change the corpus. The
excelize and hand-made files are written by `go test ./shared/sheetstream -run
TestCorpus -update`.
"""
import csv
import datetime
import os
import shutil
import subprocess
import sys
import tempfile

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

HEADER = ["staff_ref", "grade", "profession", "job_family", "fte", "in_post",
          "ddat_start_date", "entry_route"]

ROWS = [
    ["S0001", "G7", "DDaT", "Data", 0.8, True, datetime.datetime(2024, 4, 1), "Fast stream"],
    ["S0002", "Grade 6", "Finance", None, 1, False, None, "Other"],
    ["S0003", "SCS1", "DDaT", "Architecture", 0.5, True, datetime.datetime(2019, 10, 31), "Experienced hire"],
    ["S0004", None, None, None, None, None, None, None],
    ["S0005", "HEO", "DDaT", "IT operations", 1, True, datetime.datetime(2025, 1, 15), "Apprenticeship"],
    ["S&<0006>", "EO", "ddat", "Product and delivery", 0.6, False, datetime.datetime(2025, 3, 31), "graduate programme"],
]


def openpyxl_files(out):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Staff"
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    ws["I2"] = "=E2*2"          # a formula: openpyxl writes no cached value
    ws["AD20"] = "sparse"        # a row and a column far from the rest
    ws["B20"] = 42
    ws["C21"] = "  spaces kept  "
    ws["D21"] = "multi\nline"
    wb.save(os.path.join(out, "extract.xlsx"))

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Staff")
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    ws.append([])
    ws.append([None, None, "gap before"])
    wb.save(os.path.join(out, "write-only.xlsx"))


def csv_cell(v):
    if v is None:
        return ""
    if v is True:
        return "TRUE"
    if v is False:
        return "FALSE"
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d")
    return str(v)


def soffice_convert(src, outdir, work):
    profile = "file://" + os.path.join(work, "profile")
    subprocess.run(["soffice", "-env:UserInstallation=" + profile, "--headless", "--norestore",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                    "--outdir", outdir, src], check=True, timeout=300,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def libreoffice_files(out):
    work = tempfile.mkdtemp()
    try:
        extract = os.path.join(work, "extract.csv")
        with open(extract, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(HEADER + ["check"])
            for i, r in enumerate(ROWS):
                w.writerow([csv_cell(v) for v in r] + (["=1+2"] if i == 0 else []))
        sparse = os.path.join(work, "sparse.csv")
        with open(sparse, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            w.writerow(["S0001", "", "", "Data"])
            w.writerow([])
            w.writerow([])
            w.writerow(["", "", "", "", "", "", "", "", "", "", "far column"])
            w.writerow(["S0002", "AA", "DDaT", "User centred design", "0.25", "TRUE", "2023-06-30", "Internship"])
        for src in (extract, sparse):
            soffice_convert(src, out, work)
        # LibreOffice's reading of openpyxl's workbook, saved again: its own shared strings.
        shutil.copy(os.path.join(CORPUS, "openpyxl", "extract.xlsx"), os.path.join(work, "resaved.xlsx"))
        resaved = os.path.join(work, "out")
        os.makedirs(resaved)
        profile = "file://" + os.path.join(work, "profile")
        subprocess.run(["soffice", "-env:UserInstallation=" + profile, "--headless", "--norestore",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", resaved,
                        os.path.join(work, "resaved.xlsx")], check=True, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.copy(os.path.join(resaved, "resaved.xlsx"), os.path.join(out, "resaved.xlsx"))
    finally:
        shutil.rmtree(work)


def main():
    for d in ("openpyxl", "libreoffice"):
        os.makedirs(os.path.join(CORPUS, d), exist_ok=True)
    openpyxl_files(os.path.join(CORPUS, "openpyxl"))
    libreoffice_files(os.path.join(CORPUS, "libreoffice"))
    for d in ("openpyxl", "libreoffice"):
        print(d, sorted(os.listdir(os.path.join(CORPUS, d))))


if __name__ == "__main__":
    sys.exit(main())
