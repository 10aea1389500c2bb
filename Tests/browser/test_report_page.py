"""pytest entry point for the browser check of a SessionReport page.

Set CER_REPORT_DIR to a folder holding report.html and report-data.json, e.g.

    CER_REPORT_DIR=runs/latest/report python3 -m pytest Tests/browser

The test fails (it does not skip) when CER_REPORT_DIR is unset, when chromium is missing,
or when the page does not match its JSON export.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import check_report  # noqa: E402


def test_report_page():
    report_dir = os.environ.get("CER_REPORT_DIR")
    assert report_dir, "CER_REPORT_DIR is not set: point it at a folder with report.html and report-data.json"
    assert os.path.isdir(report_dir), "CER_REPORT_DIR=%r is not a folder" % report_dir
    try:
        message = check_report.check(report_dir)
    except check_report.CheckError as error:
        raise AssertionError(str(error)) from None
    print(message)
