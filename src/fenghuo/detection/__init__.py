"""Detection: Sigma rules parsed with pySigma, compiled to Polars expressions, run over batches.

A rule is loaded (``rules``), its condition tree is compiled into one vectorised boolean
expression (``compiler`` and ``strings``), and it is attached to the log sources its
``logsource`` names (``routing``, driven by ``logsources.yaml``). The ``engine`` groups a batch
of events by log source, builds one string DataFrame per source with only the fields its rules
use, lower-cases each column once, and evaluates every rule of that source in one pass.
Rules that cannot be compiled are reported as ``CompileIssue`` values, never dropped silently.
"""

from fenghuo.detection.engine import Engine, Match
from fenghuo.detection.rules import CompileIssue, RuleInfo

__all__ = ["CompileIssue", "Engine", "Match", "RuleInfo"]
