"""Check kinds as plug-ins. A kind says what its YAML entries may hold, which lake tables it
reads, and how it evaluates a batch of reports into `check_results` rows; it registers itself
under the name entries use as `kind:`. The engine loops over `KINDS`, never over names.

A new kind is a module beside these that subclasses `base.Kind`, is decorated with
`@base.register`, and is imported below.
"""

from checks.kinds import cell, cross_year, equation, narrative, procedural, similarity  # noqa: F401  (each registers itself)
from checks.kinds.base import KINDS, Kind

__all__ = ["KINDS", "Kind"]
