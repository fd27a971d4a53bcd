# nbgrader's configuration for a course in C on the cellc kernel: copy it into your course directory
# (beside source/). What each setting is for: docs/teaching.md in the cellc repository.
from nbgrader.preprocessors import ClearSolutions

c = get_config()  # noqa: F821 - nbgrader's config loader defines it

# What a solution region becomes in the students' notebooks. nbgrader has no stub for C, and setting
# the dict replaces its defaults: keep them (Python's included) and add C's. The failed assert stops a
# test that calls a function not written yet, with "Assertion `!"not implemented yet"' failed" and
# the line of the stub; it needs <assert.h>, which the notebook's first cell includes.
c.ClearSolutions.code_stub = {
    **ClearSolutions.class_traits()["code_stub"].default(),
    "c": '/* YOUR CODE HERE */\nassert(!"not implemented yet");',
}

# Settings of the kernels nbgrader starts (autograde, and Validate where it reads this file), given
# on the kernel's command line; the students' own kernels keep the kernelspec's settings.
# - nbgrader gives 0 to a test cell that writes anything to stderr: gcc's warnings (a student's
#   changed signature: "discards 'const' qualifier") go to stdout instead, still in the feedback.
# - a cell that runs longer than 10 s is stopped and rolled back; the notebook goes on.
c.Execute.extra_arguments = ["CELLC_WARNINGS=stdout", "CELLC_CELL_TIMEOUT=10"]
# nbgrader's own limit per cell (compiling included): above CELLC_CELL_TIMEOUT, so cellc's comes first.
c.Execute.timeout = 30
