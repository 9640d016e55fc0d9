"""The write path of cases, the only code that changes them: `journey` (the procedure's
records, moves and approvals) and `casework` (opening, the person, notes, documents,
assignment). Each top-level action is a step (`trm.lib.steps`)."""
