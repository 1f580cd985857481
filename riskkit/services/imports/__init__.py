"""Importing registers from Excel workbooks and CSV files, as councils keep them.

reading    the file into plain rows, refusing what cannot be read whole
headings   which row is the header and which column holds which field
table      a mapped sheet's data rows, up to the empty row or legend below the table
values     one cell's score, level, date or list, as people write them
scores     a row's current, target and inherent scores, from its columns
rows       every row read and checked into a plan of what to write
owners     the people a file names, matched or added
creating   new risks written in bulk, with their controls, actions, reviews and history
updating   risks already in riskkit (--update) changed through the risk services
columns    the columns of a control, action or review, for both
results    what an import reports: row outcomes and problems
uploads    web uploads kept between preview and confirmation, and their clean-up
importer   the import itself: read, check, write, in one transaction
"""
