#!/usr/bin/env bash
# What printing the sheets needs (tests/test_sheets.py, `make sheets`): LibreOffice Calc for
# XLSX → PDF, poppler-utils for PDF → PNG, a CJK font, and Carlito (metric-compatible with
# Calibri, the workbooks' default font) so LibreOffice lays columns out as wide as Excel does.
# Installs only what is missing; no network use when everything is present.
set -euo pipefail
need=()
command -v libreoffice >/dev/null || need+=(libreoffice-calc)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need+=(fonts-wqy-microhei)
fc-list 2>/dev/null | grep -qi "carlito" || need+=(fonts-crosextra-carlito)
if [ ${#need[@]} -eq 0 ]; then echo "LibreOffice, poppler and fonts present"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "installed: ${need[*]}"
