"""DejaVu Sans, the typeface embedded in every PDF and PNG (see riskkit/reports/fonts.py and LICENSE.txt)."""
