"""The one severity scale that alerts carry (CAP 1.2, lower-cased) and events borrow, in the orders its readers need.

Kept in the kernel rather than in one domain because alerts, events, the briefing and the pages all rank by it;
an order spelled out a second time elsewhere drifts (the wall once coloured by one order and counted by another).
"""

from __future__ import annotations

SEVERITIES = ("extreme", "severe", "moderate", "minor", "unknown")  # most severe first: the contract's list
GRADED = SEVERITIES[:-1]  # the graded levels, most severe first: what counts and lists show
ASCENDING = GRADED[::-1]  # least severe first: the steps of a colour scale
