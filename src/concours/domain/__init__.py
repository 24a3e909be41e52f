"""Pure domain logic: no I/O, no web, no database. Rubric math, tabulation, state machines, presets."""
