"""Importing registers from Excel workbooks and CSV files, as councils keep them.

reading   the file into plain rows, refusing what cannot be read whole
headings  which row is the header and which column holds which field
values    one cell's score, level, date or list, as people write them
importer  the import itself: every row checked, then saved through the risk services
"""
